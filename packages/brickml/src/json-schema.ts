/**
 * JSON Schemas of brickml's JSON files, generated from the zod schemas that validate them, so editors
 * complete and check a file that names one in `"$schema"`. The build writes them to schema/*.json.
 */
import { LayerSpec } from '@brickml/layers';
import { FunctionalSpec, SequentialSpec } from '@brickml/models';
import { z } from 'zod';
import { CsvSource, MnistSource, NpySource } from './data-source.js';
import { TrainingSpec } from './training-spec.js';

const $schema = { $schema: z.string().optional() };

/** Each shipped schema: its file name in schema/, a title, and the zod schema it is generated from. */
const SCHEMAS = {
  'training.json': {
    title: 'brickml training file',
    description: 'What `brickml fit` runs: a model, compile, fit, data and output.',
    schema: TrainingSpec,
  },
  'model.json': {
    title: 'brickml model spec',
    description: 'A Sequential or functional model, as model.toSpec() writes it and modelFromSpec reads it.',
    schema: z.discriminatedUnion('className', [SequentialSpec.extend($schema), FunctionalSpec.extend($schema)]),
  },
  'layer.json': {
    title: 'brickml layer spec',
    description: "One brick's { className, config }.",
    schema: LayerSpec,
  },
  'data.json': {
    title: 'brickml data source',
    description: 'Examples for `brickml evaluate`: MNIST, a CSV file or two .npy files.',
    schema: z.discriminatedUnion('kind', [
      MnistSource.extend($schema),
      CsvSource.extend($schema),
      NpySource.extend($schema),
    ]),
  },
} as const;

/** The file names `jsonSchemas` returns, in order. */
export const SCHEMA_FILES = Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[];

/**
 * Every schema as the text of its file (draft-07, which editors support most widely). A value JSON cannot
 * hold (an Optimizer object passed in code) becomes `{ "not": {} }`: no document matches it.
 *
 * @example
 * for (const [name, text] of Object.entries(jsonSchemas())) writeFileSync(`schema/${name}`, text);
 */
export function jsonSchemas(): Record<string, string> {
  return Object.fromEntries(
    SCHEMA_FILES.map((file) => {
      const { title, description, schema } = SCHEMAS[file];
      const json = z.toJSONSchema(schema, {
        target: 'draft-07',
        io: 'input',
        reused: 'ref',
        unrepresentable: () => ({ not: {} }),
      });
      const { $schema: draft, ...body } = json;
      return [file, `${JSON.stringify({ $schema: draft, title, description, ...body }, null, 2)}\n`];
    }),
  );
}
