// The Sweeps screen's state: the lab's sweeps, the one shown (polled while it runs), its brushes, and a new
// sweep's grid as the user types it ("lr=0.1,0.01" a line).
import type { LabApi } from '../../src-shared/api.ts';
import type { StartRunRequest } from '../../src-shared/schemas.ts';
import { sweepMetricMaximised, type SweepDetail, type SweepSummary, type SweepValue } from '../../src-shared/sweeps.ts';
import { brushed, buildAxes, rankItems, sweepEtaSeconds, type Axis } from '../lib/parallel-coordinates.ts';

/** "lr=0.1,0.01" lines → grid params; a line that is not FIELD=V1,V2 is an error naming it. */
export function parseGridText(text: string): { field: string; values: SweepValue[] }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^([A-Za-z]+(?:@\d+)?)\s*=\s*(.+)$/.exec(line);
      if (!m) throw new Error(`"${line}" is not FIELD=V1,V2`);
      const values = (m[2] as string).split(',').map((v) => v.trim()).filter(Boolean).map((v): SweepValue => (v === 'true' || v === 'false' ? v === 'true' : Number.isFinite(Number(v)) ? Number(v) : v));
      return { field: m[1] as string, values };
    });
}

export class SweepsState {
  sweeps = $state.raw<SweepSummary[]>([]);
  detail = $state.raw<SweepDetail | null>(null);
  brushes = $state.raw<ReadonlyMap<string, readonly [number, number]>>(new Map());
  gridText = $state('lr=0.1,0.01\nunits@1=64,128');
  repeats = $state(1);
  parallel = $state(1);
  error = $state<string | null>(null);
  busy = $state(false);

  readonly axes: Axis[] = $derived(this.detail ? buildAxes(this.detail.items.filter((i) => i.state === 'done'), this.detail.fields, this.detail.metric) : []);
  readonly finished = $derived(this.detail ? this.detail.items.filter((i) => i.state === 'done') : []);
  readonly kept = $derived(brushed(this.finished, this.axes, this.brushes));
  readonly ranked = $derived(this.detail ? rankItems(this.kept, sweepMetricMaximised(this.detail.metric)) : []);
  readonly etaSeconds = $derived(this.detail ? sweepEtaSeconds(this.detail.items, this.detail.parallel) : null);

  constructor(private readonly api: LabApi) {}

  async refresh(): Promise<void> {
    try {
      this.sweeps = await this.api.listSweeps(undefined);
      if (this.detail) this.detail = await this.api.getSweep({ sweepId: this.detail.id });
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  async open(sweepId: number): Promise<void> {
    this.detail = await this.api.getSweep({ sweepId });
    this.brushes = new Map();
  }

  /** Queues the grid over the base run request; returns the sweep id or null with `error` set. */
  async create(base: StartRunRequest | null): Promise<number | null> {
    if (!base) {
      this.error = 'the model or the Train settings are not valid yet';
      return null;
    }
    this.busy = true;
    try {
      const params = parseGridText(this.gridText);
      const { sweepId } = await this.api.createSweep({ base, search: { kind: 'grid', params }, repeats: this.repeats, parallel: this.parallel });
      await this.open(sweepId);
      await this.refresh();
      return sweepId;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.busy = false;
    }
  }

  brush(axis: string, span: readonly [number, number] | null): void {
    const next = new Map(this.brushes);
    if (span === null || span[1] - span[0] < 0.01) next.delete(axis);
    else next.set(axis, span);
    this.brushes = next;
  }

  async control(action: 'pauseSweep' | 'resumeSweep' | 'cancelSweep'): Promise<void> {
    if (!this.detail) return;
    try {
      await this.api[action]({ sweepId: this.detail.id });
      await this.refresh();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }
}
