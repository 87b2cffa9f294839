// Heavy one-off drawing (creating a chart: sizing its canvas, fitting its axes, its first draw) queued to run one
// job per animation frame, each in a task of its own after that frame, so that a screen opening with several charts paints between them instead of in one long
// task that stutters (the comparison of 10 runs created its three charts in one 200 ms task).

const queue: (() => void)[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  // The next frame, then a task of its own just after it: that frame paints what the page already has (the
  // comparison's tables) before the job adds to it, and no job shares a task with the frame's rendering.
  requestAnimationFrame(() => setTimeout(runNext, 0));
}

function runNext(): void {
  scheduled = false;
  const job = queue.shift();
  // The next job waits for the next frame whatever this one does; a job that throws must not stop the queue.
  schedule();
  job?.();
}

/** Runs `job` in a task of its own after the next frame, after the jobs queued before it; the returned function takes it back out. */
export function inOwnFrame(job: () => void): () => void {
  queue.push(job);
  schedule();
  return () => {
    const at = queue.indexOf(job);
    if (at >= 0) queue.splice(at, 1);
  };
}
