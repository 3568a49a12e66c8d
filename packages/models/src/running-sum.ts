/** An epoch's loss sums kept on the device, and the names they and the metrics are logged under. */
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from './model.js';
import type { Logs } from './types.js';

/** The names logged for a model: 'loss', each output's '<name>_loss' when there are several, then the metrics. */
export function logNames(model: Model): string[] {
  const outputs = model.outputNames;
  const several = outputs.length > 1;
  return [
    'loss',
    ...(several ? outputs.map((o) => `${o}_loss`) : []),
    ...model.outputMetrics.flatMap((ms, k) => ms.map((m) => (several ? `${outputs[k]}_${m.name}` : m.name))),
  ];
}

/** The loss sums of an epoch ([total, per output…]), kept in one device variable. */
export class RunningSum {
  private total: tf.Variable | null = null;
  samples = 0;
  add(batchSums: tf.Tensor1D, size: number): void {
    if (!this.total) this.total = tf.tidy(() => tf.variable(tf.zerosLike(batchSums), false));
    const total = this.total;
    tf.tidy(() => total.assign(tf.add(total, batchSums)));
    this.samples += size;
  }
  /** Reads the mean losses and the metrics so far, all at once. */
  async logs(model: Model): Promise<Logs> {
    const samples = this.samples;
    const names = logNames(model);
    // A clone keeps this value alive even if the next batch assigns the variable before the read ends.
    const snapshot = this.total ? tf.clone(this.total) : tf.zeros([1]);
    const metrics = model.metrics;
    const [totals, ...values] = await Promise.all([snapshot.data(), ...metrics.map((m) => m.result())]);
    snapshot.dispose();
    const logs: Logs = {};
    const losses = Math.min(totals.length, names.length - metrics.length);
    for (let k = 0; k < losses; k++) logs[names[k] as string] = (totals[k] as number) / samples;
    metrics.forEach((_, i) => {
      logs[names[losses + i] as string] = values[i] as number;
    });
    return logs;
  }
  dispose(): void {
    this.total?.dispose();
  }
}
