/**
 * A registry is one table `className → entry(configSchema, create)`. From it come the zod union of
 * `{ className, config }` specs, the factory that validates a spec and builds it, and the list of
 * names, so adding a brick, loss, optimizer, schedule, metric or callback is its file and one line.
 */
import { z } from 'zod';
import { parseConfig } from './config.js';
import { BrickError } from './errors.js';

/** One row of a registry: the config schema and what builds an instance from a validated config. */
export interface RegistryEntry<C extends z.ZodType = z.ZodType, T = unknown> {
  readonly config: C;
  readonly create: (config: z.output<C>) => T;
}

/**
 * Whether a spec must carry `config`: 'required' (layers), 'optional' (left out means `{}` and the
 * parsed spec keeps it absent), or 'prefault' (left out means `{}` and the parsed spec holds the defaults).
 */
export type ConfigPresence = 'required' | 'optional' | 'prefault';

type AnyEntry = { readonly config: z.ZodType; readonly create: (config: never) => unknown };
type Entries = Record<string, AnyEntry>;

type Wrapped<C extends z.ZodType, P extends ConfigPresence> = P extends 'optional'
  ? z.ZodOptional<C>
  : P extends 'prefault'
    ? z.ZodPrefault<C>
    : C;

/** The spec schema of one entry: `{ className: N, config }`, strict. */
export type SpecMember<N extends string, C extends z.ZodType, P extends ConfigPresence> = z.ZodObject<
  { className: z.ZodLiteral<N>; config: Wrapped<C, P> },
  z.core.$strict
>;

/** The zod discriminated union over `className` of every entry's spec. */
export type SpecUnion<E extends Entries, P extends ConfigPresence> = z.ZodDiscriminatedUnion<
  { [K in keyof E & string]: SpecMember<K, E[K]['config'], P> }[keyof E & string][],
  'className'
>;

/** What a registry derives from its table. */
export interface Registry<E extends Entries, P extends ConfigPresence> {
  /** Class names, in table order. */
  readonly names: readonly (keyof E & string)[];
  /** Validates `{ className, config }` specs; its z.input / z.output are the precise spec types. */
  readonly spec: SpecUnion<E, P>;
  /** True when `className` names an entry of the table. */
  has(className: unknown): className is keyof E & string;
  /**
   * Validates a spec and builds it. Errors name the function (`who`) for an unknown className, and
   * the class (with its `config.name` when given) for a bad config: "Dense 'd': units must be ...".
   */
  create(spec: unknown): ReturnType<E[keyof E]['create']>;
}

/**
 * One registry row; `create`'s argument is typed from the schema.
 *
 * @example
 * entry(DenseConfig, (c) => new Dense(c))
 */
export function entry<C extends z.ZodType, T>(config: C, create: (config: z.output<C>) => T): RegistryEntry<C, T> {
  return { config, create };
}

function wrap(config: z.ZodType, presence: ConfigPresence): z.ZodType {
  if (presence === 'optional') return config.optional();
  if (presence === 'prefault') return config.prefault({});
  return config;
}

/**
 * Derives the spec union, the factory and the names from a table. `who` names the factory in its
 * errors ('layerFromSpec').
 *
 * @example
 * const LOSSES = registry('lossFromSpec', {
 *   MeanSquaredError: entry(MeanSquaredErrorConfig, (c) => new MeanSquaredError(c)),
 *   Huber: entry(HuberConfig, (c) => new Huber(c)),
 * }, 'prefault');
 * LOSSES.create({ className: 'Huber', config: { delta: 2 } });
 */
export function registry<const E extends Entries, P extends ConfigPresence = 'required'>(
  who: string,
  entries: E,
  presence: P = 'required' as P,
): Registry<E, P> {
  const names = Object.keys(entries) as (keyof E & string)[];
  if (names.length === 0) throw new BrickError(`${who}: a registry needs at least one entry`, who);
  const members = names.map((className) =>
    z.strictObject({ className: z.literal(className), config: wrap(entries[className]!.config, presence) }),
  );
  const spec = z.discriminatedUnion('className', members as [(typeof members)[number]]) as unknown as SpecUnion<E, P>;
  const has = (className: unknown): className is keyof E & string =>
    typeof className === 'string' && Object.hasOwn(entries, className);

  function create(raw: unknown): ReturnType<E[keyof E]['create']> {
    const className = (raw as { className?: unknown } | null)?.className;
    if (!has(className)) {
      throw new BrickError(
        `${who}: unknown className ${JSON.stringify(className)}, expected one of ${names.join(', ')}`,
        who,
      );
    }
    const { config, ...rest } = raw as { className: string; config?: unknown };
    const extra = Object.keys(rest).filter((k) => k !== 'className');
    if (extra.length > 0) {
      throw new BrickError(
        `${who}: unknown field(s) ${extra.map((k) => `'${k}'`).join(', ')} beside className and config`,
        who,
      );
    }
    const given = (config as { name?: unknown } | null | undefined)?.name;
    const label = typeof given === 'string' ? `${className} '${given}'` : className;
    if (config == null && presence === 'required') {
      throw new BrickError(
        `${label}: config must be an object, received ${config === null ? 'null' : 'nothing'}`,
        label,
      );
    }
    const { config: schema, create: make } = entries[className] as RegistryEntry;
    return make(parseConfig(label, schema, config)) as ReturnType<E[keyof E]['create']>;
  }

  return { names, spec, has, create };
}
