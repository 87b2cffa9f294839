// A command that doesn't fit the run's state (not running, no such checkpoint, the lab closing,
// too many runs training): the user's to act on, answered with 409.
export class RunStateError extends Error {
  override name = 'RunStateError';
}

/** The lab already trains its limit of runs at once: a queue waits for a run to end instead of failing. */
export class LabAtCapacityError extends RunStateError {
  override name = 'LabAtCapacityError';
}
