import { type BackendName, useBackend } from '@brickml/core';
import { afterAll, beforeAll, describe } from 'vitest';

/** Backends the gradient checks run on; BRICKML_TEST_BACKENDS=cpu,wasm narrows them. */
export const TEST_BACKENDS: BackendName[] = (process.env.BRICKML_TEST_BACKENDS ?? 'cpu,wasm,webgpu')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as BackendName[];

/**
 * Runs `body` once per test backend inside a describe block named for it; the backend is selected
 * before the block's tests and cpu is restored after. Keep webgpu shapes small: CI runs it on Mesa.
 */
export function forEachBackend(body: (backend: BackendName) => void, backends: BackendName[] = TEST_BACKENDS): void {
  for (const backend of backends) {
    describe(`on ${backend}`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      afterAll(async () => {
        await useBackend('cpu');
      });
      body(backend);
    });
  }
}
