import { BrickError, configObject, parseConfig } from '@brickml/core';
import { z } from 'zod';
import { type FileSystem, fileSystem, isMissing } from '../io/file-system.js';
import { writeFileAtomic } from '../io/folder-handler.js';
import type { Callback, Logs } from '../types.js';

export const CSVLoggerConfig = configObject({
  /** Path of the CSV file. Required. */
  filename: z.string().min(1),
  /** Field separator. Default: ','. */
  separator: z.string().min(1).default(','),
  /** Add rows to an existing file instead of overwriting it. Default: false. */
  append: z.boolean().default(false),
});

/**
 * Writes one CSV row per epoch (`epoch` then the log keys, sorted, as Keras does) to a file. Each
 * epoch rewrites the whole file through a temporary file and a rename, so a reader never sees half a
 * row. Node only (it writes through the file system brickml's Node entry installs).
 * @example
 * callbacks: [new CSVLogger({ filename: 'training.csv' })]
 */
export class CSVLogger implements Callback {
  readonly config: z.output<typeof CSVLoggerConfig>;
  private fs?: FileSystem;
  private keys: string[] | undefined;
  private text = '';

  constructor(config: z.input<typeof CSVLoggerConfig>) {
    this.config = parseConfig('CSVLogger', CSVLoggerConfig, config);
  }

  async onTrainBegin(): Promise<void> {
    this.fs = fileSystem('CSVLogger');
    this.keys = undefined;
    this.text = '';
    if (this.config.append) {
      const fs = this.fs;
      this.text = await fs.readFile(this.config.filename).then(
        (bytes) => new TextDecoder().decode(bytes),
        (e) => (isMissing(e) ? '' : Promise.reject(e)),
      );
      if (this.text !== '' && !this.text.endsWith('\n')) this.text += '\n';
      const header = this.text.split('\n', 1)[0];
      if (header) this.keys = header.split(this.config.separator).slice(1);
    }
  }

  private cell(value: number | undefined): string {
    if (value === undefined) return 'NA';
    const s = String(value);
    return s.includes(this.config.separator) ? `"${s}"` : s;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const fs = this.fs;
    if (fs === undefined) throw new BrickError('CSVLogger: onTrainBegin was not called before onEpochEnd', 'CSVLogger');
    const sep = this.config.separator;
    if (this.keys === undefined) {
      this.keys = Object.keys(logs).sort();
      this.text += `${['epoch', ...this.keys].join(sep)}\n`;
    }
    this.text += `${[String(epoch), ...this.keys.map((k) => this.cell(logs[k]))].join(sep)}\n`;
    await writeFileAtomic(fs, this.config.filename, new TextEncoder().encode(this.text));
  }
}
