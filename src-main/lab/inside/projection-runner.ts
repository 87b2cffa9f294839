// Runs a 2-D projection in a worker thread (projection-worker.ts), one thread per projection:
// the serving process's event loop stays free for Draw while umap-js works, and a failed or
// crashed projection takes only its own thread with it. From source the worker loads the
// TypeScript entry through tsx's loader; the Electron build hands in its bundled entry.
import { Worker } from 'node:worker_threads';
import type { ProjectionMethod } from '../../../src-shared/index.ts';
import type { ProjectionJob, ProjectionReply } from './projection-worker.ts';
import type { Points } from './projection.ts';

const SOURCE_ENTRY = new URL('./projection-worker.ts', import.meta.url).href;

/** Projects `points` to 2-D in a worker thread; `script` is a built (JavaScript) worker entry, absent from source. */
export function projectInWorker(method: ProjectionMethod, points: Points, seed: number, script?: string): Promise<[number, number][]> {
  // The points' buffer moves to the worker (a copy first, so the caller's array stays whole).
  const job: ProjectionJob = { method, points: { ...points, data: points.data.slice() }, seed };
  const options = { workerData: job, transferList: [job.points.data.buffer as ArrayBuffer] };
  const worker = script
    ? new Worker(script, options)
    : // A worker does not inherit the parent's tsx loader: it registers tsx itself, then loads the entry.
      new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(SOURCE_ENTRY)}); })`, { ...options, eval: true });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      done();
      void worker.terminate();
    };
    worker.once('message', (reply: ProjectionReply) =>
      settle(() => {
        if (!reply.ok) return reject(new Error(`the ${method} projection failed: ${reply.message}`));
        const out: [number, number][] = [];
        for (let i = 0; i < points.rows; i++) out.push([reply.xy[2 * i] ?? 0, reply.xy[2 * i + 1] ?? 0]);
        resolve(out);
      }),
    );
    worker.once('error', (error) => settle(() => reject(new Error(`the ${method} projection's worker failed: ${error.message}`))));
    worker.once('exit', (code) => settle(() => reject(new Error(`the ${method} projection's worker stopped (exit code ${code}) before it answered`))));
  });
}
