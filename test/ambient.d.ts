declare module '@tensorflow/tfjs-core/dist/register_all_gradients';
