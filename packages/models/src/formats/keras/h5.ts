/**
 * model.weights.h5 as a plain tree: groups (with their attributes) and datasets (shape, HDF5 type, values).
 * HDF5 itself runs in h5wasm (the HDF5 C library in WebAssembly) on its in-memory file system; its ESM build
 * serves Node and browsers alike and is loaded with import() on first use, so a bundle that never touches
 * a .keras file does not carry its 4 MB.
 */
import { BrickError } from '@brickml/core';

/** Attribute values as Keras writes them: strings (a vars group's `name`) and numbers. */
export type H5Attrs = Record<string, string | number | bigint>;

/** HDF5 element types Keras writes: float32 weights, int64 counters (the optimizer's iterations). */
export type H5Dtype = '<f' | '<q';

export interface H5Dataset {
  shape: number[];
  dtype: H5Dtype;
  values: Float32Array | BigInt64Array;
  attrs: H5Attrs;
}

/** Paths have no leading slash (`layers/dense/vars/0`); the root group is ''. Groups keep creation order. */
export interface H5Tree {
  groups: Map<string, H5Attrs>;
  datasets: Map<string, H5Dataset>;
}

type H5Module = typeof import('h5wasm')['default'];
type H5Group = InstanceType<H5Module['Group']>;
type H5FS = NonNullable<Awaited<H5Module['ready']>['FS']>;

let loading: Promise<{ h5: H5Module; FS: H5FS }> | null = null;
let fileCount = 0;
let muted = 0;

/**
 * Loads h5wasm once. HDF5 prints its error stack through the console.error it finds when it starts; it
 * starts behind a gate, so that reads expected to fail (a damaged file) raise a named error, not a screenful.
 */
async function h5wasm() {
  loading ??= (async () => {
    const original = console.error;
    const gate = (...args: unknown[]) => {
      if (muted === 0) original.apply(console, args);
    };
    // h5wasm's module binds console.error once, at import, and takes no print hook (it makes the module
    // with only noInitialRun), so the gate stands in for console.error just while the import runs, and
    // forwards every call made meanwhile; finally puts the original back even when the import fails.
    console.error = gate;
    try {
      const h5 = (await import('h5wasm')).default;
      const { FS } = await h5.ready;
      if (!FS) throw new Error('h5wasm started without its file system');
      return { h5, FS };
    } finally {
      if (console.error === gate) console.error = original;
    }
  })();
  return loading;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads every group and dataset of an HDF5 file; named errors for bytes that are not one or are cut short. */
export async function readH5(who: string, bytes: Uint8Array): Promise<H5Tree> {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: model.weights.h5 ${message}`, who);
  };
  if (!HDF5_SIGNATURE.every((b, i) => bytes[i] === b))
    fail('must be an HDF5 file, its first 8 bytes are not the HDF5 signature');
  const { h5, FS } = await h5wasm();
  const path = `/brickml-read-${++fileCount}.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<H5Module['File']> | null = null;
  try {
    file = quietly(() => new h5.File(path, 'r'));
    if (!file || Number(file.file_id) < 0) fail('cannot be opened: it is damaged or cut short');
    const tree: H5Tree = { groups: new Map(), datasets: new Map() };
    const walk = (group: H5Group, prefix: string) => {
      tree.groups.set(prefix, readAttrs(group));
      for (const key of group.keys()) {
        const at = prefix ? `${prefix}/${key}` : key;
        const child = quietly(() => group.get(key));
        if (child instanceof h5.Group) walk(child, at);
        else if (child instanceof h5.Dataset) tree.datasets.set(at, readDataset(who, at, child));
        else fail(`holds '${at}', which is neither a group nor a dataset, or cannot be read`);
      }
    };
    walk(file as H5Group, '');
    return tree;
  } catch (e) {
    if (e instanceof BrickError) throw e;
    return fail(`cannot be read: it is damaged or cut short (${(e as Error).message})`);
  } finally {
    const opened = file;
    if (opened && Number(opened.file_id) >= 0) quietly(() => opened.close());
    FS.unlink(path);
  }
}

function readAttrs(o: { attrs: Record<string, { value: unknown }> }): H5Attrs {
  const attrs: H5Attrs = {};
  for (const [k, a] of Object.entries(o.attrs)) {
    const v = a.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') attrs[k] = v;
  }
  return attrs;
}

function readDataset(who: string, path: string, d: InstanceType<H5Module['Dataset']>): H5Dataset {
  const shape = d.shape ?? [];
  const value = quietly(() => d.value);
  const attrs = readAttrs(d);
  if (typeof attrs.dtype === 'string' && attrs.dtype !== 'float32') {
    throw new BrickError(`${who}: weight '${path}' must be float32, received ${attrs.dtype}`, who);
  }
  if (value instanceof BigInt64Array) return { shape, dtype: '<q', values: value, attrs };
  if (value instanceof Float32Array || value instanceof Float64Array) {
    return { shape, dtype: '<f', values: Float32Array.from(value), attrs };
  }
  if (typeof value === 'number') return { shape, dtype: '<f', values: Float32Array.of(value), attrs };
  if (typeof value === 'bigint') return { shape, dtype: '<q', values: BigInt64Array.of(value), attrs };
  throw new BrickError(`${who}: weight '${path}' must hold floating-point numbers, received HDF5 type ${d.dtype}`, who);
}

/** An HDF5 file holding the tree: groups created in the map's order, each dataset after its group. */
export async function writeH5(tree: H5Tree): Promise<Uint8Array<ArrayBuffer>> {
  const { h5, FS } = await h5wasm();
  const path = `/brickml-write-${++fileCount}.h5`;
  let file: InstanceType<H5Module['File']> | null = null;
  try {
    file = new h5.File(path, 'w');
    const groups = new Map<string, H5Group>([['', file as H5Group]]);
    const groupAt = (p: string): H5Group => {
      const known = groups.get(p);
      if (known) return known;
      const cut = p.lastIndexOf('/');
      const g = groupAt(cut < 0 ? '' : p.slice(0, cut)).create_group(p.slice(cut + 1));
      groups.set(p, g);
      return g;
    };
    const setAttrs = (o: H5Group | InstanceType<H5Module['Dataset']>, attrs: H5Attrs) => {
      for (const [k, v] of Object.entries(attrs)) o.create_attribute(k, typeof v === 'bigint' ? Number(v) : v);
    };
    for (const [p, attrs] of tree.groups) setAttrs(groupAt(p), attrs);
    for (const [p, d] of tree.datasets) {
      const cut = p.lastIndexOf('/');
      const ds = groupAt(cut < 0 ? '' : p.slice(0, cut)).create_dataset({
        name: p.slice(cut + 1),
        data: d.values,
        shape: d.shape,
        dtype: d.dtype,
      });
      setAttrs(ds, d.attrs);
    }
    file.flush();
    file.close();
    file = null;
    return new Uint8Array(FS.readFile(path));
  } finally {
    // A write that failed part way still closes the file, or HDF5 keeps it open for the process's life.
    const open = file;
    if (open && Number(open.file_id) >= 0) quietly(() => open.close());
    if (FS.analyzePath(path).exists) FS.unlink(path);
  }
}

/** Runs an h5wasm call with HDF5's own error printing switched off (failures become exceptions here). */
function quietly<T>(f: () => T): T {
  muted++;
  try {
    return f();
  } finally {
    muted--;
  }
}
