/** Named errors and key spelling shared by the Keras config translators. */
import { BrickError } from '@brickml/core';

export type KerasFlavor = 'keras2' | 'keras3';

/** Throws `who: message` as a BrickError that names `who`. */
export function fail(who: string, message: string): never {
  throw new BrickError(`${who}: ${message}`, who);
}

/** A value as an error message quotes it. */
export const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** 'recurrent_kernel' → 'recurrentKernel'. */
export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** 'recurrentKernel' → 'recurrent_kernel'; 'conv2d' stays. */
export const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws `where message` (where ends in the field: `load: Dense 'd': units`) as a BrickError. */
export function failField(where: string, message: string): never {
  throw new BrickError(`${where} ${message}`, where.split(':')[0]);
}
