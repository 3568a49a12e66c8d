/**
 * The helper threads of brickml's own wasm products in Node (wasm-helpers.ts): worker_threads that share
 * the threaded build's memory. Each helper waits on a small shared control block; a job is a list of
 * chunks of calls (a module's id and its run's arguments) written into the block, then a bump of its
 * job number. All threads claim chunks from one shared counter. A helper instantiates a module the first
 * time it meets its id, from a message posted before the job, and signals the end of a job by copying the
 * job number. Both sides spin briefly before they sleep (Atomics.wait), since a training step hands out
 * dozens of jobs of a millisecond or less.
 */
import { CALL_ARGS, type KernelHelpers, type ProductCall } from './wasm-helpers.js';
import { nodeRequire } from './wasm-threads-node.js';

/**
 * Control block: job number, finished job number, failed (0/1), chunks, chunks the helper ran, then where
 * each chunk's calls start (and where the last ends), then each call: its module's id and run's arguments.
 */
const [JOB, DONE, FAILED, CHUNKS, RAN, STARTS] = [0, 1, 2, 3, 4, 5];
/** The most chunks and calls one job takes. */
const [MAX_CHUNKS, MAX_CALLS] = [256, 2048];
const [CALLS, CALL] = [STARTS + MAX_CHUNKS + 1, 1 + CALL_ARGS];
/**
 * Milliseconds either side spins before sleeping (Atomics.wait). Waking a sleeping thread took 0.1-0.4 ms on
 * a 2-vCPU machine, but a longer spin slowed the other thread's work: the addition_rnn step measured 17.5 ms
 * with products on one thread, 18.5 with no spin, 16.4 with 0.05 ms and 24.6 with 0.5 ms.
 */
const SPIN_MS = 0.05;
/** How long a caller waits for a helper's job before it gives up: far beyond any product's time. */
const WAIT_MS = 120_000;

const WORKER = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { memory, control, claims, port } = workerData;
const ctl = new Int32Array(control);
const claim = new Int32Array(claims);
const runs = [];
let seen = 0;
for (;;) {
  for (let until = performance.now() + ${SPIN_MS}; Atomics.load(ctl, ${JOB}) === seen && performance.now() < until; );
  Atomics.wait(ctl, ${JOB}, seen);
  seen = Atomics.load(ctl, ${JOB});
  let [failed, ran] = [0, 0];
  try {
    for (let c = Atomics.add(claim, 0, 1), n = ctl[${CHUNKS}]; c < n; c = Atomics.add(claim, 0, 1)) {
      ran++;
      for (let i = ctl[${STARTS} + c], end = ctl[${STARTS} + c + 1]; i < end; i++) {
        const at = ${CALLS} + ${CALL} * i;
        const id = ctl[at];
        // Posted before the job; allow for a message still on its way.
        for (const since = performance.now(); runs[id] === undefined; ) {
          const got = receiveMessageOnPort(port);
          if (got) runs[got.message.id] = new WebAssembly.Instance(got.message.module, { env: { memory } }).exports.run;
          else if (performance.now() - since > 10000) throw new Error('module ' + id + ' never arrived');
        }
        runs[id](${Array.from({ length: CALL_ARGS }, (_, p) => `ctl[at + ${p + 1}]`).join(', ')});
      }
    }
  } catch (e) {
    failed = 1;
    port.postMessage(String(e && e.stack || e));
  }
  ctl[${RAN}] = ran;
  Atomics.store(ctl, ${FAILED}, failed);
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

interface Port {
  postMessage(message: unknown, transfer?: unknown[]): void;
}
interface WorkerThreads {
  Worker: new (
    code: string,
    options: { eval: true; workerData: unknown; transferList: unknown[] },
  ) => { unref(): void; once(event: string, f: (...args: unknown[]) => void): void; terminate(): Promise<number> };
  MessageChannel: new () => { port1: Port; port2: Port };
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}

/**
 * Starts `count` helper threads over `memory` (a shared WebAssembly.Memory); resolves once all run, rejects
 * (and stops them) when one cannot start.
 */
export async function startKernelHelpers(
  memory: object,
  count: number,
  { timeoutMs = 30_000, waitMs = WAIT_MS } = {},
): Promise<KernelHelpers> {
  const threads = (await nodeRequire())('node:worker_threads') as WorkerThreads;
  const claims = new Int32Array(new SharedArrayBuffer(4));
  const helpers = Array.from({ length: count }, () => {
    const control = new SharedArrayBuffer(4 * (CALLS + CALL * MAX_CALLS));
    const { port1, port2 } = new threads.MessageChannel();
    const worker = new threads.Worker(WORKER, {
      eval: true,
      workerData: { memory, control, claims: claims.buffer, port: port2 },
      transferList: [port2],
    });
    return { worker, port: port1, ctl: new Int32Array(control), sent: new Set<number>() };
  });
  try {
    await Promise.all(
      helpers.map(
        ({ worker }) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no helper thread in ${timeoutMs} ms`)), timeoutMs);
            worker.once('online', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.once('error', (e) => {
              clearTimeout(timer);
              reject(e);
            });
          }),
      ),
    );
  } catch (e) {
    await Promise.all(helpers.map(({ worker }) => worker.terminate()));
    throw e;
  }
  // Node may exit while they wait for work.
  for (const { worker } of helpers) worker.unref();

  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const idOf = (module: object) => {
    let id = ids.get(module);
    if (id === undefined) {
      id = nextId++;
      ids.set(module, id);
    }
    return id;
  };
  const helper = (h: number) => {
    const found = helpers[h];
    if (!found) throw new Error(`no helper thread ${h} (there are ${count})`);
    return found;
  };
  return {
    count,
    maxCalls: MAX_CALLS,
    close: async () => {
      await Promise.all(helpers.map(({ worker }) => worker.terminate()));
    },
    start(chunks: readonly (readonly ProductCall[])[]) {
      const total = chunks.reduce((n, calls) => n + calls.length, 0);
      if (chunks.length > MAX_CHUNKS || total > MAX_CALLS) {
        throw new Error(
          `${chunks.length} chunks of ${total} calls in one job (at most ${MAX_CHUNKS} and ${MAX_CALLS})`,
        );
      }
      Atomics.store(claims, 0, 0);
      for (const { port, ctl, sent } of helpers) {
        let i = 0;
        for (const [c, calls] of chunks.entries()) {
          ctl[STARTS + c] = i;
          for (const { module, args } of calls) {
            if (args.length > CALL_ARGS) throw new Error(`a call of ${args.length} arguments (at most ${CALL_ARGS})`);
            const id = idOf(module);
            if (!sent.has(id)) {
              port.postMessage({ id, module });
              sent.add(id);
            }
            const at = CALLS + CALL * i++;
            ctl[at] = id;
            ctl.set(args, at + 1);
          }
        }
        ctl[STARTS + chunks.length] = i;
        ctl[CHUNKS] = chunks.length;
        Atomics.add(ctl, JOB, 1);
        Atomics.notify(ctl, JOB);
      }
    },
    claim: () => Atomics.add(claims, 0, 1),
    wait(h: number) {
      const { port, ctl } = helper(h);
      const job = Atomics.load(ctl, JOB);
      for (let until = performance.now() + SPIN_MS; Atomics.load(ctl, DONE) !== job && performance.now() < until; );
      // A helper that died (which no event can say while this thread blocks) must not hang the process.
      const deadline = performance.now() + waitMs;
      for (let done = Atomics.load(ctl, DONE); done !== job; done = Atomics.load(ctl, DONE)) {
        if (Atomics.wait(ctl, DONE, done, 1000) === 'timed-out' && performance.now() > deadline) {
          throw new Error(`a helper thread did not finish its product in ${waitMs / 1000} s`);
        }
      }
      if (Atomics.load(ctl, FAILED)) {
        const why = threads.receiveMessageOnPort(port)?.message;
        throw new Error(`a helper thread's product failed: ${String(why)}`);
      }
      return ctl[RAN] as number;
    },
  };
}
