/** The CLI's help: the overview, and one text per command (`brickml help fit`, `brickml fit --help`). */

export const HELP = `Usage: brickml <command> [options]

Commands:
  fit <train.json>                     Train the model a training file describes; save it and its history chart
  evaluate <model> <train.json|data.json>
                                       Print the loss and metrics of a saved model on a training file's test
                                       (or validation) data, or on a data source file
  predict <model> <input.npy|csv> [-o out.npy|csv]
                                       Print (or write) a saved model's predictions for the inputs
  summary <model>                      Print the summary table of a model: a spec file, a saved model (folder,
                                       model.json), a tfjs-layers model.json or a .keras file
  plot <model> [-o out.svg]            Draw that model as an SVG picture, as Keras' plot_model does (default:
                                       beside the file, named like it with .svg)
  convert <in> <out> [--format f]      Save a model in another format: brickml, tfjs or keras
  backends                             Try to load every backend (cpu, wasm, webgpu, tensorflow) and say which work
  help <command>                       Show a command's help

Options:
  -o, --output <file>                  Where plot and predict write (- for stdout)
  -f, --format <brickml|tfjs|keras>    The format convert writes (default: keras for a .keras path, else brickml)
  -b, --backend <name>                 The backend fit, evaluate and predict run on (default: the training
                                       file's, else auto)
  -v, --version                        Print brickml's version
  -h, --help                           Show this help
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  fit: `Usage: brickml fit <train.json> [--backend <name>]

Trains the model a training file describes and writes the trained model and an SVG chart of its history.
The file holds: model (a spec, or the path of a saved model), compile (optimizer, loss, lossWeights,
metrics), fit (epochs, batchSize, validationSplit, shuffle, verbose, initialEpoch, classWeight, callbacks,
and resume: continue a saved model's run where it stopped, with its saved compile configuration and
optimizer state), data (train, validation, test: { kind: 'mnist' | 'csv' | 'npy', ... }), backend, seed and
output (model, history, format; only brickml's format keeps the run's progress for resume). Paths are
relative to the training file. Its JSON Schema is brickml/schema/training.json.
`,
  evaluate: `Usage: brickml evaluate <model> <train.json | data.json> [--backend <name>]

Prints the loss and metrics of a saved model. With a training file: on its data.test (else data.validation),
compiled with its compile section when it has one. With a data source file ({ "kind": "csv", ... }): the
model must have been saved with its training configuration.
`,
  predict: `Usage: brickml predict <model> <input.npy | input.csv> [-o out.npy | out.csv] [--backend <name>]

Runs a saved model on the inputs (a .npy file, or a CSV file whose every column is a feature; a header row
is skipped) and prints one CSV row per example, or writes them to -o as .npy (float32) or .csv.
`,
  summary: `Usage: brickml summary <model>

Prints the summary table (layers, output shapes, parameter counts) of a model spec file, a saved model
(folder or model.json), a tfjs-layers model.json or a .keras file.
`,
  plot: `Usage: brickml plot <model> [-o out.svg]

Draws the model as an SVG picture, as Keras' plot_model does. Written beside the model file, named like it
with .svg, unless -o says where (- for stdout).
`,
  convert: `Usage: brickml convert <in> <out> [--format brickml | tfjs | keras]

Loads a saved model (folder, model.json or .keras) and saves it at <out> in the given format (default:
keras when <out> ends in .keras, else brickml). A brickml copy keeps the training state fit.resume continues
from; tfjs and keras files cannot carry it.
`,
  backends: `Usage: brickml backends

Tries to load every backend (cpu, wasm, webgpu, tensorflow) and says which work.
`,
};
