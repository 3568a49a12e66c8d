/**
 * lstmSequence and lstmSequenceGrad (packages/core/src/lstm-sequence.ts), an LSTM's whole time loop as one
 * kernel each way. On wasm: equal bit for bit to the step-by-step loop of the same kernels (matMul with an
 * addend and lstmCell forward; dh + dY, lstmCellGrad and dz·Uᵀ backward) on seeded random shapes, widths
 * that are not whole vectors and one step included. On webgpu (webgpu-lstm-sequence.ts): equal to that loop
 * to rounding, on shapes that take one and two units per lane, dot products with and without a tail, and a
 * loop of 1,700 steps (near the turns Mesa's llvmpipe allows). One kernel each; null on cpu, under a tape,
 * with own kernels off and for sizes the loops do not take; no leak. And the LSTM brick: the same outputs and
 * gradients whether its steps run as one (no mask) or one by one (a mask of ones), and step by step back
 * after a forward as one.
 */
import { lstmCell, lstmCellGrad, lstmSequence, lstmSequenceGrad, matMul, Random, setOwnKernels } from '@brickml/core';
import { LSTM } from '@brickml/layers';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';

/** A tensor of `shape` from `make`, as the 2-D tensor it is. */
function matrix(shape: number[], make: (shape: number[]) => tf.Tensor = tf.zeros): tf.Tensor2D {
  return make(shape) as tf.Tensor2D;
}

/** Seeded [rows, units, time]: whole vectors, a last vector that overlaps, one step, one row. */
function shapes(r: Random): [number, number, number][] {
  return [
    [2, 4, 1],
    [3, 5, 3],
    [1, 8, 4],
    [4, 13, 2],
    ...Array.from({ length: 3 }, () => [1 + r.int(33), 4 + r.int(40), 1 + r.int(8)] as [number, number, number]),
  ];
}

/** What the loop of step kernels gives, forward and backward, for the same inputs. */
function stepByStep(
  XW: tf.Tensor2D,
  U: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  back: { dY: tf.Tensor2D | null; dh: tf.Tensor2D; dc: tf.Tensor2D; UT: tf.Tensor2D },
) {
  return tf.tidy(() => {
    const rows = h0.shape[0];
    const time = XW.shape[0] / rows;
    let [h, c] = [h0, c0];
    const kept: { gates: tf.Tensor2D; phiC: tf.Tensor2D; cPrev: tf.Tensor2D; hPrev: tf.Tensor2D; h: tf.Tensor2D }[] =
      [];
    for (let t = 0; t < time; t++) {
      const z = matMul(h, U, false, false, {}, { to: XW, row: t * rows });
      const cell = lstmCell(z, c)!;
      kept.push({ gates: cell.gates, phiC: cell.phiC, cPrev: c, hPrev: h, h: cell.h });
      [h, c] = [cell.h, cell.c];
    }
    const dYs = back.dY && (tf.split(back.dY, time, 0) as tf.Tensor2D[]);
    let [dh, dc] = [back.dh, back.dc];
    const dzs: tf.Tensor2D[] = [];
    for (let t = time - 1; t >= 0; t--) {
      if (dYs) dh = tf.add(dh, dYs[t]!);
      const { gates, phiC, cPrev } = kept[t]!;
      const g = lstmCellGrad(dh, dc, gates, phiC, cPrev)!;
      dzs[t] = g.dz;
      [dh, dc] = [matMul(g.dz, back.UT), g.dcPrev];
    }
    const join = (list: tf.Tensor2D[]) => tf.concat(list, 0) as tf.Tensor2D;
    return {
      gates: join(kept.map((k) => k.gates)),
      phiC: join(kept.map((k) => k.phiC)),
      cIn: join(kept.map((k) => k.cPrev)),
      hIn: join(kept.map((k) => k.hPrev)),
      hs: join(kept.map((k) => k.h)),
      h,
      c,
      dZ: join(dzs),
      dh0: dh,
      dc0: dc,
    };
  });
}

/** Whether a recurrent brick's forward ran its steps as one (its cache keeps one entry for all of them). */
function ranAsOne(cache: unknown): boolean {
  const saved = (cache as { saved: object[] }).saved;
  return saved.length === 1 && 'sequence' in (saved[0] as object);
}

/** The largest |a - b| over the largest |b| (at least 1): a difference in rounding is some 1e-7 of it. */
async function relative(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [diff, size] = tf.tidy(() => [tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))]) as [tf.Tensor, tf.Tensor];
  const out = (await diff.data())[0]! / Math.max(1, (await size.data())[0]!);
  tf.dispose([diff, size]);
  return out;
}

/** Seeded XW, U, h₀, c₀, dh, dc and dY of [rows, units] × time, U drawn from ±`scale`. */
function drawLoop(r: Random, [rows, units, time]: [number, number, number], scale: number) {
  const draw = (shape: [number, number], s: number) => tf.tensor2d(r.uniformArray(shape[0] * shape[1], -s, s), shape);
  const [h0, c0, dh, dc] = [0, 1, 2, 3].map(() => draw([rows, units], 1)) as tf.Tensor2D[];
  return {
    XW: draw([time * rows, 4 * units], 2),
    U: draw([units, 4 * units], scale),
    h0: h0!,
    c0: c0!,
    dh: dh!,
    dc: dc!,
    dY: draw([time * rows, units], 1),
  };
}

forEachBackend((backend) => {
  if (backend === 'cpu') {
    test('lstmSequence and lstmSequenceGrad answer null on cpu', () => {
      const [XW, U, s] = [
        [6, 16],
        [4, 16],
        [2, 4],
      ].map((shape) => matrix(shape)) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      expect(lstmSequence(XW, U, s, s)).toBeNull();
      const kept = { gates: XW, phiC: tf.zeros([6, 4]) as tf.Tensor2D, cIn: tf.zeros([6, 4]) as tf.Tensor2D };
      expect(lstmSequenceGrad(null, s, s, kept, U, true)).toBeNull();
      tf.dispose([XW, U, s, kept.phiC, kept.cIn]);
    });
    return;
  }
  if (backend === 'webgpu') {
    test('webgpu: equal to the loop of step kernels to rounding, forward and backward', async () => {
      const r = new Random(21);
      const cases: [number, number, number][] = [
        [2, 4, 1],
        [3, 5, 3],
        [1, 8, 4],
        [4, 13, 2],
        [2, 130, 3],
        [33, 20, 2],
        [1, 64, 1700],
      ];
      for (const shape of cases) {
        const { XW, U, h0, c0, dh, dc, dY } = drawLoop(r, shape, 0.3);
        const UT = tf.transpose(U) as tf.Tensor2D;
        const what = `[${shape[0]}, ${shape[1]}] × ${shape[2]}`;
        for (const withDY of shape[2] > 100 ? [true] : [true, false]) {
          const want = stepByStep(XW, U, h0, c0, { dY: withDY ? dY : null, dh, dc, UT });
          const got = lstmSequence(XW, U, h0, c0)!;
          expect(got, what).not.toBeNull();
          for (const key of ['gates', 'phiC', 'cIn', 'hIn', 'hs', 'h', 'c'] as const) {
            expect(await relative(got[key], want[key]), `${key}, ${what}`).toBeLessThan(1e-5);
          }
          for (const initial of [true, false]) {
            const back = lstmSequenceGrad(withDY ? dY : null, dh, dc, got, U, initial)!;
            const how = `${what}, ${withDY ? 'with' : 'without'} dY, initial ${initial}`;
            expect(await relative(back.dZ, want.dZ), `dZ, ${how}`).toBeLessThan(1e-5);
            if (initial) {
              expect(await relative(back.dh0!, want.dh0), `dh0, ${how}`).toBeLessThan(1e-5);
              expect(await relative(back.dc0!, want.dc0), `dc0, ${how}`).toBeLessThan(1e-5);
            } else {
              expect(back.dh0, how).toBeUndefined();
            }
            tf.dispose(Object.values(back));
          }
          tf.dispose([...Object.values(got), ...Object.values(want)]);
        }
        tf.dispose([XW, U, h0, c0, dh, dc, dY, UT]);
      }
    }, 120_000);

    test('webgpu: null for more than 512 units and for loops longer than the turns allowed', () => {
      const [wide, s] = [matrix([1, 4 * 513]), matrix([1, 513])];
      const U = matrix([513, 4 * 513]);
      expect(lstmSequence(wide, U, s, s)).toBeNull();
      // 512 units: 1,033 turns a step backward, so 58 steps fit under 60,000 and 59 do not.
      const [long, U512, s512] = [matrix([59, 2048]), matrix([512, 2048]), matrix([1, 512])];
      expect(lstmSequence(long, U512, s512, s512)).toBeNull();
      const kept = { gates: long, phiC: matrix([59, 512]), cIn: matrix([59, 512]) };
      expect(lstmSequenceGrad(null, s512, s512, kept, U512, false)).toBeNull();
      tf.dispose([wide, s, U, long, U512, s512, kept.phiC, kept.cIn]);
    });
  }

  if (backend === 'wasm') {
    test('equal bit for bit to the loop of step kernels, forward and backward, on seeded random shapes', async () => {
      const r = new Random(12);
      for (const [rows, units, time] of shapes(r)) {
        const draw = (shape: [number, number], scale: number) =>
          tf.tensor2d(r.uniformArray(shape[0] * shape[1], -scale, scale), shape);
        const XW = draw([time * rows, 4 * units], 2);
        const U = draw([units, 4 * units], 0.5);
        const [h0, c0, dh, dc] = [0, 1, 2, 3].map(() => draw([rows, units], 1)) as tf.Tensor2D[];
        const dY = draw([time * rows, units], 1);
        const UT = tf.transpose(U) as tf.Tensor2D;
        const what = `[${rows}, ${units}] × ${time}`;
        for (const withDY of [true, false]) {
          const want = stepByStep(XW, U, h0!, c0!, { dY: withDY ? dY : null, dh: dh!, dc: dc!, UT });
          const got = lstmSequence(XW, U, h0!, c0!)!;
          for (const key of ['gates', 'phiC', 'cIn', 'hIn', 'hs', 'h', 'c'] as const) {
            expect(Array.from(await got[key].data()), `${key}, ${what}`).toEqual(Array.from(await want[key].data()));
          }
          for (const initial of [true, false]) {
            const back = lstmSequenceGrad(withDY ? dY : null, dh!, dc!, got, U, initial)!;
            const how = `${what}, ${withDY ? 'with' : 'without'} dY, initial ${initial}`;
            expect(Array.from(await back.dZ.data()), `dZ, ${how}`).toEqual(Array.from(await want.dZ.data()));
            if (initial) {
              expect(Array.from(await back.dh0!.data()), `dh0, ${how}`).toEqual(Array.from(await want.dh0.data()));
              expect(Array.from(await back.dc0!.data()), `dc0, ${how}`).toEqual(Array.from(await want.dc0.data()));
            } else {
              expect(back.dh0, how).toBeUndefined();
            }
            tf.dispose(Object.values(back));
          }
          tf.dispose([...Object.values(got), ...Object.values(want)]);
        }
        tf.dispose([XW, U, h0!, c0!, dh!, dc!, dY, UT]);
      }
    });
  }

  test('one kernel each way; null under a tape, with own kernels off and below 4 units; no leak', async () => {
    const [XW, U, s, dY] = [
      [15, 20],
      [5, 20],
      [3, 5],
      [15, 5],
    ].map((shape) => matrix(shape, tf.randomNormal)) as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
    ];
    const forward = await tf.profile(() => Object.values(lstmSequence(XW, U, s, s)!));
    expect(forward.kernels.map((k) => k.name)).toEqual(['BrickmlLSTMSequence']);
    const kept = lstmSequence(XW, U, s, s)!;
    const backward = await tf.profile(() => Object.values(lstmSequenceGrad(dY, s, s, kept, U, true)!));
    expect(backward.kernels.map((k) => k.name)).toEqual(['BrickmlLSTMSequenceGrad']);
    let underTape: unknown = 'not run';
    tf.grad((t: tf.Tensor) => {
      underTape = lstmSequence(t as tf.Tensor2D, U, s, s);
      return tf.sum(t);
    })(XW).dispose();
    expect(underTape).toBeNull();
    setOwnKernels(false);
    try {
      expect(lstmSequence(XW, U, s, s)).toBeNull();
      expect(lstmSequenceGrad(dY, s, s, kept, U, true)).toBeNull();
    } finally {
      setOwnKernels(true);
    }
    const [x3, u3, s3] = [
      [6, 12],
      [3, 12],
      [2, 3],
    ].map((shape) => matrix(shape));
    expect(lstmSequence(x3!, u3!, s3!, s3!)).toBeNull();
    // XW's rows must be whole steps of the batch.
    const partial = tf.slice(XW, 0, 14) as tf.Tensor2D;
    expect(lstmSequence(partial, U, s, s)).toBeNull();
    partial.dispose();
    await expectNoLeak(() => {
      const out = lstmSequence(XW, U, s, s)!;
      const back = lstmSequenceGrad(dY, s, s, out, U, true)!;
      tf.dispose([...Object.values(out), ...Object.values(back)]);
    });
    tf.dispose([XW, U, s, dY, x3!, u3!, s3!, ...Object.values(kept)]);
  });

  test('the LSTM brick goes back step by step after a forward as one when the backward kernel does not run', async () => {
    const lstm = new LSTM({ units: 5, returnSequences: true, seed: 4 });
    const x = tf.randomNormal([3, 4, 2], 0, 1, 'float32', 8);
    const { y, cache } = lstm.forward(x, { training: true });
    // The forward ran as one: the cache keeps one entry for the whole sequence.
    expect(ranAsOne(cache)).toBe(true);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 9);
    const whole = lstm.backward(dy, cache);
    setOwnKernels(false);
    let steps: ReturnType<typeof lstm.backward>;
    try {
      steps = lstm.backward(dy, cache);
    } finally {
      setOwnKernels(true);
    }
    const pairs: [string, tf.Tensor, tf.Tensor][] = [
      ['dx', whole.dx, steps.dx],
      ...Object.keys(whole.grads).map(
        (k) => [k, whole.grads[k as 'kernel'], steps.grads[k as 'kernel']] as [string, tf.Tensor, tf.Tensor],
      ),
    ];
    expect(pairs.map(([k]) => k).sort()).toEqual(['bias', 'dx', 'kernel', 'recurrentKernel']);
    for (const [key, a, b] of pairs) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
      expect((await diff.data())[0], key).toBeLessThan(1e-5);
      diff.dispose();
    }
    tf.dispose([x, y, dy, whole.dx, steps.dx, ...Object.values(whole.grads), ...Object.values(steps.grads)]);
    tf.dispose(Object.values(cache as object).flat(2) as tf.Tensor[]);
    lstm.dispose();
  });

  test('the LSTM brick gives the same outputs and gradients with its steps as one (no mask) and one by one (a mask of ones): the same bits on wasm', async () => {
    for (const returnSequences of [true, false]) {
      const lstm = new LSTM({ units: 6, returnSequences, seed: 3 });
      const x = tf.randomNormal([4, 5, 3], 0, 1, 'float32', 7);
      const mask = tf.ones([4, 5], 'bool');
      const runs = [null, mask].map((m) => {
        const { y, cache } = lstm.forward(x, m ? { training: true, mask: m } : { training: true });
        expect(ranAsOne(cache), `mask ${m !== null}`).toBe(m === null);
        const dy = tf.tidy(() => tf.mul(tf.onesLike(y), 0.5));
        const { dx, grads } = lstm.backward(dy, cache);
        const out = { y, dx, ...grads };
        tf.dispose([dy, ...Object.values(cache as object).flat()].flat());
        return out;
      });
      const [whole, steps] = runs as unknown as [Record<string, tf.Tensor>, Record<string, tf.Tensor>];
      expect(Object.keys(whole).sort()).toEqual(['bias', 'dx', 'kernel', 'recurrentKernel', 'y']);
      for (const key of Object.keys(whole)) {
        const what = `${key}, returnSequences ${returnSequences}`;
        // On webgpu the steps one by one make x_t·W + h·U + b as one product of [x_t, h, 1], in another order.
        if (backend === 'webgpu') expect(await relative(whole[key]!, steps[key]!), what).toBeLessThan(1e-5);
        else expect(Array.from(await whole[key]!.data()), what).toEqual(Array.from(await steps[key]!.data()));
      }
      tf.dispose([x, mask, ...Object.values(whole), ...Object.values(steps)]);
      lstm.dispose();
    }
  });
});
