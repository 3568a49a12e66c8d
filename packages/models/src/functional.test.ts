import { BrickError, setSeed } from '@brickml/core';
import {
  Add,
  Average,
  BatchNormalization,
  Concatenate,
  Dense,
  Dot,
  input,
  Maximum,
  Minimum,
  Multiply,
  Subtract,
} from '@brickml/layers';
import { expectModelFiniteDifferences, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Model } from './model.js';
import { Sequential } from './sequential.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

describe('functional Model', () => {
  test('wires two inputs through a shared brick into two outputs', () => {
    const a = input({ shape: [4], name: 'a' });
    const b = input({ shape: [4], name: 'b' });
    const shared = new Dense({ units: 3, name: 'shared' });
    const joined = new Concatenate({ name: 'joined' }).apply([shared.apply(a), shared.apply(b)]);
    const left = new Dense({ units: 2, name: 'left' }).apply(joined);
    const right = new Dense({ units: 1, name: 'right' }).apply(shared.apply(a));
    const model = new Model({ inputs: [a, b], outputs: [left, right], name: 'towers' });
    expect(model.inputNames).toEqual(['a', 'b']);
    expect(model.outputNames).toEqual(['left', 'right']);
    expect(model.outputShapes).toEqual([[2], [1]]);
    expect(model.layers.map((l) => l.name)).toEqual(['shared', 'joined', 'left', 'right']);
    // The shared brick's weights count once.
    expect(model.countParams()).toBe(4 * 3 + 3 + (6 * 2 + 2) + (3 + 1));
    model.dispose();
  });

  test('a brick that cannot take a shape names it and the brick that gave it', () => {
    const x = input({ shape: [4], name: 'x' });
    const h = new Dense({ units: 3, name: 'h' }).apply(x);
    const g = new Dense({ units: 5, name: 'g' }).apply(x);
    expect(() => new Add({ name: 'sum' }).apply([h, g])).toThrow(
      "Add 'sum' cannot take [null, 3] from Dense 'h' and [null, 5] from Dense 'g'",
    );
  });

  test('refuses outputs that need an input it was not given, and inputs that reach no output', () => {
    const x = input({ shape: [2], name: 'x' });
    const unused = input({ shape: [2], name: 'unused' });
    const y = new Dense({ units: 1, name: 'y' }).apply(x);
    expect(() => new Model({ inputs: unused, outputs: y, name: 'm1' })).toThrow(
      "Model 'm1': output 0 needs input 'x' (read by Dense 'y'), which is not in inputs",
    );
    expect(() => new Model({ inputs: [x, unused], outputs: y, name: 'm2' })).toThrow(
      "Model 'm2': input 'unused' reaches no output",
    );
    expect(() => new Model({ inputs: x, outputs: tf.zeros([1]) as never, name: 'm3' })).toThrowError(BrickError);
  });

  test('refuses two bricks of one name', () => {
    const x = input({ shape: [2], name: 'x2' });
    const y = new Dense({ units: 1, name: 'same' }).apply(new Dense({ units: 2, name: 'same' }).apply(x));
    expect(() => new Model({ inputs: x, outputs: y, name: 'dups' })).toThrow(
      "Model 'dups': names must be unique, 'same' is used twice",
    );
  });

  test('lists its bricks in Keras order: by depth from the inputs, ties as met from the outputs', () => {
    const x = input({ shape: [3], name: 'in' });
    const a = new Dense({ units: 2, name: 'a' }).apply(x);
    const b = new Dense({ units: 2, name: 'b' }).apply(x);
    const c = new Dense({ units: 2, name: 'c' }).apply(a);
    const out = new Add({ name: 'out' }).apply([c, b]);
    const model = new Model({ inputs: x, outputs: out });
    expect(model.layers.map((l) => l.name)).toEqual(['a', 'c', 'b', 'out']);
    model.dispose();
  });

  test('summary shows each brick, its shape, its parameters and what it reads', () => {
    const x = input({ shape: [3], name: 'img' });
    const shared = new Dense({ units: 3, name: 'enc' });
    const y = new Add({ name: 'plus' }).apply([shared.apply(x), shared.apply(shared.apply(x))]);
    const model = new Model({ inputs: x, outputs: y, name: 'summ' });
    const text = model.summary(() => {});
    expect(text).toContain('Model: "summ"');
    expect(text).toMatch(/img \(InputLayer\)\s+\(None, 3\)\s+0\s+-/);
    expect(text).toMatch(/enc \(Dense\)\s+\(None, 3\)\s+12\s+img\[0\]\[0\]/);
    expect(text).toMatch(/plus \(Add\)\s+\(None, 3\)\s+0\s+enc\[0\]\[0\]/);
    expect(text).toContain('enc[2][0]');
    expect(text).toContain('Total params: 12');
    model.dispose();
  });
});

describe('functional Model gradients (whole model against finite differences)', () => {
  forEachBackend(() => {
    test('fan-out: one tensor read by two bricks gets the sum of their gradients', async () => {
      setSeed(3);
      const x = input({ shape: [3] });
      const h = new Dense({ units: 4, activation: 'tanh', biasInitializer: bias }).apply(x);
      const y = new Add().apply([
        new Dense({ units: 2, activation: 'sigmoid' }).apply(h),
        new Dense({ units: 2, biasInitializer: bias }).apply(h),
      ]);
      const model = new Model({ inputs: x, outputs: y });
      await expectModelFiniteDifferences(model);
      model.dispose();
    });

    test('a brick shared three times sums the gradients of its calls', async () => {
      setSeed(4);
      const x = input({ shape: [3] });
      const shared = new Dense({ units: 3, activation: 'tanh', biasInitializer: bias });
      const once = shared.apply(x);
      const y = new Average().apply([once, shared.apply(once), shared.apply(shared.apply(once))]);
      const model = new Model({ inputs: x, outputs: y });
      await expectModelFiniteDifferences(model);
      model.dispose();
    });

    test('nested models (a Sequential and a functional Model) pass gradients through', async () => {
      setSeed(5);
      const encoder = new Sequential({
        inputShape: [3],
        layers: [new Dense({ units: 4, activation: 'tanh', biasInitializer: bias }), new Dense({ units: 2 })],
      });
      const p = input({ shape: [2] });
      const q = input({ shape: [2] });
      const inner = new Model({ inputs: [p, q], outputs: new Multiply().apply([p, new Dense({ units: 2 }).apply(q)]) });
      const a = input({ shape: [3] });
      const b = input({ shape: [3] });
      const ea = encoder.apply(a) as never;
      const eb = encoder.apply(b) as never;
      const y = inner.apply([ea, eb]);
      const model = new Model({ inputs: [a, b], outputs: [y as never, ea] });
      await expectModelFiniteDifferences(model);
      model.dispose();
    });

    const merges = {
      Add: () => new Add(),
      Subtract: () => new Subtract(),
      Multiply: () => new Multiply(),
      Average: () => new Average(),
      Maximum: () => new Maximum(),
      Minimum: () => new Minimum(),
      Concatenate: () => new Concatenate(),
      Dot: () => new Dot({ axes: 1, normalize: true }),
    };
    for (const [name, make] of Object.entries(merges)) {
      test(`${name} inside a graph`, async () => {
        setSeed(6);
        const a = input({ shape: [3] });
        const b = input({ shape: [3] });
        const ha = new Dense({ units: 3, activation: 'tanh', biasInitializer: bias }).apply(a);
        const hb = new Dense({ units: 3, biasInitializer: bias }).apply(b);
        const y = new Dense({ units: 2, biasInitializer: bias }).apply(make().apply([ha, hb]));
        const model = new Model({ inputs: [a, b], outputs: y });
        // Maximum and Minimum have kinks where inputs tie: a small step keeps finite differences off them.
        await expectModelFiniteDifferences(model, name === 'Maximum' || name === 'Minimum' ? { epsilon: 1e-3 } : {});
        model.dispose();
      });
    }
  });
});

function twoHeads(name: string) {
  setSeed(9);
  const x = input({ shape: [4], name: `${name}_x` });
  const trunk = new Dense({ units: 8, activation: 'relu', name: `${name}_trunk` }).apply(x);
  const normed = new BatchNormalization({ name: `${name}_bn` }).apply(trunk);
  const digit = new Dense({ units: 3, activation: 'softmax', name: 'digit' }).apply(normed);
  const big = new Dense({ units: 1, activation: 'sigmoid', name: 'big' }).apply(normed);
  return new Model({ inputs: x, outputs: [digit, big], name });
}

function headsData(n = 12) {
  const x = tf.tensor2d(
    Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 0.7)),
    [n, 4],
  );
  const digit = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 3),
      'int32',
    ),
    3,
  );
  const big = tf.tensor2d(
    Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0)),
    [n, 1],
  );
  return { x, digit, big };
}

describe('multi-output training', () => {
  test('logs the total loss, each output loss and each output metric, under Keras names', async () => {
    const model = twoHeads('mo1');
    model.compile({
      optimizer: 'adam',
      loss: { digit: 'categoricalCrossentropy', big: 'binaryCrossentropy' },
      lossWeights: { digit: 1, big: 0.5 },
      metrics: { digit: ['accuracy'], big: ['accuracy'] },
    });
    const { x, digit, big } = headsData();
    const history = await model.fit(x, { digit, big }, { epochs: 2, batchSize: 4, verbose: 0, validationSplit: 0.25 });
    expect(Object.keys(history.history).sort()).toEqual(
      [
        'loss',
        'digit_loss',
        'big_loss',
        'digit_accuracy',
        'big_accuracy',
        'val_loss',
        'val_digit_loss',
        'val_big_loss',
        'val_digit_accuracy',
        'val_big_accuracy',
      ].sort(),
    );
    const logs = await model.evaluate(x, [digit, big]);
    expect(logs.loss).toBeCloseTo((logs.digit_loss as number) + 0.5 * (logs.big_loss as number), 4);
    const out = model.predict(x) as tf.Tensor[];
    expect(out.map((t) => t.shape)).toEqual([
      [12, 3],
      [12, 1],
    ]);
    tf.dispose([x, digit, big, ...out]);
    model.dispose();
  });

  test('an output weighted 0 leaves the weights only it reads untouched', async () => {
    const model = twoHeads('mo2');
    model.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'binaryCrossentropy'], lossWeights: [1, 0] });
    const bigKernel = () => (model.getLayer('big') as Dense).params.kernel.data();
    const before = await bigKernel();
    const { x, digit, big } = headsData();
    await model.trainOnBatch(x, [digit, big]);
    expect(await bigKernel()).toEqual(before);
    tf.dispose([x, digit, big]);
    model.dispose();
  });

  test('names what does not fit: counts, names and shapes of x and y', async () => {
    const model = twoHeads('mo3');
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const { x, digit, big } = headsData();
    await expect(model.fit(x, digit, { verbose: 0 })).rejects.toThrow(
      "Functional 'mo3'.fit: the model has 2 outputs ('digit', 'big'); give y as a list of 2 or a record by name, received one tensor",
    );
    await expect(model.fit(x, { digit, small: big }, { verbose: 0 })).rejects.toThrow(
      "Functional 'mo3'.fit: y names output 'small', but the outputs are 'digit', 'big'",
    );
    await expect(model.fit(x, [big, digit], { verbose: 0 })).rejects.toThrow(
      "Functional 'mo3'.fit: output 'digit' MeanSquaredError: targets (yTrue) must have shape [12, 3]",
    );
    expect(() => model.compile({ optimizer: 'sgd', loss: ['mse'] })).toThrow(
      "Functional 'mo3'.compile: loss must list 2 entries (one per output), received 1",
    );
    expect(() => model.compile({ optimizer: 'sgd', loss: { digit: 'mse' } })).toThrow(
      "Functional 'mo3'.compile: loss has no entry for output 'big'",
    );
    tf.dispose([x, digit, big]);
    model.dispose();
  });

  forEachBackend((backend) => {
    test(`leaves no tensor behind per epoch (${backend})`, async () => {
      const model = twoHeads(`leak_${backend}`);
      model.compile({
        optimizer: 'adam',
        loss: ['categoricalCrossentropy', 'binaryCrossentropy'],
        metrics: { digit: ['accuracy'] },
      });
      const { x, digit, big } = headsData();
      const counts: number[] = [];
      await model.fit(x, [digit, big], {
        epochs: 4,
        batchSize: 4,
        validationSplit: 0.25,
        verbose: 0,
        callbacks: [{ onEpochBegin: () => void counts.push(tf.memory().numTensors) }],
      });
      expect(new Set(counts.slice(1)).size).toBe(1);
      const before = tf.memory().numTensors;
      await model.evaluate(x, [digit, big]);
      tf.dispose(model.predict(x));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, digit, big]);
      model.dispose();
    });
  });
});

describe('named errors of graphs and nesting', () => {
  test('a nested model refuses inputs of other shapes, naming where they come from', () => {
    const encoder = new Sequential({ name: 'enc', inputShape: [8], layers: [new Dense({ units: 2 })] });
    const x = input({ shape: [5], name: 'five' });
    expect(() => encoder.apply(x)).toThrow("Sequential 'enc' takes inputs [null, 8], but input 'five' gives [null, 5]");
    encoder.dispose();
  });

  test('Sequential refuses a brick of several inputs', () => {
    const model = new Sequential({ name: 'line', inputShape: [2] });
    expect(() => model.add(new Add({ name: 'plus' }) as never)).toThrow(
      "Sequential 'line': Add 'plus' takes several inputs; wire it in a functional Model",
    );
    model.dispose();
  });

  test('a brick of one input refuses a list, and a merge brick refuses one tensor', () => {
    const a = input({ shape: [2] });
    const b = input({ shape: [2] });
    expect(() => new Dense({ units: 1, name: 'one' }).apply([a, b] as never)).toThrow(
      "Dense 'one' takes one input, received an array of 2",
    );
    expect(() => new Concatenate({ name: 'cat' }).apply(a as never)).toThrow(
      "Concatenate 'cat' takes an array of 2 or more inputs, received one tensor",
    );
    expect(() => new Subtract({ name: 'minus' }).apply([a, b, a])).toThrow(
      "Subtract 'minus' cannot take [null, 2] from input",
    );
  });

  test('compile refuses loss weights, metrics and outputs that do not fit', () => {
    const model = twoHeads('errs');
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: [1, -1] })).toThrow(
      "Functional 'errs'.compile: lossWeights for output 'big' must be a finite number >= 0, received -1",
    );
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: { small: ['mae'] } })).toThrow(
      "Functional 'errs'.compile: metrics names output 'small', but the outputs are 'digit', 'big'",
    );
    model.dispose();
  });

  test('classWeight needs a model of one output; predict needs every input', async () => {
    const model = twoHeads('cw');
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const { x, digit, big } = headsData();
    await expect(model.fit(x, [digit, big], { classWeight: { 0: 2 }, verbose: 0 })).rejects.toThrow(
      "Functional 'cw'.fit: classWeight needs a model of one output; give sampleWeight instead",
    );
    const a = input({ shape: [2], name: 'p' });
    const b = input({ shape: [2], name: 'q' });
    const two = new Model({ inputs: [a, b], outputs: new Add().apply([a, b]), name: 'two_in' });
    expect(() => two.predict(tf.ones([3, 2]))).toThrow(
      "Functional 'two_in'.predict: the model has 2 inputs ('p', 'q'); give x as a list of 2 or a record by name, received one tensor",
    );
    expect(() => two.predict({ p: tf.ones([3, 2]) })).toThrow(
      "Functional 'two_in'.predict: x has no data for input 'q'",
    );
    tf.dispose([x, digit, big]);
    model.dispose();
    two.dispose();
  });
});
