import { expect, test } from 'vitest';

// Saving reaches model-from-spec, whose Sequential extends Model: a static import of it from model.ts would
// make Sequential's `extends Model` run before Model exists whenever model.ts is the first module loaded.
test('model.ts loads first without an import cycle reaching a class before it exists', async () => {
  const { Model } = await import('./model.js');
  const { Sequential } = await import('./sequential.js');
  expect(Object.getPrototypeOf(Sequential)).toBe(Model);
});
