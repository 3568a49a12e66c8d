/**
 * The margins ZeroPadding2D adds and Cropping2D removes, in Keras' three forms: m (every side),
 * [h, w] (top = bottom = h, left = right = w) or [[top, bottom], [left, right]]; each of the two
 * entries may itself be a number or a pair.
 */
import { nonNegativeInt } from '@brickml/core';
import { z } from 'zod';

const Side = z.union([nonNegativeInt(), z.tuple([nonNegativeInt(), nonNegativeInt()])]);

export const Margins2D = z.union([nonNegativeInt(), z.tuple([Side, Side])], {
  error: 'must be a non-negative integer, [height, width] or [[top, bottom], [left, right]]',
});
export type Margins2D = z.input<typeof Margins2D>;

/** [[top, bottom], [left, right]] from any of the forms. */
export function margins(m: Margins2D): [[number, number], [number, number]] {
  const side = (s: z.input<typeof Side>): [number, number] => (typeof s === 'number' ? [s, s] : [s[0], s[1]]);
  return typeof m === 'number' ? [side(m), side(m)] : [side(m[0]), side(m[1])];
}
