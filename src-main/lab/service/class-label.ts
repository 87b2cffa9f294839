// A class label that the payload schema lets through (any dataset's, up to MAX_CLASSES − 1) but the
// run in question does not have: the user's to fix, answered with 400 (user-errors.ts).
export class ClassLabelError extends Error {
  override name = 'ClassLabelError';
}

/** Throws a ClassLabelError naming the label and the run's class count when the run has no such class. */
export function checkClassLabel(field: string, label: number | undefined, runId: number, classCount: number): void {
  if (label === undefined || label < classCount) return;
  throw new ClassLabelError(`${field} ${label} is not a class of run ${runId}: it has ${classCount} classes (labels 0 to ${classCount - 1})`);
}
