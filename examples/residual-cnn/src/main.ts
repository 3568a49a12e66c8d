/**
 * A small residual CNN on the real MNIST files, wired with the functional API: a 3x3 stride-2 stem, one
 * residual block at 14x14x16 (two 3x3 convolutions with batch normalization, added to the block's input),
 * average pooling, a 1x1 convolution that widens to 32 channels, Dense 10 softmax; Adam with a cosine
 * decay of the learning rate over the whole run; batch 128. About a twelfth of mnist_cnn's multiply-adds.
 * Prints the summary, test accuracy and time per epoch, and writes the learning curves as SVG.
 */
import { parseArgs } from 'node:util';
import { mnistTensors, trainMnist } from '@brickml/datasets';
import {
  Adam,
  Add,
  AveragePooling2D,
  type BackendName,
  BatchNormalization,
  Conv2D,
  CosineDecay,
  Dense,
  Flatten,
  input,
  Model,
  ReLU,
  type SymbolicTensor,
  setSeed,
  useBackend,
} from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '5' },
    batchSize: { type: 'string', default: '128' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '42' },
    svg: { type: 'string', default: 'out/residual-cnn-history.svg' },
    target: { type: 'string' },
  },
});

const info = await useBackend(values.backend as BackendName);
setSeed(Number(values.seed));
console.log(`backend: ${info.name}${info.adapter ? ` (${info.adapter} adapter)` : ''}`);

const { xTrain, yTrain, xTest, yTest } = mnistTensors([28, 28, 1], {
  trainLimit: values.limit ? Number(values.limit) : undefined,
});

/** Conv2D 3x3 'same' then BatchNormalization; the conv has no bias because BN's β takes its place. */
function convBn(x: SymbolicTensor, filters: number, name: string, strides = 1): SymbolicTensor {
  const conv = new Conv2D({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, name: `${name}_conv` });
  return new BatchNormalization({ name: `${name}_bn` }).apply(conv.apply(x));
}

/** y = relu(x + BN(conv(relu(BN(conv(x)))))): the block learns a correction to x, not a replacement. */
function residualBlock(x: SymbolicTensor, name: string): SymbolicTensor {
  const filters = x.shape[x.shape.length - 1] as number;
  const h = new ReLU({ name: `${name}_relu1` }).apply(convBn(x, filters, `${name}_a`));
  const sum = new Add({ name: `${name}_add` }).apply([x, convBn(h, filters, `${name}_b`)]);
  return new ReLU({ name: `${name}_out` }).apply(sum);
}

// Nothing runs at 28x28 but the stem: on wasm, normalizing and max-pooling a full-size 16-channel map cost
// more per step than all the convolutions, so the stem downsamples with its stride instead of a pool, and
// the later pool averages (its backward spreads dy evenly; max pooling's finds each window's argmax again).
const image = input({ shape: [28, 28, 1], name: 'image' });
let x = new ReLU({ name: 'stem_relu' }).apply(convBn(image, 16, 'stem', 2)); // 14x14x16
x = residualBlock(x, 'block_1');
x = new AveragePooling2D({ poolSize: 2, name: 'pool' }).apply(x); // 7x7x16
x = new Conv2D({ filters: 32, kernelSize: 1, activation: 'relu', name: 'widen' }).apply(x); // 7x7x32
x = new Flatten({ name: 'flatten' }).apply(x);
const digit = new Dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(x);

const model = new Model({ inputs: image, outputs: digit, name: 'residual_cnn' });
model.summary();

// The rate falls from 0.002 to 0 along a half cosine over every step of the run: large steps while the
// loss is high, small ones at the end, where a constant rate keeps the accuracy jumping from epoch to epoch.
const epochs = Number(values.epochs);
const batchSize = Number(values.batchSize);
const steps = epochs * Math.ceil((xTrain.shape[0] as number) / batchSize);
const optimizer = new Adam({ learningRate: new CosineDecay({ initialLearningRate: 0.002, decaySteps: steps }) });
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const accuracy = await trainMnist(model, { xTrain, yTrain, xTest, yTest }, { epochs, batchSize, svg: values.svg });
optimizer.dispose(); // passed in, so the model leaves it to us
if (values.target && accuracy < Number(values.target)) process.exitCode = 1;
