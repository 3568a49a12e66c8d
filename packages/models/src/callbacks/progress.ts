import type { Callback, Logs, TrainParams } from '../types.js';

/** Where progress goes: process.stdout by default; anything with write() in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressLoggerOptions {
  /** 0 silent, 1 progress bar (one line per epoch when not a TTY), 2 one line per epoch. Default: fit's verbose. */
  verbose?: 0 | 1 | 2;
  /** Output. Default: process.stdout, or console.log lines where there is none. */
  stream?: ProgressStream;
  /** Smallest time between two redraws of the bar, in ms. Default: 100. */
  refreshMs?: number;
  /** Clock in ms. Default: performance.now. */
  now?: () => number;
}

const BAR_WIDTH = 30;

/** Keras' number format: 4 decimals, or scientific when tiny. */
export function formatValue(v: number): string {
  return Math.abs(v) > 1e-3 || v === 0 || !Number.isFinite(v) ? v.toFixed(4) : v.toExponential(4);
}

function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `${s}s`;
}

const formatLogs = (logs: Logs) =>
  Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size')
    .map(([k, v]) => ` - ${k}: ${formatValue(v)}`)
    .join('');

/** " 234/469 [=========>....................]" */
export function progressBar(current: number, target: number): string {
  const digits = String(target).length;
  const filled = Math.floor((BAR_WIDTH * current) / target);
  const head = filled > 0 ? (current < target ? '>' : '=') : '';
  const bar = `${'='.repeat(Math.max(filled - 1, 0))}${head}${'.'.repeat(BAR_WIDTH - filled)}`;
  return `${String(current).padStart(digits)}/${target} [${bar}]`;
}

function defaultStream(): ProgressStream {
  const stdout = (globalThis as { process?: { stdout?: ProgressStream } }).process?.stdout;
  if (stdout !== undefined) return stdout;
  let line = '';
  return {
    write(text: string) {
      line = (line + text).split('\r').pop() ?? '';
      const parts = line.split('\n');
      line = parts.pop() ?? '';
      for (const p of parts) console.log(p);
    },
  };
}

/**
 * fit's progress output, Keras-style. In a terminal at verbose 1 it redraws a bar on batch end at most
 * every `refreshMs`, with values from an asynchronous `peek` the training loop supplies (never a
 * synchronous read, never one per batch), redrawn as soon as they arrive and marked with the batch they
 * were read at when training has moved on since; otherwise it prints one line per epoch.
 * @example
 * const progress = new ProgressLogger({ verbose: 1 });
 * progress.setPeek(() => readRunningLogs()); // the training loop does this
 */
export class ProgressLogger implements Callback {
  private readonly stream: ProgressStream;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly fixedVerbose: 0 | 1 | 2 | undefined;
  private params?: TrainParams;
  private peek?: () => Promise<Logs>;
  private inFlight: Promise<void> | undefined;
  private shown: Logs = {};
  /** Batches done when `shown` was read. */
  private shownAt = 0;
  private done = 0;
  private epochStart = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastLength = 0;

  constructor(options: ProgressLoggerOptions = {}) {
    this.fixedVerbose = options.verbose;
    this.stream = options.stream ?? defaultStream();
    this.refreshMs = options.refreshMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  /** The training loop's way to read the running loss and metrics asynchronously. */
  setPeek(fn: () => Promise<Logs>): void {
    this.peek = fn;
  }

  setParams(params: TrainParams): void {
    this.params = params;
  }

  private get verbose(): 0 | 1 | 2 {
    return this.fixedVerbose ?? this.params?.verbose ?? 1;
  }

  private get barMode(): boolean {
    return this.verbose === 1 && this.stream.isTTY === true;
  }

  private get epochs(): number {
    return this.params?.epochs ?? 0;
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = this.now();
    this.lastDraw = Number.NEGATIVE_INFINITY;
    this.shown = {};
    this.shownAt = 0;
    this.done = 0;
    this.lastLength = 0;
    if (this.barMode) this.stream.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  private draw(line: string): void {
    this.stream.write(`\r${line}${' '.repeat(Math.max(this.lastLength - line.length, 0))}`);
    this.lastLength = line.length;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (!this.barMode || this.params === undefined) return;
    this.done = batch + 1;
    const now = this.now();
    if (now - this.lastDraw < this.refreshMs) return;
    this.lastDraw = now;
    const { batch: _b, size: _s, ...values } = logs;
    if (Object.keys(values).length > 0) {
      this.shown = values;
      this.shownAt = this.done;
    } else if (this.peek !== undefined && this.inFlight === undefined) {
      const at = this.done;
      this.inFlight = this.peek()
        .then((v) => {
          this.shown = v;
          this.shownAt = at;
          // Show the values as soon as they arrive, not at the next redraw.
          if (this.done < (this.params?.steps ?? Number.POSITIVE_INFINITY)) this.drawBar();
        })
        .catch(() => {})
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    this.drawBar();
  }

  /** The bar at the current batch, with the latest values read and, when they lag, the batch they are from. */
  private drawBar(): void {
    const steps = this.params?.steps ?? null;
    const done = this.done;
    const stale =
      Object.keys(this.shown).length > 0 && this.shownAt < done ? ` (at ${this.shownAt}/${steps ?? 'Unknown'})` : '';
    if (steps === null) {
      // A dataset that does not say its length: Keras' "12/Unknown", no bar and no ETA.
      this.draw(
        `${done}/Unknown - ${formatEta((this.now() - this.epochStart) / 1000)}${formatLogs(this.shown)}${stale}`,
      );
      return;
    }
    const eta = ((this.now() - this.epochStart) / 1000 / done) * (steps - done);
    this.draw(`${progressBar(done, steps)} - ETA: ${formatEta(eta)}${formatLogs(this.shown)}${stale}`);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.verbose === 0) return;
    await this.inFlight;
    const seconds = (this.now() - this.epochStart) / 1000;
    if (this.barMode) {
      const steps = this.params?.steps ?? Math.max(this.done, 1);
      const perStep = Math.round((seconds * 1000) / steps);
      this.draw(`${progressBar(steps, steps)} - ${formatEta(seconds)} ${perStep}ms/step${formatLogs(logs)}`);
      this.stream.write('\n');
    } else {
      this.stream.write(`Epoch ${epoch + 1}/${this.epochs} - ${seconds.toFixed(1)}s${formatLogs(logs)}\n`);
    }
  }
}
