import type { Callback, Logs, TrainingState } from '../types.js';
import { type HistoryChartOptions, historyChart } from './history-chart.js';

/**
 * Records every epoch's logs: `history.loss[i]` is the loss of epoch `epoch[i]`. fit returns it.
 * @example
 * const history = await model.fit(x, y, { epochs: 10, validationSplit: 0.1 });
 * history.history.val_loss; // one number per epoch
 * writeFileSync('training.svg', history.toSVG());
 */
export class History implements Callback {
  /** Epoch indices (from 0) recorded since the last fit began. */
  epoch: number[] = [];
  /** One series per log key, aligned with `epoch`. */
  history: Record<string, number[]> = {};
  /**
   * Where the fit ended (taken after the last epoch, before onTrainEnd), to save with the model and continue
   * exactly later: `model.save(dir, { trainingState: history.trainingState })`, then fit's `trainingState`
   * option. Null when a callback put back other weights at the end (EarlyStopping's restoreBestWeights, see
   * `Callback.restoredWeights`): those weights do not match the last epoch's optimizer state and generators.
   */
  trainingState: TrainingState | null = null;

  onTrainBegin(): void {
    this.epoch = [];
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      const series = this.history[key] ?? [];
      series.push(value);
      this.history[key] = series;
    }
  }

  /**
   * A standalone SVG with one small chart per metric (train and val_ on the same axes, by epoch
   * from 1); `width` and `height` size each chart, which are stacked vertically.
   */
  toSVG(options: HistoryChartOptions = {}): string {
    return historyChart(this.epoch, this.history, options);
  }
}
