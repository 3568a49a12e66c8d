/**
 * Models from their specs. A functional spec is checked as a graph before any brick exists (unknown or
 * duplicate names, calls that do not exist, cycles, inputs or bricks that reach no output), then built
 * call by call; a brick that cannot take its inputs' shapes (a merge of mismatched shapes) is a named
 * error with its path, and every brick built before it is disposed.
 */
import { BrickError, formatPath, parseConfig } from '@brickml/core';
import { type Brick, callBrick, input, layerFromSpec, type SymbolicTensor } from '@brickml/layers';
import type { Member } from './engine/executor.js';
import { Model } from './model.js';
import { Sequential } from './sequential.js';
import { FunctionalSpec, type TensorRef } from './spec.js';

type FunctionalConfig = ReturnType<typeof FunctionalSpec.parse>['config'];

/**
 * Builds a Sequential or a functional Model from either kind of spec, validated first.
 *
 * @example
 * const model = modelFromSpec(JSON.parse(await readFile('model.json', 'utf8')));
 */
export function modelFromSpec(json: unknown): Model {
  const className = (json as { className?: unknown } | null)?.className;
  if (className === 'Sequential') return Sequential.fromSpec(json);
  if (className === 'Functional') return functionalFromSpec(json);
  throw new BrickError(
    `modelFromSpec: className must be 'Sequential' or 'Functional', received ${JSON.stringify(className)}`,
    'modelFromSpec',
  );
}

const refParts = (ref: TensorRef): [string, number, number] => (typeof ref === 'string' ? [ref, 0, 0] : ref);
const showRef = (ref: TensorRef) => JSON.stringify(ref);

/** A functional model from its spec (see the module comment for what is checked, and when). */
export function functionalFromSpec(json: unknown): Model {
  const who = 'Model.fromSpec';
  const { config } = parseConfig(who, FunctionalSpec, json);
  const fail = (path: (string | number)[], message: string): never => {
    throw new BrickError(`${who}: ${formatPath(['config', ...path])} ${message}`, who);
  };
  checkGraph(config, fail);
  const members = config.layers.map((entry, i) => memberFromEntry(entry, ['config', 'layers', i]));
  const tensors = new Map<string, SymbolicTensor[][]>();
  try {
    const inputs = config.inputs.map((spec) => input(spec));
    config.inputs.forEach((spec, i) => {
      tensors.set(spec.name, [[inputs[i] as SymbolicTensor]]);
    });
    const lookup = (ref: TensorRef) => {
      const [name, call, out] = refParts(ref);
      return tensors.get(name)?.[call]?.[out];
    };
    // Call k of a brick after call k-1: the order the calls were made in, which the spec keeps.
    const done = config.layers.map(() => 0);
    let progress = true;
    while (progress) {
      progress = false;
      for (const [i, entry] of config.layers.entries()) {
        const k = done[i] as number;
        const refs = entry.inbound[k];
        if (!refs || refs.some((r) => lookup(r) === undefined)) continue;
        const ins = refs.map((r) => lookup(r) as SymbolicTensor);
        const member = members[i] as Member;
        let outs: SymbolicTensor[];
        try {
          outs = callMember(member, ins);
        } catch (e) {
          if (!(e instanceof BrickError)) throw e;
          return fail(['layers', i, 'inbound', k], `cannot be applied: ${e.message}`);
        }
        tensors.set(nameOf(entry), [...(tensors.get(nameOf(entry)) ?? []), outs]);
        done[i] = k + 1;
        progress = true;
      }
    }
    // What the graph checks could not count: an output index past what a built brick gives.
    const missing = (ref: TensorRef, path: (string | number)[]) => {
      const [name, call, out] = refParts(ref);
      const have = tensors.get(name)?.[call]?.length ?? 0;
      fail(path, `refers to output ${out} of '${name}', which has ${have}`);
    };
    config.layers.forEach((entry, i) => {
      entry.inbound[done[i] as number]?.forEach((r, j) => {
        if (lookup(r) === undefined) missing(r, ['layers', i, 'inbound', done[i] as number, j]);
      });
    });
    const outputs = config.outputs.map((r, j) => lookup(r) ?? missing(r, ['outputs', j])) as SymbolicTensor[];
    return new Model({ inputs, outputs, ...(config.name && { name: config.name }) });
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
}

const nameOf = (entry: { config: Record<string, unknown> }) => entry.config.name as string;

function memberFromEntry(entry: FunctionalConfig['layers'][number], path: (string | number)[]): Member {
  const { className, config } = entry;
  try {
    if (className === 'Sequential' || className === 'Functional') {
      return modelFromSpec({ format: 'brickml.model', version: 1, className, config }) as unknown as Member;
    }
    return layerFromSpec({ className, config });
  } catch (e) {
    if (!(e instanceof BrickError)) throw e;
    throw new BrickError(`Model.fromSpec: ${formatPath(path)}: ${e.message}`, 'Model.fromSpec');
  }
}

function callMember(member: Member, ins: SymbolicTensor[]): SymbolicTensor[] {
  if (member instanceof Model) {
    const out = member.apply(ins);
    return Array.isArray(out) ? out : [out];
  }
  return callBrick(member as Brick, ins);
}

/** The graph checks that need no brick: names, references, cycles, and what reaches the outputs. */
function checkGraph(config: FunctionalConfig, fail: (path: (string | number)[], message: string) => never): void {
  const index = new Map<string, { kind: 'input' | 'layer'; i: number }>();
  config.inputs.forEach((spec, i) => {
    if (index.has(spec.name)) fail(['inputs', i, 'name'], `'${spec.name}' is used twice`);
    index.set(spec.name, { kind: 'input', i });
  });
  config.layers.forEach((entry, i) => {
    const name = entry.config.name;
    if (typeof name !== 'string' || !name) fail(['layers', i, 'config', 'name'], 'must name the brick');
    if (index.has(name as string)) fail(['layers', i, 'config', 'name'], `'${name}' is used twice`);
    index.set(name as string, { kind: 'layer', i });
  });
  // Outputs per call when the spec says it: a nested Functional's count, 1 for a plain brick; a brick whose
  // config may add outputs (returnState, Bidirectional's mergeMode null) is checked once it is built.
  const outputsOf = (i: number): number => {
    const entry = config.layers[i] as FunctionalConfig['layers'][number];
    const c = entry.config as { outputs?: unknown[]; returnState?: unknown; mergeMode?: unknown; layer?: unknown };
    if (entry.className === 'Functional' && Array.isArray(c.outputs)) return c.outputs.length;
    const inner = (c.layer as { config?: { returnState?: unknown } } | undefined)?.config;
    if (c.returnState === true || c.mergeMode === null || inner?.returnState === true) return Number.POSITIVE_INFINITY;
    return 1;
  };
  // Each call is a node "layer#call"; inputs are nodes "input#0".
  const key = (name: string, call: number) => `${name}#${call}`;
  const edges = new Map<string, string[]>();
  const resolve = (ref: TensorRef, path: (string | number)[]) => {
    const [name, call, out] = refParts(ref);
    const found = index.get(name);
    if (!found) return fail(path, `refers to ${showRef(ref)}, which is neither an input nor a brick of the model`);
    const calls = found.kind === 'input' ? 1 : (config.layers[found.i]?.inbound.length ?? 0);
    if (call >= calls) fail(path, `refers to call ${call} of '${name}', which is called ${calls} time(s)`);
    const outs = found.kind === 'input' ? 1 : outputsOf(found.i);
    if (out >= outs) fail(path, `refers to output ${out} of '${name}', which has ${outs}`);
    return key(name, call);
  };
  config.layers.forEach((entry, i) => {
    entry.inbound.forEach((refs, k) => {
      edges.set(
        key(nameOf(entry), k),
        refs.map((r, j) => resolve(r, ['layers', i, 'inbound', k, j])),
      );
    });
  });
  const outputs = config.outputs.map((r, j) => resolve(r, ['outputs', j]));

  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      const cycle = [...trail.slice(trail.indexOf(node)), node].map((n) => `'${n.split('#')[0]}'`).join(' -> ');
      fail(['layers'], `form a cycle: ${cycle}`);
    }
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const o of outputs) visit(o, []);
  config.inputs.forEach((spec, i) => {
    if (!state.has(key(spec.name, 0))) fail(['inputs', i], `'${spec.name}' reaches no output`);
  });
  config.layers.forEach((entry, i) => {
    entry.inbound.forEach((_, k) => {
      if (!state.has(key(nameOf(entry), k))) {
        fail(['layers', i, 'inbound', k], `call ${k} of '${nameOf(entry)}' reaches no output`);
      }
    });
  });
}
