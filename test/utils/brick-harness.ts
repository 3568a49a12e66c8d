import { type BackendName, BrickError, concreteShape, type Shape, setSeed } from '@brickml/core';
import type { Brick } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { forEachBackend } from './backends.js';
import { expectBackwardMatchesAutodiff, expectFiniteDifferences } from './grads.js';
import { expectNoLeak } from './leaks.js';
import { expectSpecRoundTrip } from './specs.js';

/** A check left out, and why; `on` names the backends (absent: every backend). */
export interface Skip {
  on?: readonly BackendName[];
  because: string;
}

interface CaseOptions<C> {
  /** Words after "backward" in the test's name: 'with relu', '(3x3 valid)'. Default: none. */
  title?: string;
  config: C;
  /** Forward in training mode. Default false. */
  training?: boolean;
  /** Examples in the batch. Default 2. */
  batchSize?: number;
  /** The input to check at, made for each test and disposed after. Default: uniform in ±[0.1, 1]. */
  input?: () => tf.Tensor | tf.Tensor[];
  /** A [batch, time] mask handed to forward (bricks with `supportsMasking`), made for each test. Default: none. */
  mask?: () => tf.Tensor;
  /** Finite-difference step. Default 1e-2. */
  epsilon?: number;
  /** Largest relative error against finite differences. Default 2e-2. */
  tolerance?: number;
  /** Largest relative error against tfjs autodiff. Default 1e-3. */
  autodiffTolerance?: number;
  /** Where tfjs autodiff is a wrong or missing oracle: finite differences alone check the case there. */
  skipAutodiff?: Skip;
  /** Where the case does not run at all. */
  skip?: Skip;
  /** The output shape (no batch axis) the brick builds to. */
  outputShape?: Shape;
}

/** One configuration whose backward pass every backend checks, for one input or for several. */
export type GradCase<C> = CaseOptions<C> &
  ({ inputShape: Shape; inputShapes?: never } | { inputShapes: readonly Shape[]; inputShape?: never });

interface Refusal {
  /** What is refused, in plain words; the test reads "rejects <rejects>". */
  rejects: string;
  /** The exact message, or a pattern where part of the message is zod's or the schema's wording. */
  message: string | RegExp;
}

/** A config refused by the constructor, else by `build` on `build`, else by `forward` on ones of `forward`. */
interface ConfigRefusal<C> extends Refusal {
  config: C;
  /** The input shape (no batch axis; for several inputs, one each) to build for. */
  build?: Shape | readonly Shape[];
  /** The full input shape (with the batch axis; for several inputs, one each) to run forward on. */
  forward?: Shape | readonly Shape[];
}

/** Any other call that must refuse; tensors it makes are disposed, variables are not. */
interface CallRefusal extends Refusal {
  run: () => unknown;
}

/** A mistake the brick refuses with a BrickError. */
export type ErrorCase<C> = ConfigRefusal<C> | CallRefusal;

export interface BrickSuite<C> {
  /** The brick's class. */
  brick: new (
    config: C,
  ) => Brick;
  /** setSeed(seed) before each brick is made, so its drawn initial weights repeat. */
  seed?: number;
  cases: readonly GradCase<NoInfer<C>>[];
  /** Autodiff left out for every case, besides each case's own `skipAutodiff`. */
  skipAutodiff?: Skip;
  /** Configs whose spec must survive toSpec → JSON → layerFromSpec. */
  spec: readonly NoInfer<C>[];
  errors?: readonly ErrorCase<NoInfer<C>>[];
}

const applies = (skip: Skip | undefined, backend: BackendName) =>
  skip !== undefined && (skip.on === undefined || skip.on.includes(backend));

const shapesOf = (c: GradCase<unknown>) => (c.inputShapes ?? c.inputShape) as Shape | readonly Shape[];

const build = (brick: Brick, shapes: Shape | readonly Shape[]) =>
  (brick.build as (s: Shape | readonly Shape[]) => Shape)(shapes);

/** Throws unless `run` throws a BrickError with this message; tensors made inside are disposed. */
export function expectBrickError(run: () => unknown, message: string | RegExp): void {
  let thrown: unknown;
  try {
    tf.tidy(() => {
      run();
    });
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'a BrickError').toBeInstanceOf(BrickError);
  const text = (thrown as Error).message;
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message);
}

/** Forward and backward of one case inside tf.tidy, after a warm-up, leave no tensor behind. */
async function expectCaseNoLeak(brick: Brick, c: GradCase<unknown>): Promise<void> {
  const shapes = shapesOf(c);
  const outputShape = build(brick, shapes);
  const random = (shape: Shape, seed: number) =>
    tf.randomUniform([c.batchSize ?? 2, ...concreteShape(shape, 3)], -1, 1, 'float32', seed);
  const xs = c.input?.() ?? (brick.multiInput ? (shapes as Shape[]).map(random) : random(shapes as Shape, 0));
  const batch = (Array.isArray(xs) ? xs[0] : xs)?.shape[0] ?? 2;
  const dy = tf.randomUniform([batch, ...concreteShape(outputShape, 3)], -1, 1, 'float32', 9);
  const mask = c.mask?.();
  const opts = { training: c.training ?? false, ...(mask && { mask }) };
  const what = `${[brick.className, c.title].filter(Boolean).join(' ')}: tensors left behind`;
  await expectNoLeak(
    () => {
      tf.tidy(() => {
        if (brick.multiInput) brick.backward(dy, brick.forward(xs as tf.Tensor[], opts).cache);
        else brick.backward(dy, brick.forward(xs as tf.Tensor, opts).cache);
      });
    },
    { what },
  );
  tf.dispose([xs, dy, mask ?? []].flat());
}

/** The backward pass of one case against autodiff (unless skipped here) and finite differences. */
function gradientTest<C>(suite: BrickSuite<C>, c: GradCase<C>, backend: BackendName): void {
  const backward = c.title ? `backward ${c.title}` : 'backward';
  const autodiffSkip = [suite.skipAutodiff, c.skipAutodiff].find((s) => applies(s, backend));
  const name = autodiffSkip
    ? `${backward} matches finite differences (autodiff skipped: ${autodiffSkip.because})`
    : `${backward} matches autodiff and finite differences`;
  if (applies(c.skip, backend)) {
    test.skip(`${name} (skipped: ${c.skip?.because})`, () => {});
    return;
  }
  test(name, async () => {
    const brick = make(suite, c.config);
    const input = c.input?.();
    const mask = c.mask?.();
    const shapes = shapesOf(c);
    const options = { training: c.training, batchSize: c.batchSize, input, mask };
    try {
      if (!autodiffSkip) {
        await expectBackwardMatchesAutodiff(brick, shapes, { ...options, tolerance: c.autodiffTolerance });
      }
      await expectFiniteDifferences(brick, shapes, { ...options, epsilon: c.epsilon, tolerance: c.tolerance });
      if (c.outputShape) expect(brick.outputShape, 'output shape').toEqual(c.outputShape);
    } finally {
      tf.dispose([input ?? [], mask ?? []].flat());
      brick.dispose();
    }
  });
}

/** Makes the brick of an error case, then builds it and runs it forward where the case says so. */
function attempt<C>(suite: BrickSuite<C>, e: ConfigRefusal<C>): void {
  const brick = make(suite, e.config);
  try {
    if (e.build) build(brick, e.build);
    if (!e.forward) return;
    const opts = { training: false };
    const ones = (shape: Shape) => tf.ones(concreteShape(shape, 3));
    if (brick.multiInput) brick.forward((e.forward as Shape[]).map(ones), opts);
    else brick.forward(ones(e.forward as Shape), opts);
  } finally {
    brick.dispose();
  }
}

function make<C>(suite: BrickSuite<C>, config: C): Brick {
  if (suite.seed !== undefined) setSeed(suite.seed);
  return new suite.brick(config);
}

/**
 * The checks every brick owes, in one call: on every test backend, each case's backward pass against
 * tfjs autodiff and central finite differences, and forward + backward leaving no tensor behind; once,
 * each spec config's round trip and each refused mistake's BrickError with its exact message. What is
 * special about a brick goes in its own tests beside this.
 *
 * @example
 * describeBrick('LeakyReLU', {
 *   brick: LeakyReLU,
 *   cases: [{ config: { negativeSlope: 0.2 }, inputShape: [3, 2] }],
 *   spec: [{ negativeSlope: 0.01 }],
 *   errors: [{ rejects: 'a negative slope', config: { name: 'l', negativeSlope: -1 }, message: "LeakyReLU 'l': ..." }],
 * });
 */
export function describeBrick<C>(name: string, suite: BrickSuite<C>): void {
  describe(name, () => {
    forEachBackend((backend) => {
      for (const c of suite.cases) gradientTest(suite, c, backend);
      test('leaks no tensor through forward and backward', async () => {
        for (const c of suite.cases.filter((c) => !applies(c.skip, backend))) {
          const brick = make(suite, c.config);
          await expectCaseNoLeak(brick, c);
          brick.dispose();
        }
      });
    });
    for (const config of suite.spec) {
      test(`round-trips its spec ${JSON.stringify(config)}`, () => {
        expectSpecRoundTrip(make(suite, config));
      });
    }
    for (const e of suite.errors ?? []) {
      test(`rejects ${e.rejects}`, () => {
        expectBrickError('run' in e ? e.run : () => attempt(suite, e), e.message);
      });
    }
  });
}
