export { BackupAndRestore, BackupAndRestoreConfig } from './backup-and-restore.js';
export { CallbackList } from './callback-list.js';
export { CSVLogger, CSVLoggerConfig } from './csv-logger.js';
export { EarlyStopping, EarlyStoppingConfig, EarlyStoppingState } from './early-stopping.js';
export { TrainingStateSchema } from './fit-progress.js';
export { formatFilepath } from './format-filepath.js';
export { History } from './history.js';
export { type HistoryChartOptions, historyChart } from './history-chart.js';
export { LambdaCallback } from './lambda-callback.js';
export { type LearningRateSchedule, LearningRateScheduler } from './learning-rate-scheduler.js';
export { ModelCheckpoint, ModelCheckpointConfig, ModelCheckpointState } from './model-checkpoint.js';
export { type MonitorMode, monitorDirection } from './monitor.js';
export {
  formatValue,
  ProgressLogger,
  type ProgressLoggerOptions,
  type ProgressStream,
  progressBar,
} from './progress.js';
export { ReduceLROnPlateau, ReduceLROnPlateauConfig, ReduceLROnPlateauState } from './reduce-lr-on-plateau.js';
export {
  type CallbackClassName,
  CallbackSpec,
  CallbackSpecObject,
  callbackFromSpec,
} from './registry.js';
export { TerminateOnNaN, TerminateOnNaNConfig } from './terminate-on-nan.js';
