/**
 * Starts derive-worker.ts and hands it chunks: `derive` answers in the order asked. The worker is
 * found next to this module (dist/app/store/ or the CLI bundle); run from the TypeScript sources
 * (tests) there is none, and the caller computes on its own thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvariantError } from '../../engine/assert.js';
import type { EngineConfig } from '../../engine/config.js';
import type { FxRate, Plan } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import type { DerivedCells, SourceDocuments } from '../../store/store-port.js';

export interface DerivedChunk {
  readonly tables: readonly DerivedCells[];
  readonly rejects: ReadonlyArray<RejectedRow & { readonly customerId: string }>;
}

export interface Deriver {
  derive(documents: SourceDocuments): Promise<DerivedChunk>;
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly tables?: ReadonlyArray<{ readonly table: string; readonly json: string }>;
  readonly rejects?: DerivedChunk['rejects'];
  readonly error?: { readonly name: string; readonly message: string; readonly stack?: string };
}

export function deriveWorkerScript(): URL | null {
  const script = new URL('./derive-worker.js', import.meta.url);
  return script.protocol === 'file:' && existsSync(fileURLToPath(script)) ? script : null;
}

/**
 * `threads` workers take chunks in turn; answers still come in the order asked, since the caller
 * awaits them in that order.
 */
export function startDeriver(script: URL, setup: { config: EngineConfig; plans: readonly Plan[]; fxRates: readonly FxRate[] }, threads = 1): Deriver {
  const waiting = new Map<number, { resolve: (chunk: DerivedChunk) => void; reject: (error: Error) => void }>();
  let next = 0;
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const onReply = (reply: Reply) => {
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if (reply.error) {
      // An engine invariant stays an invariant (exit 1 with its message), whichever thread broke it.
      const error = reply.error.name === 'InvariantError' ? new InvariantError(reply.error.message) : new Error(`${reply.error.name}: ${reply.error.message}`);
      if (reply.error.stack) error.stack = reply.error.stack;
      entry.reject(error);
      return;
    }
    entry.resolve({ tables: (reply.tables ?? []).map(({ table, json }) => ({ table, rows: JSON.parse(json) as DerivedCells['rows'] })), rejects: reply.rejects ?? [] });
  };
  const workers = Array.from({ length: Math.max(1, threads) }, () => {
    // None of the main thread's flags (they may name its script: --input-type, --eval), but its
    // large young generation (bin/runrate's --max-semi-space-size=64: three semi-spaces' worth),
    // which the engine's short-lived objects need as much here.
    const worker = new Worker(script, { workerData: setup, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 192 } });
    worker.on('message', onReply);
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => {
      if (waiting.size > 0) failAll(new Error(`a computing thread stopped (exit code ${code}) with chunks unanswered`));
    });
    return worker;
  });
  return {
    derive(documents) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[id % workers.length]!.postMessage({ id, documents });
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
