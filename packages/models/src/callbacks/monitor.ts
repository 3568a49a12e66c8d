import { BrickError } from '@brickml/core';

export type MonitorMode = 'auto' | 'min' | 'max';

const MAXIMIZED = /(^|_)(acc|accuracy|auc|precision|recall)$/;
const MINIMIZED = /(^|_)(loss|error|mse|mae|crossentropy)$/;

/**
 * Whether larger is better for a monitored log key. 'auto' reads the name as Keras does: losses and
 * errors go down, accuracies, AUC, precision and recall go up; anything else must say its mode.
 */
export function monitorDirection(who: string, monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  const name = monitor.replace(/^val_/, '');
  if (MAXIMIZED.test(name)) return 'max';
  if (MINIMIZED.test(name)) return 'min';
  throw new BrickError(
    `${who}: cannot tell whether monitor '${monitor}' should go up or down; pass mode: 'min' or mode: 'max'`,
    who,
  );
}
