/**
 * lstmCell, lstmCellGrad and gruCell (packages/core/src/lstm-cell.ts, gru-cell.ts), brickml's recurrent
 * step kernels on wasm: sigmoid and tanh (wasm-math.ts) within a few units in the last place of the exact
 * values, NaN and infinities included; the states against tfjs ops on seeded random shapes; the LSTM's
 * backward kernel equal bit for bit to the brick's formulas; one kernel each; null where they do not run
 * (another backend, a tape, own kernels off, fewer than 4 units); no leak.
 */
import { formula as F, gruCell, lstmCell, lstmCellGrad, Random, setOwnKernels, splitColumns } from '@brickml/core';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';

/** The distance from |x| to the next float32, in float64. */
function ulp(x: number): number {
  const f = new Float32Array([Math.abs(x)]);
  const bits = new Int32Array(f.buffer);
  bits[0] = (bits[0] as number) + 1;
  return (f[0] as number) - Math.abs(Math.fround(x));
}

/** Seeded shapes [rows, units]: whole vectors of 4, a last vector that overlaps, one row. */
function shapes(r: Random): [number, number][] {
  return [
    [1, 4],
    [3, 5],
    [2, 8],
    [4, 13],
    ...Array.from({ length: 3 }, () => [1 + r.int(40), 4 + r.int(60)] as [number, number]),
  ];
}

/** gruCell's xzr, xh, m and h_{t-1} for `rows` rows of `units` units, each made by `make`. */
function gruInputs(rows: number, units: number, make: (shape: [number, number]) => tf.Tensor) {
  return [2, 1, 3, 1].map((w) => make([rows, w * units]) as tf.Tensor2D) as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
}

forEachBackend((backend) => {
  if (backend === 'cpu') {
    test(`lstmCell, lstmCellGrad and gruCell answer null: the kernels are wasm's and webgpu's (${backend})`, () => {
      const [z, c] = [tf.zeros([2, 16]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D];
      expect(lstmCell(z, c)).toBeNull();
      expect(lstmCellGrad(c, c, z, c, c)).toBeNull();
      const [x2, x3] = [tf.zeros([2, 8]) as tf.Tensor2D, tf.zeros([2, 12]) as tf.Tensor2D];
      expect(gruCell(x2, c, x3, c)).toBeNull();
      tf.dispose([x2, x3]);
      tf.dispose([z, c]);
    });
    return;
  }

  // On webgpu the shader compiler may fuse a multiply and an add that tfjs' ops round apart.
  const exactly = backend === 'wasm' ? 'bit for bit' : 'within 1e-6';
  const same = async (a: tf.Tensor, b: tf.Tensor, what: string) => {
    const [x, y] = [Array.from(await a.data()), Array.from(await b.data())];
    if (backend === 'wasm') expect(x, what).toEqual(y);
    else expect(Math.max(...x.map((v, i) => Math.abs(v - (y[i] as number)))), what).toBeLessThan(1e-6);
  };

  // wasm-math.ts' sigmoid and tanh; webgpu's exp is the shader compiler's.
  if (backend === 'wasm')
    test('sigmoid and tanh are within 3 units in the last place of the exact values; NaN, ±∞ and the far ends', async () => {
      const special = [
        0,
        -0,
        1e-6,
        -3e-5,
        0.625,
        -0.625,
        0.62500006,
        9,
        -9,
        20,
        -20,
        87,
        -87,
        90,
        -90,
        Infinity,
        -Infinity,
        NaN,
      ];
      const grid = Array.from({ length: 8000 }, (_, i) => -30 + (60 * i) / 8000);
      const xs = [...special, ...grid];
      const units = 4 * Math.ceil(xs.length / 4);
      const row = Float32Array.from({ length: units }, (_, i) => xs[i % xs.length] as number);
      // Each gate's columns hold the same numbers: i, f and o are σ of them, g is tanh.
      const z = tf.tensor2d(
        Float32Array.from({ length: 4 * units }, (_, i) => row[i % units] as number),
        [1, 4 * units],
      );
      const c = tf.zeros([1, units]) as tf.Tensor2D;
      const out = lstmCell(z, c);
      expect(out).not.toBeNull();
      const gates = await out!.gates.data();
      for (const [gate, exact] of [
        [0, (x: number) => 1 / (1 + Math.exp(-x))],
        [2, Math.tanh],
        [3, (x: number) => 1 / (1 + Math.exp(-x))],
      ] as const) {
        let worst = 0;
        for (let j = 0; j < units; j++) {
          const x = row[j] as number;
          const y = gates[gate * units + j] as number;
          const want = exact(x);
          if (Number.isNaN(x)) expect(y, `gate ${gate} of NaN`).toBeNaN();
          // σ below e^-87 is a denormal or 0 here: compared in absolute terms.
          else if (gate !== 2 && x < -87) expect(Math.abs(y - want), `σ(${x})`).toBeLessThan(1e-37);
          else worst = Math.max(worst, Math.abs(y - want) / ulp(want || 1e-30));
        }
        expect(worst, `gate ${gate}: worst error in units in the last place`).toBeLessThanOrEqual(3);
      }
      tf.dispose([z, c, ...Object.values(out!)]);
    });

  test(`lstmCell gives what tfjs ops give, on seeded random shapes; c and h from its gates ${exactly} (${backend})`, async () => {
    const r = new Random(3);
    for (const [rows, units] of shapes(r)) {
      const z = tf.tensor2d(r.uniformArray(rows * 4 * units, -6, 6), [rows, 4 * units]);
      const cPrev = tf.tensor2d(r.uniformArray(rows * units, -2, 2), [rows, units]);
      const out = lstmCell(z, cPrev)!;
      const what = `[${rows}, ${units}]`;
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
      const want = tf.tidy(() => {
        const [i, f, g, o] = [tf.sigmoid(zi!), tf.sigmoid(zf!), tf.tanh(zg!), tf.sigmoid(zo!)];
        const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
        return { gates: tf.concat([i, f, g, o], 1), c, h: tf.mul(o, tf.tanh(c)) };
      });
      for (const key of ['gates', 'c', 'h'] as const) {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out[key], want[key]))));
        expect((await diff.data())[0], `${key}, ${what}`).toBeLessThan(1e-6);
        diff.dispose();
      }
      // c_t = f·c_{t-1} + i·g and h = o·tanh(c) are the ops' own roundings of the kernel's gates.
      const ops = tf.tidy(() => {
        const [i, f, g, o] = tf.split(out.gates, 4, 1) as tf.Tensor2D[];
        return [tf.add(tf.mul(f!, cPrev), tf.mul(i!, g!)), tf.mul(o!, out.phiC)];
      });
      await same(out.c, ops[0]!, `c, ${what}`);
      await same(out.h, ops[1]!, `h, ${what}`);
      tf.dispose([z, cPrev, zi!, zf!, zg!, zo!, ...Object.values(out), ...Object.values(want), ...ops]);
    }
  });

  test(`lstmCellGrad equals the LSTM brick formulas ${exactly}, on seeded random shapes (${backend})`, async () => {
    const r = new Random(4);
    const [A, B, C, D] = [0, 1, 2, 3].map(F.inputOf) as [F.Formula, F.Formula, F.Formula, F.Formula];
    const one = F.constant(1);
    const e = F.add(A, F.mul(F.mul(B, C), F.sub(one, F.square(D))));
    const rec = F.mul(F.mul(A, B), F.mul(C, F.sub(one, C)));
    const act = F.mul(F.mul(A, B), F.sub(one, F.square(C)));
    for (const [rows, units] of shapes(r)) {
      const draw = (w: number, lo: number, hi: number) => tf.tensor2d(r.uniformArray(rows * w, lo, hi), [rows, w]);
      const [dh, dc, cPrev] = [draw(units, -1, 1), draw(units, -1, 1), draw(units, -2, 2)];
      const gates = tf.concat([draw(units, 0, 1), draw(units, 0, 1), draw(units, -1, 1), draw(units, 0, 1)], 1);
      const phiC = draw(units, -1, 1);
      const out = lstmCellGrad(dh, dc, gates as tf.Tensor2D, phiC, cPrev)!;
      const want = tf.tidy(() => {
        const [i, f, g, o] = splitColumns(gates as tf.Tensor2D, 4) as tf.Tensor2D[];
        const ev = F.runFormula(e, [dc, dh, o!, phiC]);
        const run = F.runFormula;
        const dz = tf.concat(
          [run(rec, [ev, g!, i!]), run(rec, [ev, cPrev, f!]), run(act, [ev, i!, g!]), run(rec, [dh, phiC, o!])],
          1,
        );
        return [dz, tf.mul(ev, f!)];
      });
      const what = `[${rows}, ${units}]`;
      await same(out.dz, want[0]!, `dz, ${what}`);
      await same(out.dcPrev, want[1]!, `dc, ${what}`);
      tf.dispose([dh, dc, cPrev, gates, phiC, out.dz, out.dcPrev, ...want]);
    }
  });

  test(`one kernel each way; null under a tape, with own kernels off and below 4 units; no leak (${backend})`, async () => {
    const z = tf.randomNormal([3, 20]) as tf.Tensor2D;
    const c = tf.randomNormal([3, 5]) as tf.Tensor2D;
    const forward = await tf.profile(() => Object.values(lstmCell(z, c)!));
    expect(forward.kernels.map((k) => k.name)).toEqual(['BrickmlLSTMCell']);
    const fwd = lstmCell(z, c)!;
    const backward = await tf.profile(() => Object.values(lstmCellGrad(c, c, fwd.gates, fwd.phiC, c)!));
    expect(backward.kernels.map((k) => k.name)).toEqual(['BrickmlLSTMCellGrad']);
    let underTape: unknown = 'not run';
    tf.grad((t: tf.Tensor) => {
      underTape = lstmCell(t as tf.Tensor2D, c);
      return tf.sum(t);
    })(z).dispose();
    expect(underTape).toBeNull();
    setOwnKernels(false);
    try {
      expect(lstmCell(z, c)).toBeNull();
      expect(lstmCellGrad(c, c, fwd.gates, fwd.phiC, c)).toBeNull();
    } finally {
      setOwnKernels(true);
    }
    const [z3, c3] = [tf.zeros([2, 12]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D];
    expect(lstmCell(z3, c3)).toBeNull();
    await expectNoLeak(() => {
      const out = lstmCell(z, c)!;
      const back = lstmCellGrad(c, c, out.gates, out.phiC, c)!;
      tf.dispose([...Object.values(out), back.dz, back.dcPrev]);
    });
    tf.dispose([z, c, z3, c3, ...Object.values(fwd)]);
  });

  test(`gruCell gives what tfjs ops give, on seeded random shapes; h from its outputs ${exactly} (${backend})`, async () => {
    const r = new Random(5);
    for (const [rows, units] of shapes(r)) {
      const draw = (w: number, lo: number, hi: number) =>
        tf.tensor2d(r.uniformArray(rows * w * units, lo, hi), [rows, w * units]);
      const [xzr, xh, m, hPrev] = [draw(2, -4, 4), draw(1, -3, 3), draw(3, -4, 4), draw(1, -1, 1)];
      const out = gruCell(xzr, xh, m, hPrev)!;
      const what = `[${rows}, ${units}]`;
      const want = tf.tidy(() => {
        const [mzr, mh] = tf.split(m, [2 * units, units], 1) as tf.Tensor2D[];
        const gates = tf.sigmoid(tf.add(xzr, mzr!));
        const [z, rg] = tf.split(gates, 2, 1) as tf.Tensor2D[];
        const hh = tf.tanh(tf.add(xh, tf.mul(rg!, mh!)));
        return { gates, hh, h: tf.add(hh, tf.mul(z!, tf.sub(hPrev, hh))), mh: mh! };
      });
      for (const key of ['gates', 'hh', 'h'] as const) {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out[key], want[key]))));
        expect((await diff.data())[0], `${key}, ${what}`).toBeLessThan(1e-6);
        diff.dispose();
      }
      await same(out.mh, want.mh, `m_h, ${what}`);
      // h = ĥ + z·(h_{t-1} - ĥ) is the ops' own rounding of the kernel's z and ĥ.
      const h = tf.tidy(() => {
        const [z] = tf.split(out.gates, 2, 1) as tf.Tensor2D[];
        return tf.add(out.hh, tf.mul(z!, tf.sub(hPrev, out.hh)));
      });
      await same(out.h, h, `h, ${what}`);
      tf.dispose([xzr, xh, m, hPrev, h, ...Object.values(out), ...Object.values(want)]);
    }
  });

  test(`gruCell: one kernel; null under a tape, with own kernels off and below 4 units; no leak (${backend})`, async () => {
    const [xzr, xh, m, hPrev] = gruInputs(3, 5, (shape) => tf.randomNormal(shape));
    const profile = await tf.profile(() => Object.values(gruCell(xzr, xh, m, hPrev)!));
    expect(profile.kernels.map((k) => k.name)).toEqual(['BrickmlGRUCell']);
    let underTape: unknown = 'not run';
    tf.grad((t: tf.Tensor) => {
      underTape = gruCell(t as tf.Tensor2D, xh, m, hPrev);
      return tf.sum(t);
    })(xzr).dispose();
    expect(underTape).toBeNull();
    setOwnKernels(false);
    try {
      expect(gruCell(xzr, xh, m, hPrev)).toBeNull();
    } finally {
      setOwnKernels(true);
    }
    const [a, b, c, d] = gruInputs(2, 3, (shape) => tf.zeros(shape));
    expect(gruCell(a, b, c, d)).toBeNull();
    await expectNoLeak(() => {
      tf.dispose(Object.values(gruCell(xzr, xh, m, hPrev)!));
    });
    tf.dispose([xzr, xh, m, hPrev, a, b, c, d]);
  });
});
