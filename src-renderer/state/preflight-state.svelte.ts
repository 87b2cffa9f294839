// Pre-flight timing: asks the lab to time a few batches of a planned run on its backend.
import type { EpochEstimate, LabApi } from '../../src-shared/api.ts';
import type { StartRunRequest } from '../../src-shared/schemas.ts';
import { messageOf } from './run-state.svelte.ts';

export class PreflightState {
  estimate = $state.raw<EpochEstimate | null>(null);
  /** The request the estimate was measured for (JSON), to tell when it went stale. */
  measuredFor = $state<string | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly api: LabApi) {}

  isCurrent(request: StartRunRequest | null): boolean {
    return request !== null && this.estimate !== null && this.measuredFor === keyOf(request);
  }

  async measure(request: StartRunRequest): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.error = null;
    const key = keyOf(request);
    try {
      this.estimate = await this.api.estimateEpoch(request);
      this.measuredFor = key;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}

/** Everything but the run's name decides the cost. */
function keyOf(request: StartRunRequest): string {
  const { name: _name, ...rest } = request;
  return JSON.stringify(rest);
}
