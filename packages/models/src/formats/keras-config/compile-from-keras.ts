/** A loaded model compiled as its Keras training config says, or left uncompiled with a warning saying why. */
import { BrickError } from '@brickml/core';
import { optimizerFromSpec } from '@brickml/optimizers';
import { type CompileArgs, makeMetrics, resolveOutputs } from '../../engine/compile.js';
import type { Model } from '../../model.js';
import type { KerasFlavor } from './errors.js';
import { compileArgsFromKeras } from './training-config.js';

/**
 * Compiles the model as its training config says. As Keras loads a model whose training config it cannot
 * restore, the model stays uncompiled otherwise, with a warning saying why (the loss, optimizer, metric
 * or setting brickml lacks). Every part is made and checked (then disposed) before compile, so a part
 * brickml lacks leaves the model as it was; an error that is not brickml's own is thrown.
 */
export function compileFromKeras(who: string, model: Model, config: unknown, flavor: KerasFlavor): void {
  const args = compileArgsFromKeras(config, flavor);
  if (args === null) return;
  const uncompiled = (why: string) => console.warn(`${who}: the model loads uncompiled: ${why}`);
  if ('why' in args) {
    uncompiled(args.why);
    return;
  }
  try {
    checkCompileArgs(who, model, args.value);
    model.compile(args.value);
  } catch (e) {
    if (!(e instanceof BrickError)) throw e;
    uncompiled(e.message);
  }
}

/** Makes every optimizer, loss and metric the arguments name, then disposes them: named errors first. */
function checkCompileArgs(who: string, model: Model, args: CompileArgs): void {
  const outputs = resolveOutputs(who, model.outputNames, args);
  optimizerFromSpec(args.optimizer).dispose();
  outputs.forEach((o, i) => {
    for (const m of makeMetrics(o, model.outputShapes[i]?.at(-1) ?? undefined)) m.dispose();
  });
}
