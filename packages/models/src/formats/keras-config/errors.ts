/** Named errors shared by the Keras config translators. */
import { BrickError } from '@brickml/core';

export type KerasFlavor = 'keras2' | 'keras3';

/** Throws `who: message` as a BrickError that names `who`. */
export function fail(who: string, message: string): never {
  throw new BrickError(`${who}: ${message}`, who);
}

/** A value as an error message quotes it. */
export const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Throws `where message` (where ends in the field: `load: Dense 'd': units`) as a BrickError. */
export function failField(where: string, message: string): never {
  throw new BrickError(`${where} ${message}`, where.split(':')[0]);
}
