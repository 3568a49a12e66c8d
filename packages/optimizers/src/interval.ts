/**
 * Numbers confined to an interval of [0, 1], with the interval written into the error as a reader
 * would write it: "beta1 must be in [0, 1), received 1".
 */
import { z } from 'zod';

export type UnitInterval = '[0, 1]' | '[0, 1)' | '(0, 1]';

/** A number in `interval`: '[0, 1)' for decay rates, '[0, 1]' for momenta and fractions. */
export function inInterval(interval: UnitInterval) {
  const error = `must be in ${interval}`;
  const n = z.number({ error: 'must be a number' });
  const low = interval.startsWith('[') ? n.min(0, { error }) : n.gt(0, { error });
  return interval.endsWith(']') ? low.max(1, { error }) : low.lt(1, { error });
}
