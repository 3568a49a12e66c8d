export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  type IdxImages,
  loadMnist,
  type Mnist,
  type MnistOptions,
  mnistDataDir,
  oneHot,
  readIdxImages,
  readIdxLabels,
} from './mnist.js';
export { type MnistTensors, mnistTensors } from './tensors.js';
export { epochTimer, formatSeconds, type TrainMnistOptions, trainMnist } from './train.js';
