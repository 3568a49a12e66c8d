export * from './backends.js';
export * from './grads.js';
export * from './leaks.js';
export * from './losses.js';
export * from './specs.js';
