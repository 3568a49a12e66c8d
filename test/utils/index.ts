export * from './backends.js';
export * from './brick-harness.js';
export * from './grads.js';
export * from './leaks.js';
export * from './losses.js';
export * from './model-grads.js';
export * from './specs.js';
export * from './weights.js';
