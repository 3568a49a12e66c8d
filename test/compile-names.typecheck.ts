/**
 * Loss, metric and optimizer names are literal unions: `pnpm typecheck` compiles this file and fails if a
 * misspelt name stops being an error (each `@ts-expect-error` must meet one). Nothing here runs.
 */
import {
  type CompileArgs,
  type Loss,
  type LossName,
  lossFromSpec,
  type Metric,
  type MetricName,
  metricFromSpec,
  type Optimizer,
  optimizerFromSpec,
} from 'brickml';

declare const model: { compile(args: CompileArgs): void };
declare const myLoss: Loss;
declare const myMetric: Metric;
declare const myOptimizer: Optimizer;

// Names in each spelling Keras and brickml take.
model.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mae'] });
model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy', 'acc'] });
model.compile({ optimizer: 'rmsprop', loss: 'CategoricalCrossentropy', metrics: ['sparseTopKCategoricalAccuracy'] });
model.compile({ optimizer: 'adamw', loss: 'mse', metrics: ['sparse_top_k_categorical_accuracy', 'auc', 'f1_score'] });

// `{ className, config }`, with the config typed by the class.
model.compile({
  optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
  loss: { className: 'Huber', config: { delta: 2 } },
  metrics: [{ className: 'AUC', config: { numThresholds: 50 } }, { className: 'Precision' }],
});

// Objects of your own: the tables are closed, the contracts are open.
model.compile({ optimizer: myOptimizer, loss: myLoss, metrics: [myMetric] });

// Several outputs: a list or a record of losses, and a record of metric lists.
model.compile({
  optimizer: 'adam',
  loss: { digit: 'categoricalCrossentropy', big: { className: 'BinaryCrossentropy' } },
  lossWeights: { digit: 1, big: 0.5 },
  metrics: { digit: ['accuracy'], big: ['binaryAccuracy', myMetric] },
});
model.compile({ optimizer: 'adam', loss: ['mse', myLoss] });

// The factories take the same names.
lossFromSpec('kld');
metricFromSpec('RootMeanSquaredError');
optimizerFromSpec('nadam');

// A name from outside the program is checked at run time, and typed once checked.
const fromJson: string = JSON.parse('"huber"');
const isLossName = (name: string): name is LossName => name in { huber: 1 };
if (isLossName(fromJson)) model.compile({ optimizer: 'adam', loss: fromJson });
const metricNames: MetricName[] = ['mse', 'meanAbsolutePercentageError', 'MeanAbsolutePercentageError'];
model.compile({ optimizer: 'adam', loss: 'mae', metrics: metricNames });

// Misspelt names and classes fail to compile.
// @ts-expect-error: 'meanSquaredErorr' is not a loss
model.compile({ optimizer: 'adam', loss: 'meanSquaredErorr' });
// @ts-expect-error: 'adamm' is not an optimizer
model.compile({ optimizer: 'adamm', loss: 'mse' });
// @ts-expect-error: 'accuracyy' is not a metric
model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['accuracyy'] });
// @ts-expect-error: 'Hubber' is not a loss class
model.compile({ optimizer: 'adam', loss: { className: 'Hubber' } });
// @ts-expect-error: Huber's config has no field 'delt'
model.compile({ optimizer: 'adam', loss: { className: 'Huber', config: { delt: 2 } } });
// @ts-expect-error: a misspelt loss in a record by output name
model.compile({ optimizer: 'adam', loss: { digit: 'categoricalCrossentropy', big: 'binaryCrossentropyy' } });
// @ts-expect-error: a misspelt metric in a record by output name
model.compile({ optimizer: 'adam', loss: 'mse', metrics: { digit: ['acuracy'] } });
// @ts-expect-error: 'Adamm' is not an optimizer class
model.compile({ optimizer: { className: 'Adamm' }, loss: 'mse' });
// @ts-expect-error: not a loss name
lossFromSpec('crossentropy');
// @ts-expect-error: not a metric name
metricFromSpec('f1');
