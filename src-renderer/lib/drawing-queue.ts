// Heavy one-off drawing (creating a chart: sizing its canvas, fitting its axes, its first draw) queued to run one job
// per task, so that a screen opening with several charts paints between them instead of in one long task that
// stutters (the comparison of 10 runs created its three charts in one task of 200–400 ms). The first job of a burst
// waits for the next frame, which paints what the page already has (the comparison's tables) first; the jobs after
// it follow task by task, without waiting for a frame each (the browser renders between tasks when a frame is due).

const queue: (() => void)[] = [];
/** A job's task is on its way (or a frame is awaited before it). */
let pending = false;

function runNext(): void {
  pending = false;
  const job = queue.shift();
  if (queue.length > 0) {
    // Posted before the job runs: a job that throws must not stop the queue.
    pending = true;
    setTimeout(runNext, 0);
  }
  job?.();
}

/** Runs `job` in a task of its own, after the jobs queued before it; the returned function takes it back out. */
export function queueDrawing(job: () => void): () => void {
  queue.push(job);
  if (!pending) {
    pending = true;
    requestAnimationFrame(() => setTimeout(runNext, 0));
  }
  return () => {
    const at = queue.indexOf(job);
    if (at >= 0) queue.splice(at, 1);
  };
}
