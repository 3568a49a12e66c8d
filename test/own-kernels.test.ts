/**
 * brickml's own kernels (packages/core/src/webgpu-kernels.ts, wasm-kernels.ts) against what they replace:
 * element-wise formulas against the same tfjs ops (on wasm bit for bit), dropout masks against the CPU draws
 * of the same stream, and the optimizers' updates with the kernels on and off. On cpu the formulas are
 * those ops.
 */
import { formula as F, Random, setOwnKernels } from '@brickml/core';
import { Adam, AdamW, type Optimizer, RMSprop, SGD } from '@brickml/optimizers';
import { expectNoLeak, forEachBackend, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test } from 'vitest';

/** Fixed values in [-1, 1) with none at 0, so square roots and quotients stay finite. */
const values = (size: number, seed: number) =>
  Float32Array.from(new Random(seed).uniformArray(size, -1, 1), (v) => (Math.abs(v) < 0.05 ? 0.5 : v));

describe('element-wise formulas', () => {
  test('WGSL names inputs x0, x1, … and numbers uniforms k0, k1, … in the order written', () => {
    const [a, b] = [F.inputOf(0), F.inputOf(1)];
    const f = F.sub(a, F.div(F.mul(b, F.constant(0.01)), F.add(F.sqrt(F.square(b)), F.constant(1e-7))));
    expect(F.formulaToWGSL(f)).toEqual({
      code: '(x0 - ((x1 * uniforms.k0) / (sqrt((x1 * x1)) + uniforms.k1)))',
      constants: [0.01, 1e-7],
      inputs: 2,
      results: 0,
    });
    expect(F.formulaToWGSL(F.maximum(F.abs(a), b)).code).toBe('max(abs(x0), x1)');
  });

  test('runFormulas refuses a formula that reads a result not made before it, and runFormula one that reads any', () => {
    const x = tf.tensor1d([1, 2]);
    const [a, r0, r1] = [F.inputOf(0), F.resultOf(0), F.resultOf(1)];
    expect(() => F.runFormulas([F.add(a, r1), a], [x])).toThrow(
      'formula 0 reads result 1, which is not made before it',
    );
    expect(() => F.runFormulas([a, F.mul(r0, r1)], [x])).toThrow('formula 1 reads result 1');
    expect(() => F.runFormula(F.add(a, r0), [x])).toThrow(
      'a formula that reads results (resultOf) runs in runFormulas',
    );
    x.dispose();
  });

  afterEach(() => setOwnKernels(true));

  forEachBackend((backend) => {
    const [a, b, c] = [F.inputOf(0), F.inputOf(1), F.inputOf(2)];
    const formulas: [string, F.Formula][] = [
      ['an Adam-like step', F.sub(a, F.div(F.mul(b, F.constant(0.003)), F.add(F.sqrt(F.abs(c)), F.constant(1e-7))))],
      ['a running mean of squares', F.add(F.mul(b, F.constant(0.9)), F.mul(F.square(a), F.constant(0.1)))],
      ['a maximum', F.maximum(a, F.sub(c, b))],
      ["relu' from relu's output", F.mul(a, F.step(F.sub(b, F.constant(0.25))))],
    ];

    test(`runFormula equals the same tfjs ops, on shapes that do not fill a workgroup and on random shapes (${backend})`, async () => {
      const r = new Random(9);
      const drawn = Array.from({ length: 3 }, () => [1 + r.int(300), 1 + r.int(7)]);
      for (const shape of [[7], [3, 67], [130, 9], ...drawn]) {
        const size = shape[0]! * (shape[1] ?? 1);
        const xs = [1, 2, 3].map((seed) => tf.tensor(values(size, seed), shape));
        for (const [what, f] of formulas) {
          const inputs = xs.slice(0, F.formulaToWGSL(f).inputs);
          const fused = F.runFormula(f, inputs);
          const ops = F.evaluateFormula(f, inputs);
          expect(fused.shape, what).toEqual(shape);
          // wasm's kernel rounds as the op chain does (no fused multiply-add): bit for bit
          const limit = backend === 'webgpu' ? 1e-6 : 0;
          expect(await maxDiff(fused, ops), `${what}, shape [${shape}]`).toBeLessThanOrEqual(limit);
          tf.dispose([fused, ops]);
        }
        tf.dispose(xs);
      }
    });

    test(`step is tf.step(x, 0) on zeros of both signs, the smallest floats, infinities and NaN (${backend})`, async () => {
      const special = [Number.NaN, -0, 0, 1e-45, -1e-45, 1.5, -2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
      // 9 floats, two whole vectors and a scalar tail on wasm: each value takes each place once
      for (let turn = 0; turn < special.length; turn++) {
        const x = tf.tensor1d([...special.slice(turn), ...special.slice(0, turn)]);
        const ours = F.runFormula(F.step(a), [x]);
        const theirs = tf.step(x, 0);
        const [got, want] = [Array.from(await ours.data()), Array.from(await theirs.data())];
        // WGSL does not promise to keep NaN through a comparison
        const kept = (v: number[]) =>
          backend === 'webgpu' ? v.filter((_, i) => (i + turn) % special.length !== 0) : v;
        expect(kept(got), `turned by ${turn}`).toEqual(kept(want));
        tf.dispose([x, ours, theirs]);
      }
      const x = tf.tensor1d(special);
      expect(Array.from(await tf.step(x, 0).data())).toEqual([Number.NaN, 0, 0, 1, 0, 1, 0, 1, 0]);
      x.dispose();
    });

    // An Adam-like chain: two slots, then a weight from both new slots; the last input is read by the last formula.
    const [r0, r1] = [F.resultOf(0), F.resultOf(1)];
    const chain = [
      F.add(b, F.mul(F.sub(a, b), F.constant(0.1))),
      F.maximum(F.abs(a), F.sub(r0, F.constant(0.25))),
      F.sub(c, F.div(F.mul(r0, F.constant(0.003)), F.add(F.sqrt(r1), F.constant(1e-7)))),
    ];
    /** The chain as tfjs ops, one formula after another. */
    const chainOps = (xs: tf.Tensor[]) => {
      const r: tf.Tensor[] = [];
      r.push(F.evaluateFormula(chain[0]!, xs));
      r.push(F.evaluateFormula(F.maximum(F.abs(a), F.sub(F.inputOf(3), F.constant(0.25))), [...xs, r[0]!]));
      r.push(
        F.evaluateFormula(
          F.sub(c, F.div(F.mul(F.inputOf(3), F.constant(0.003)), F.add(F.sqrt(F.inputOf(4)), F.constant(1e-7)))),
          [...xs, r[0]!, r[1]!],
        ),
      );
      return r;
    };

    test(`runFormulas gives each formula's result, later ones reading earlier ones, as the same tfjs ops (${backend})`, async () => {
      const r = new Random(11);
      const drawn = Array.from({ length: 3 }, () => [1 + r.int(300), 1 + r.int(7)]);
      for (const shape of [[1], [7], [3, 67], [130, 9], ...drawn]) {
        const size = shape[0]! * (shape[1] ?? 1);
        const xs = [1, 2, 3].map((seed) => tf.tensor(values(size, seed), shape));
        const fused = F.runFormulas(chain, xs);
        const ops = tf.tidy(() => chainOps(xs));
        expect(fused.length).toBe(3);
        for (const [k, y] of fused.entries()) {
          expect(y.shape).toEqual(shape);
          const limit = backend === 'webgpu' ? 1e-6 : 0;
          expect(await maxDiff(y, ops[k]!), `result ${k}, shape [${shape}]`).toBeLessThanOrEqual(limit);
        }
        tf.dispose([...xs, ...fused, ...ops]);
      }
    });

    test(`runFormulas is one kernel on wasm, one per formula on webgpu, and leaves no tensor behind (${backend})`, async () => {
      const xs = [1, 2, 3].map((seed) => tf.tensor(values(40, seed), [40]));
      const info = await tf.profile(() => F.runFormulas(chain, xs));
      const names = info.kernels.map((k) => k.name);
      tf.dispose(info.result as tf.Tensor[]);
      if (backend === 'wasm') expect(names).toEqual(['BrickmlFormula']);
      if (backend === 'webgpu') expect(names).toEqual(['BrickmlFormula', 'BrickmlFormula', 'BrickmlFormula']);
      if (backend === 'cpu') expect(names).toContain('Maximum');
      await expectNoLeak(async () => {
        const ys = F.runFormulas(chain, xs);
        await ys[2]!.data();
        tf.dispose(ys);
      });
      tf.dispose(xs);
    });

    test(`a formula and a mask are one kernel call of brickml's own on wasm and webgpu (${backend})`, async () => {
      const xs = [1, 2, 3].map((seed) => tf.tensor(values(40, seed), [40]));
      // tf.profile hands back one shared object: copy what it says before the next profile
      const named = async (f: () => tf.Tensor) => {
        const info = await tf.profile(f);
        const names = [...info.kernelNames];
        (info.result as tf.Tensor).dispose();
        return names;
      };
      const formula = await named(() => F.runFormula(formulas[0]![1], xs));
      const mask = await named(() => new Random(3).bernoulliMask([40], 0.5));
      const own = backend !== 'cpu';
      expect(formula).toEqual(own ? ['BrickmlFormula'] : ['Multiply', 'Abs', 'Sqrt', 'Add', 'RealDiv', 'Sub']);
      expect(mask).toEqual(own ? ['BrickmlBernoulli'] : []);
      tf.dispose(xs);
    });

    const program = backend === 'webgpu' ? ', and a new constant needs no new webgpu program' : '';
    test(`a formula leaves no tensor behind${program} (${backend})`, async () => {
      const xs = [1, 2, 3].map((seed) => tf.tensor(values(40, seed), [40]));
      let lr = 0.001;
      const step = () => {
        lr *= 2;
        const y = F.runFormula(F.sub(a, F.mul(b, F.constant(lr))), xs.slice(0, 2));
        return y.data().then(() => y.dispose());
      };
      await expectNoLeak(step);
      if (backend === 'webgpu') {
        // constants are uniforms: a shader that baked them in would compile a pipeline per learning rate
        const cache = (tf.backend() as unknown as { pipelineCache: object }).pipelineCache;
        const programs = Object.keys(cache).length;
        await step();
        expect(Object.keys(cache).length).toBe(programs);
      }
      tf.dispose(xs);
    });
  });
});

describe('dropout masks drawn on the device', () => {
  forEachBackend((backend) => {
    test(`Random.bernoulliMask draws bernoulliArray's values and leaves the stream where it would (${backend})`, async () => {
      for (const [shape, p] of [
        [[5], 0.8],
        [[128, 512], 0.8],
        [[3, 1, 1, 70], 0.5],
        [[1000], 0.05],
        [[64], 1],
      ] as [number[], number][]) {
        const size = shape.reduce((x, y) => x * y, 1);
        const [cpu, device] = [new Random(2024), new Random(2024)];
        const expected = cpu.bernoulliArray(size, p, 1 / p);
        const mask = device.bernoulliMask(shape, p, 1 / p);
        expect(mask.shape).toEqual(shape);
        expect(Array.from(await mask.data()), `shape [${shape}], p ${p}`).toEqual(Array.from(expected));
        expect(device.getState()).toEqual(cpu.getState());
        expect(device.next()).toBe(cpu.next());
        mask.dispose();
      }
    });
  });
});

describe('optimizer updates as formulas', () => {
  afterEach(() => setOwnKernels(true));

  const optimizers: [string, () => Optimizer][] = [
    ['SGD', () => new SGD({ learningRate: 0.1 })],
    ['SGD with Nesterov momentum', () => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true })],
    ['RMSprop', () => new RMSprop({ learningRate: 0.01 })],
    ['RMSprop centered with momentum', () => new RMSprop({ learningRate: 0.01, centered: true, momentum: 0.5 })],
    ['Adam with amsgrad', () => new Adam({ learningRate: 0.01, amsgrad: true })],
    ['AdamW', () => new AdamW({ learningRate: 0.01, weightDecay: 0.1 })],
  ];

  /** The weights after four steps of `make()` on a 3×70 and a 70 variable. */
  async function train(make: () => Optimizer): Promise<Float32Array[]> {
    const opt = make();
    const ws = [tf.variable(tf.tensor(values(210, 5), [3, 70])), tf.variable(tf.tensor(values(70, 6), [70]))];
    for (let k = 0; k < 4; k++) {
      const gs = ws.map((w, i) => tf.tensor(values(w.size, 10 * k + i), w.shape));
      opt.apply(ws, gs);
      tf.dispose(gs);
    }
    const out = await Promise.all(ws.map(async (w) => Float32Array.from(await w.data())));
    tf.dispose(ws);
    opt.dispose?.();
    return out;
  }

  forEachBackend((backend) => {
    test(`the same weights with brickml's kernels on and off (${backend})`, async () => {
      for (const [name, make] of optimizers) {
        const own = await train(make);
        setOwnKernels(false);
        const ops = await train(make);
        setOwnKernels(true);
        own.forEach((w, i) => {
          const largest = Math.max(...w.map((v, j) => Math.abs(v - (ops[i] as Float32Array)[j]!)));
          expect(largest, `${name}, variable ${i}`).toBeLessThanOrEqual(backend === 'webgpu' ? 1e-6 : 0);
        });
      }
    });
  });
});
