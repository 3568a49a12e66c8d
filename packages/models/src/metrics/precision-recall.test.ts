import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Precision } from './precision.js';
import { Recall } from './recall.js';

type Values = number[] | number[][];
type Config = ConstructorParameters<typeof Precision>[0] & ConstructorParameters<typeof Recall>[0];

/** Streams the batches into a new metric of the class and config; returns every value it reads. */
async function measure(
  Kind: typeof Precision | typeof Recall,
  config: Config,
  batches: [Values, Values, Values?][],
): Promise<number[]> {
  const m = new Kind(config);
  for (const [yTrue, yPred, w] of batches) {
    const tensors = [tf.tensor(yTrue), tf.tensor(yPred), ...(w ? [tf.tensor(w)] : [])];
    m.update(tensors[0] as tf.Tensor, tensors[1] as tf.Tensor, tensors[2]);
    tf.dispose(tensors);
  }
  const values = await m.results();
  m.dispose();
  return values;
}

function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (const [i, v] of expected.entries()) expect(actual[i], `${what} [${i}]`).toBeCloseTo(v, 5);
}

// Keras 3, keras/src/metrics/confusion_metrics_test.py (PrecisionTest, RecallTest) and the docstrings:
// [class, config, batches, expected values, what].
const goldens: [typeof Precision | typeof Recall, Config, [Values, Values, Values?][], number[], string][] = [
  [
    Precision,
    {},
    [
      [
        [0, 1, 1, 1],
        [1, 0, 1, 1],
      ],
    ],
    [2 / 3],
    'docstring',
  ],
  [
    Precision,
    {},
    [
      [
        [0, 1, 1, 1],
        [1, 0, 1, 1],
        [0, 0, 1, 0],
      ],
    ],
    [1],
    'docstring, weighted',
  ],
  [
    Precision,
    { topK: 2 },
    [
      [
        [0, 0, 1, 1],
        [1, 1, 1, 1],
      ],
    ],
    [0],
    'docstring, topK 2',
  ],
  [
    Precision,
    { topK: 4 },
    [
      [
        [0, 0, 1, 1],
        [1, 1, 1, 1],
      ],
    ],
    [0.5],
    'docstring, topK 4',
  ],
  [
    Precision,
    {},
    [
      [
        [0, 1, 1, 0],
        [1, 0, 1, 0],
      ],
    ],
    [0.5],
    'test_unweighted',
  ],
  [
    Precision,
    { thresholds: [0.5] },
    [
      [
        [[0], [1], [0]],
        [[1], [0], [1]],
      ],
    ],
    [0],
    'test_unweighted_all_incorrect',
  ],
  [
    Precision,
    {},
    [
      [
        [
          [0, 1, 1, 0],
          [1, 0, 0, 1],
        ],
        [
          [1, 0, 1, 0],
          [1, 0, 1, 0],
        ],
        [
          [1, 2, 3, 4],
          [4, 3, 2, 1],
        ],
      ],
    ],
    [7 / 10],
    'test_weighted',
  ],
  [
    Precision,
    {},
    [
      [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    ],
    [0],
    'test_div_by_zero',
  ],
  [
    Precision,
    { thresholds: [0.5, 0.7] },
    [
      [
        [0, 1, 1, 0],
        [1, 0, 0.6, 0],
      ],
    ],
    [0.5, 0],
    'test_unweighted_with_threshold',
  ],
  [
    Precision,
    { thresholds: [0.5, 1] },
    [
      [
        [
          [0, 1],
          [1, 0],
        ],
        [
          [1, 0],
          [0.6, 0],
        ],
        [
          [4, 0],
          [3, 1],
        ],
      ],
    ],
    [3 / 7, 0],
    'test_weighted_with_threshold',
  ],
  [
    Precision,
    { topK: 3 },
    [
      [
        [0, 1, 1, 0, 0],
        [0.2, 0.1, 0.5, 0, 0.2],
      ],
    ],
    [1 / 3],
    'test_unweighted_top_k',
  ],
  [
    Precision,
    { topK: 3 },
    [
      [[[0, 1, 1, 0, 1]], [[0.2, 0.1, 0.4, 0, 0.2]], [[1, 4, 2, 3, 5]]],
      [
        [1, 0, 1, 1, 1],
        [0.2, 0.6, 0.4, 0.2, 0.2],
        [3, 3, 3, 3, 3],
      ],
    ],
    [13 / 17],
    'test_weighted_top_k',
  ],
  [
    Precision,
    { thresholds: 0.7, topK: 2 },
    [
      [
        [0, 1, 1, 0, 1],
        [0.2, 0.8, 0.6, 0, 0.2],
      ],
    ],
    [1],
    'top_k_and_threshold',
  ],
  [
    Recall,
    {},
    [
      [
        [0, 1, 1, 1],
        [1, 0, 1, 1],
      ],
    ],
    [2 / 3],
    'docstring',
  ],
  [
    Recall,
    {},
    [
      [
        [0, 1, 1, 1],
        [1, 0, 1, 1],
        [0, 0, 1, 0],
      ],
    ],
    [1],
    'docstring, weighted',
  ],
  [
    Recall,
    {},
    [
      [
        [0, 1, 1, 0],
        [1, 0, 1, 0],
      ],
    ],
    [0.5],
    'test_unweighted',
  ],
  [
    Recall,
    { thresholds: [0.5] },
    [
      [
        [[0], [1], [0]],
        [[1], [0], [1]],
      ],
    ],
    [0],
    'test_unweighted_all_incorrect',
  ],
  [
    Recall,
    {},
    [
      [
        [
          [0, 1, 1, 0],
          [1, 0, 0, 1],
        ],
        [
          [1, 0, 1, 0],
          [0, 1, 0, 1],
        ],
        [
          [1, 2, 3, 4],
          [4, 3, 2, 1],
        ],
      ],
    ],
    [4 / 10],
    'test_weighted',
  ],
  [
    Recall,
    {},
    [
      [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    ],
    [0],
    'test_div_by_zero',
  ],
  [
    Recall,
    { thresholds: [0.5, 0.7] },
    [
      [
        [0, 1, 1, 0],
        [1, 0, 0.6, 0],
      ],
    ],
    [0.5, 0],
    'test_unweighted_with_threshold',
  ],
  [
    Recall,
    { thresholds: [0.5, 1] },
    [
      [
        [
          [0, 1],
          [1, 0],
        ],
        [
          [1, 0],
          [0.6, 0],
        ],
        [
          [1, 4],
          [3, 2],
        ],
      ],
    ],
    [3 / 7, 0],
    'test_weighted_with_threshold',
  ],
  [
    Recall,
    { topK: 3 },
    [
      [
        [0, 1, 1, 0, 0],
        [0.2, 0.1, 0.5, 0, 0.2],
      ],
    ],
    [0.5],
    'test_unweighted_top_k',
  ],
  [
    Recall,
    { topK: 3 },
    [
      [[[0, 1, 1, 0, 1]], [[0.2, 0.1, 0.4, 0, 0.2]], [[1, 4, 2, 3, 5]]],
      [
        [1, 0, 1, 1, 1],
        [0.2, 0.6, 0.4, 0.2, 0.2],
        [3, 3, 3, 3, 3],
      ],
    ],
    [13 / 23],
    'test_weighted_top_k',
  ],
  [
    Recall,
    { thresholds: 0.7, topK: 2 },
    [
      [
        [1, 1, 1, 0, 1],
        [0.2, 0.8, 0.6, 0, 0.2],
      ],
    ],
    [0.25],
    'top_k_and_threshold',
  ],
];

const classIdTrue = [
  [0, 0, 1],
  [1, 0, 0],
  [0, 1, 0],
  [1, 0, 0],
  [0, 0, 1],
];
const classIdPred = [
  [0.1, 0.2, 0.7],
  [0.5, 0.3, 0.2],
  [0.2, 0.6, 0.2],
  [0.7, 0.2, 0.1],
  [0.1, 0.1, 0.8],
];

describe('Precision and Recall', () => {
  forEachBackend(() => {
    test('match Keras: thresholds (one or several), topK, sample weights per example or per element', async () => {
      for (const [Kind, config, batches, expected, what] of goldens) {
        expectClose(await measure(Kind, config, batches), expected, `${Kind.name} ${what}`);
      }
    });

    test('stream over updates: two updates count twice (Keras test_multiple_updates)', async () => {
      const batch: [Values, Values, Values] = [
        [
          [0, 1],
          [1, 0],
        ],
        [
          [1, 0],
          [0.6, 0],
        ],
        [
          [4, 0],
          [3, 1],
        ],
      ];
      const precision = await measure(Precision, { thresholds: [0.5, 1] }, [batch, batch]);
      expectClose(precision, [6 / 14, 0], 'Precision');
      const recallBatch: [Values, Values, Values] = [
        batch[0],
        batch[1],
        [
          [1, 4],
          [3, 2],
        ],
      ];
      expectClose(await measure(Recall, { thresholds: [0.5, 1] }, [recallBatch, recallBatch]), [6 / 14, 0], 'Recall');
    });

    test('classId counts one column (Keras test_unweighted_class_id_multiclass)', async () => {
      for (const Kind of [Precision, Recall]) {
        expectClose(await measure(Kind, { classId: 1 }, [[classIdTrue, classIdPred]]), [1], Kind.name);
      }
      // class 0 (true in rows 1 and 3): row 3's 0.7 is a hit, row 1's 0.5 is not above 0.5, a miss
      expectClose(await measure(Precision, { classId: 0 }, [[classIdTrue, classIdPred]]), [1], 'Precision class 0');
      expectClose(await measure(Recall, { classId: 0 }, [[classIdTrue, classIdPred]]), [0.5], 'Recall class 0');
    });

    test('leak no tensor over update, result and reset, with topK and several thresholds', async () => {
      const [y, p, w] = [tf.tensor2d(classIdTrue), tf.tensor2d(classIdPred), tf.tensor1d([1, 2, 1, 1, 2])];
      for (const m of [new Precision({ topK: 2, thresholds: [0.1, 0.5] }), new Recall({ classId: 2 })]) {
        await expectNoLeak(async () => {
          m.update(y, p, w);
          await m.results();
          m.reset();
        });
        m.dispose();
      }
      tf.dispose([y, p, w]);
    });
  });

  test('result() reads one threshold and refuses several', async () => {
    const one = new Precision({ thresholds: [0.7] });
    one.update(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.8, 0.1]));
    expect(await one.result()).toBeCloseTo(0.5, 6);
    one.dispose();
    const two = new Recall({ thresholds: [0.3, 0.7] });
    await expect(two.result()).rejects.toThrow(
      "Recall 'recall': 2 thresholds give one value each; give each threshold its own metric and name, and logs hold one number per name (results() reads every value)",
    );
    two.dispose();
  });

  test('name their errors: classId without a class axis, topK above it, thresholds outside [0, 1]', () => {
    const byClass = new Precision({ classId: 2 });
    expect(() => byClass.update(tf.tensor1d([0, 1, 1, 0, 0]), tf.tensor1d([0.2, 0.1, 0.6, 0, 0.2]))).toThrow(
      'precision: classId 2 needs predictions shaped [N, C] with C > 2, received [5]',
    );
    const top = new Recall({ topK: 4 });
    expect(() => top.update(tf.zeros([2, 3]), tf.zeros([2, 3]))).toThrow(
      'recall: topK must be at most the last axis of yPred (3), received 4',
    );
    byClass.dispose();
    top.dispose();
    expect(() => new Precision({ thresholds: [0.5, 1.5] })).toThrow(/Precision: thresholds/);
  });
});
