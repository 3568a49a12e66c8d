import type { Callback } from '../types.js';

type Hooks = Pick<
  Callback,
  | 'onTrainBegin'
  | 'onTrainEnd'
  | 'onEpochBegin'
  | 'onEpochEnd'
  | 'onBatchBegin'
  | 'onBatchEnd'
  | 'setModel'
  | 'setParams'
>;

/**
 * A callback made of the hooks you pass (Keras LambdaCallback). Any plain object with these methods
 * is a callback too; this class only names the intent.
 * @example
 * new LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) })
 */
export class LambdaCallback implements Callback {
  readonly needsBatchLoss: boolean;
  onTrainBegin?: Hooks['onTrainBegin'];
  onTrainEnd?: Hooks['onTrainEnd'];
  onEpochBegin?: Hooks['onEpochBegin'];
  onEpochEnd?: Hooks['onEpochEnd'];
  onBatchBegin?: Hooks['onBatchBegin'];
  onBatchEnd?: Hooks['onBatchEnd'];
  setModel?: Hooks['setModel'];
  setParams?: Hooks['setParams'];

  constructor(hooks: Hooks & { needsBatchLoss?: boolean } = {}) {
    this.needsBatchLoss = hooks.needsBatchLoss ?? false;
    Object.assign(this, hooks);
  }
}
