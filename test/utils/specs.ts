import { type Layer, layerFromSpec } from '@brickml/layers';
import { expect } from 'vitest';

/** toSpec → JSON → layerFromSpec → toSpec gives the same spec. */
export function expectSpecRoundTrip(layer: Layer): void {
  const spec = layer.toSpec();
  const again = layerFromSpec(JSON.parse(JSON.stringify(spec)));
  expect(again.toSpec()).toEqual(spec);
  expect(again.className).toBe(layer.className);
}
