import { type Brick, layerFromSpec } from '@brickml/layers';
import { expect } from 'vitest';

/** toSpec → JSON → layerFromSpec → toSpec gives the same spec, for a brick of one input or of several. */
export function expectSpecRoundTrip(brick: Brick): void {
  const spec = brick.toSpec();
  const again = layerFromSpec(JSON.parse(JSON.stringify(spec)));
  expect(again.toSpec()).toEqual(spec);
  expect(again.className).toBe(brick.className);
}
