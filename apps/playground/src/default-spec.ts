/** The model the page starts with: Keras' mnist_mlp, narrower (128 units) so one epoch takes seconds. */
export const DEFAULT_SPEC = {
  format: 'brickml.model',
  version: 1,
  className: 'Sequential',
  config: {
    name: 'mnist_mlp',
    inputShape: [784],
    layers: [
      { className: 'Dense', config: { units: 128, activation: 'relu' } },
      { className: 'Dropout', config: { rate: 0.2 } },
      { className: 'Dense', config: { units: 10, activation: 'softmax' } },
    ],
  },
};

/** The spec as the editor shows it: two-space JSON, with lists of numbers or strings on one line. */
export function specText(json: unknown): string {
  return JSON.stringify(json, null, 2).replace(
    /\[\s*\n\s*([^[\]{}]*?)\s*\n\s*\]/g,
    (_, inner: string) => `[${inner.replace(/,\s*\n\s*/g, ', ')}]`,
  );
}
