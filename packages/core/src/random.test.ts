import { describe, expect, test } from 'vitest';
import { Random, rng, setSeed } from './random.js';

/** Uniforms, normals (an odd count, so a Box-Muller spare is pending) and a permutation. */
const draws = (r: Random) => ({
  uniform: Array.from(r.uniformArray(5)),
  normal: Array.from(r.normalArray(3)),
  permutation: Array.from(r.permutation(8)),
});

describe('Random state', () => {
  test('a generator set to a saved state draws what the original draws next', () => {
    const original = new Random(42);
    original.normalArray(3); // leaves a spare normal behind
    const state = original.getState();
    expect(state.spare).not.toBeNull();
    const copy = new Random(7);
    copy.setState(JSON.parse(JSON.stringify(state)));
    expect(draws(copy)).toEqual(draws(original));
  });

  test('the global generator resumes from a state after other draws', () => {
    setSeed(3);
    rng().uniformArray(10);
    const state = rng().getState();
    const expected = draws(rng());
    setSeed(99);
    rng().normalArray(4);
    rng().setState(state);
    expect(draws(rng())).toEqual(expected);
  });

  test('getState returns a copy the generator does not change', () => {
    const r = new Random(1);
    const state = r.getState();
    const before = { ...state };
    r.uniformArray(4);
    expect(state).toEqual(before);
  });

  test.each([
    [{ s: -1, spare: null }, 's must be an integer in [0, 2^32), received -1'],
    [{ s: 2 ** 32, spare: null }, 's must be an integer in [0, 2^32), received 4294967296'],
    [{ s: 1.5, spare: null }, 's must be an integer in [0, 2^32), received 1.5'],
    [{ s: 1, spare: Number.NaN }, 'spare must be a finite number or null, received NaN'],
    [null, 'state must be { s, spare }, received null'],
  ])('setState refuses %j by name', (state, message) => {
    expect(() => new Random(1).setState(state as never)).toThrow(`Random.setState: ${message}`);
  });

  test('a refused state leaves the generator as it was', () => {
    const r = new Random(5);
    const twin = new Random(5);
    expect(() => r.setState({ s: -1, spare: null })).toThrow();
    expect(draws(r)).toEqual(draws(twin));
  });
});

describe('Random.bernoulliArray', () => {
  test('draws what uniformArray draws, compared as stored, and leaves the stream where it would', () => {
    const boundary = new Random(11).uniformArray(4)[3] as number; // a p equal to a draw: not below it
    for (const p of [0, 0.2, 0.5, 0.8, 1, boundary]) {
      const [a, b] = [new Random(11), new Random(11)];
      const expected = Array.from(a.uniformArray(1000), (u) => (u < p ? 1.25 : 0));
      expect(Array.from(b.bernoulliArray(1000, p, 1.25))).toEqual(expected.map((v) => Math.fround(v)));
      expect(b.getState()).toEqual(a.getState());
    }
  });
});
