// Errors a user can act on (a bad spec, an unknown run, a full disk…), by class name, with the
// HTTP status the web bridge answers. The CLI prints these as one line without a stack trace;
// anything else is a bug. One list, so the CLI, the bridge and IPC agree.
export const USER_ERROR_STATUS: Readonly<Record<string, number>> = {
  PayloadError: 400,
  ArchitectureError: 400,
  DatasetError: 400,
  LabHomeError: 400,
  TrainConfigError: 400,
  UnknownCommandError: 404,
  BackendError: 409,
  RunStateError: 409,
  LabAtCapacityError: 409,
  // A sweep whose space cannot be expanded (over its cap, a field the model lacks, a variant the lab refuses).
  SweepError: 400,
  // A class label beyond the run's own classes (the schema allows any dataset's).
  ClassLabelError: 400,
  // An image that does not fit the model, a layer without weights, a missing checkpoint (inside views).
  InsideInputError: 400,
  // StoreError's status depends on its code (not-found, disk-full, …): see userErrorStatus.
  StoreError: 500,
};

const STORE_STATUS: Readonly<Record<string, number>> = { 'not-found': 404, conflict: 409, 'disk-full': 507 };

/** The status for a user error, or null when the error is not one (an internal failure). */
export function userErrorStatus(error: unknown): number | null {
  if (!(error instanceof Error) || !(error.name in USER_ERROR_STATUS)) return null;
  if (error.name === 'StoreError') return STORE_STATUS[(error as { code?: string }).code ?? ''] ?? 500;
  return USER_ERROR_STATUS[error.name] ?? null;
}
