import { describe, expect, test } from 'vitest';
import type { Logs, TrainParams } from '../types.js';
import { formatValue, ProgressLogger, progressBar } from './progress.js';

const params = (over: Partial<TrainParams> = {}): TrainParams => ({
  epochs: 20,
  initialEpoch: 0,
  steps: 469,
  samples: 15000,
  batchSize: 32,
  verbose: 1,
  metrics: ['loss', 'accuracy'],
  ...over,
});

function sink(isTTY: boolean) {
  const out = {
    text: '',
    isTTY,
    write(s: string) {
      out.text += s;
    },
  };
  return out;
}

/** The line a terminal shows last: text after the last carriage return of the last line. */
const screen = (text: string) =>
  text
    .split('\n')
    .map((l) => (l.split('\r').pop() ?? '').trimEnd())
    .filter(Boolean);

describe('ProgressLogger', () => {
  test('progressBar draws Keras-style bars', () => {
    expect(progressBar(234, 469)).toBe('234/469 [=============>................]');
    expect(progressBar(469, 469)).toBe('469/469 [==============================]');
    expect(progressBar(1, 469)).toBe('  1/469 [..............................]');
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(0.00001234)).toBe('1.2340e-5');
  });

  test('in a terminal, redraws at most once per refresh interval with values from its own async peek', async () => {
    let t = 0;
    const out = sink(true);
    const logger = new ProgressLogger({ stream: out, now: () => t });
    let peeks = 0;
    logger.setPeek(async () => {
      peeks += 1;
      return { loss: 0.1234, accuracy: 0.9612 };
    });
    logger.setParams(params());
    logger.onEpochBegin(2);
    for (let batch = 0; batch < 234; batch++) {
      t += 10; // a batch every 10 ms for 2340 ms: redraws at batches 0, 10, ..., 230
      logger.onBatchEnd(batch, { batch, size: 32 });
      await Promise.resolve();
    }
    expect(peeks).toBe(24);
    // Each refresh draws the bar, and again when its peek's values arrive.
    const redraws = out.text.split('\r').length - 1;
    expect(redraws).toBe(2 * peeks);
    const lines = screen(out.text);
    expect(lines[0]).toBe('Epoch 3/20');
    expect(lines[1]).toBe('231/469 [=============>................] - ETA: 2s - loss: 0.1234 - accuracy: 0.9612');
  });

  test("in a terminal, shows each peek's values as they arrive, and says which batch they are from when late", async () => {
    let t = 0;
    const out = sink(true);
    const logger = new ProgressLogger({ stream: out, now: () => t });
    let loss = 1;
    let release: () => void = () => {};
    logger.setPeek(() => {
      loss -= 0.1;
      const value = loss;
      return new Promise<Logs>((resolve) => {
        release = () => resolve({ loss: value });
      });
    });
    logger.setParams(params());
    logger.onEpochBegin(0);
    t += 200;
    logger.onBatchEnd(9, { batch: 9, size: 32 }); // peek 1 starts at batch 10
    t += 200;
    logger.onBatchEnd(19, { batch: 19, size: 32 }); // still in flight: nothing new to show yet
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(screen(out.text).pop()).toBe(
      ' 20/469 [>.............................] - ETA: 9s - loss: 0.9000 (at 10/469)',
    );
    t += 200;
    logger.onBatchEnd(29, { batch: 29, size: 32 }); // peek 2
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(screen(out.text).pop()).toBe(' 30/469 [>.............................] - ETA: 9s - loss: 0.8000');
  });

  test('in a terminal, ends the epoch with the full bar, time per step and the epoch logs', async () => {
    let t = 0;
    const out = sink(true);
    const logger = new ProgressLogger({ stream: out, now: () => t });
    logger.setParams(params({ steps: 4 }));
    logger.onEpochBegin(0);
    for (let batch = 0; batch < 4; batch++) {
      t += 250;
      logger.onBatchEnd(batch, { batch, size: 32 });
    }
    await logger.onEpochEnd(0, { loss: 0.5, val_loss: 0.25 });
    expect(screen(out.text)).toEqual([
      'Epoch 1/20',
      '4/4 [==============================] - 1s 250ms/step - loss: 0.5000 - val_loss: 0.2500',
    ]);
  });

  test('shows batch logs read by the loop itself when present, without peeking', () => {
    let t = 0;
    const out = sink(true);
    const logger = new ProgressLogger({ stream: out, now: () => t });
    logger.setPeek(() => Promise.reject(new Error('must not peek')));
    logger.setParams(params({ steps: 10 }));
    logger.onEpochBegin(0);
    t = 1000;
    logger.onBatchEnd(4, { batch: 4, size: 32, loss: 2 });
    expect(screen(out.text)[1]).toBe(' 5/10 [==============>...............] - ETA: 1s - loss: 2.0000');
  });

  test('without a terminal, or at verbose 2, prints one line per epoch', async () => {
    for (const [isTTY, verbose] of [
      [false, 1],
      [true, 2],
    ] as const) {
      let t = 0;
      const out = sink(isTTY);
      const logger = new ProgressLogger({ stream: out, now: () => t, verbose });
      logger.setParams(params());
      logger.onEpochBegin(2);
      for (let batch = 0; batch < 469; batch++) {
        t += 26.2;
        logger.onBatchEnd(batch, { batch, size: 32 });
      }
      const logs: Logs = { loss: 0.1234, accuracy: 0.9612, val_loss: 0.2 };
      await logger.onEpochEnd(2, logs);
      expect(out.text).toBe('Epoch 3/20 - 12.3s - loss: 0.1234 - accuracy: 0.9612 - val_loss: 0.2000\n');
    }
  });

  test('verbose 0 prints nothing', async () => {
    const out = sink(true);
    const logger = new ProgressLogger({ stream: out, verbose: 0 });
    logger.setParams(params());
    logger.onEpochBegin(0);
    logger.onBatchEnd(0, { batch: 0, size: 32 });
    await logger.onEpochEnd(0, { loss: 1 });
    expect(out.text).toBe('');
  });
});
