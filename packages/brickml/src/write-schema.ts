/**
 * Writes schema/*.json from the zod schemas (run by the package's build: `pnpm --filter brickml schema`).
 * A test checks that the shipped files equal what this writes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonSchemas } from './json-schema.js';

const dir = join(import.meta.dirname, '..', 'schema');
for (const [name, text] of Object.entries(jsonSchemas())) {
  await writeFile(join(dir, name), text);
  console.log(`wrote ${join('schema', name)}`);
}
