/**
 * A model's weights and model.weights.h5's tree (see weights-layout.ts for where each one sits). Reading
 * checks the whole file against the model before any weight changes. The optimizer's variables are left
 * out both ways: Keras lists them in its own optimizer's order, which brickml's optimizers do not share;
 * brickml's format is the one that carries optimizer state.
 */
import { BrickError, formatShape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../model.js';
import { KERAS3_OPTIMIZERS } from '../keras-config/training-config.js';
import type { H5Tree } from './h5.js';
import { kerasVarsGroups, type VarsGroup } from './weights-layout.js';

const describe = (g: VarsGroup, key: string) =>
  g.brick ? `${g.brick.className} '${g.brick.name}' weight '${key}'` : `'${g.name}' weight '${key}'`;

/**
 * The model's weights as Keras 3 lays them out, each vars group with its `name` attribute; a compiled
 * model's (empty) optimizer group too, unless the optimizer is left out.
 */
export async function kerasWeightsTree(model: Model, { includeOptimizer = true } = {}): Promise<H5Tree> {
  const tree: H5Tree = { groups: new Map(), datasets: new Map() };
  const groups = kerasVarsGroups(model);
  const values = await Promise.all(groups.flatMap((g) => g.weights.map((w) => w.variable.data())));
  let at = 0;
  for (const g of groups) {
    // Keras creates each parent group on the way to `<path>/vars`; the root's vars group is `vars`.
    const parts = g.path ? g.path.split('/') : [];
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!tree.groups.has(p)) tree.groups.set(p, {});
    }
    const vars = g.path ? `${g.path}/vars` : 'vars';
    tree.groups.set(vars, { name: g.name });
    g.weights.forEach((w, i) => {
      tree.datasets.set(`${vars}/${i}`, {
        shape: [...w.variable.shape],
        dtype: '<f',
        values: Float32Array.from(values[at++] as Float32Array),
        attrs: {},
      });
    });
  }
  if (includeOptimizer && model.isCompiled) {
    tree.groups.set('optimizer', {});
    tree.groups.set('optimizer/vars', {
      name: KERAS3_OPTIMIZERS[model.optimizer.className] ?? model.optimizer.className,
    });
  }
  return tree;
}

/**
 * Assigns every weight of the model from the tree, after checking that each vars group holds exactly the
 * datasets the model's layer has, each of the right shape, and that the file holds no layer weights the
 * model lacks: a named error before any weight changes otherwise.
 */
export function assignKerasWeights(who: string, model: Model, tree: H5Tree): void {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  // Keras 2.13-2.15 wrote `.keras` files with the layers under `_layer_checkpoint_dependencies`.
  const legacy = !tree.groups.has('layers') && tree.groups.has('_layer_checkpoint_dependencies');
  const fileVars = (path: string) => {
    const vars = path ? `${path}/vars` : 'vars';
    return legacy ? vars.replace(/(^|\/)layers\//g, '$1_layer_checkpoint_dependencies/') : vars;
  };
  const used = new Set<string>();
  const assignments: { variable: tf.Variable; values: Float32Array }[] = [];
  for (const g of kerasVarsGroups(model)) {
    const vars = fileVars(g.path);
    g.weights.forEach((w, i) => {
      const path = `${vars}/${i}`;
      const d = tree.datasets.get(path) ?? fail(`model.weights.h5 has no dataset '${path}' for ${describe(g, w.key)}`);
      const want = w.variable.shape;
      if (d.dtype !== '<f') fail(`model.weights.h5 '${path}' must hold float32 numbers for ${describe(g, w.key)}`);
      if (d.shape.length !== want.length || d.shape.some((n, j) => n !== want[j])) {
        fail(
          `${describe(g, w.key)} must have shape ${formatShape(want)}, model.weights.h5 '${path}' has ${formatShape(d.shape)}`,
        );
      }
      used.add(path);
      assignments.push({ variable: w.variable, values: d.values as Float32Array });
    });
  }
  for (const path of tree.datasets.keys()) {
    if (used.has(path) || path.startsWith('optimizer/')) continue;
    fail(`model.weights.h5 holds '${path}', which no weight of the model matches (the model has ${used.size} weights)`);
  }
  tf.tidy(() => {
    for (const a of assignments) a.variable.assign(tf.tensor(a.values, a.variable.shape, 'float32'));
  });
}
