// The Sweeps screen's state: the lab's sweeps, the one shown (polled while it runs), its brushes, and a new
// sweep's grid as the user types it ("lr=0.1,0.01" a line).
import type { LabApi } from '../../src-shared/api.ts';
import type { StartRunRequest } from '../../src-shared/schemas.ts';
import { sweepMetricMaximised, type SweepDetail, type SweepParam, type SweepSummary, type SweepValue } from '../../src-shared/sweeps.ts';
import { brushed, buildAxes, rankItems, sweepEtaSeconds, type Axis } from '../lib/parallel-coordinates.ts';

/**
 * "lr=0.1,0.01" lines → params; for random search also ranges, "lr=0.0001:0.1:log" or "units@1=32:512:int"
 * (MIN:MAX, then optional log and int). A line that is neither is an error naming it.
 */
export function parseGridText(text: string): SweepParam[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line): SweepParam => {
      const m = /^([A-Za-z]+(?:@\d+)?)\s*=\s*(.+)$/.exec(line);
      if (!m) throw new Error(`"${line}" is not FIELD=V1,V2 or FIELD=MIN:MAX[:log][:int]`);
      const field = m[1] as string;
      const rhs = (m[2] as string).trim();
      const range = /^(-?[\d.eE+-]+)\s*:\s*(-?[\d.eE+-]+)((?:\s*:\s*(?:log|int))*)$/.exec(rhs);
      if (range) {
        const flags = (range[3] ?? '').split(':').map((f) => f.trim()).filter(Boolean);
        const [min, max] = [Number(range[1]), Number(range[2])];
        if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`"${line}": MIN and MAX must be numbers`);
        return { field, min, max, scale: flags.includes('log') ? 'log' : 'linear', integer: flags.includes('int') };
      }
      const values = rhs.split(',').map((v) => v.trim()).filter(Boolean).map((v): SweepValue => (v === 'true' || v === 'false' ? v === 'true' : Number.isFinite(Number(v)) ? Number(v) : v));
      return { field, values };
    });
}

export class SweepsState {
  sweeps = $state.raw<SweepSummary[]>([]);
  detail = $state.raw<SweepDetail | null>(null);
  brushes = $state.raw<ReadonlyMap<string, readonly [number, number]>>(new Map());
  gridText = $state('lr=0.1,0.01\nunits@1=64,128');
  /** Grid: every combination; random: `randomCount` seeded draws (ranges allowed). */
  searchKind = $state<'grid' | 'random'>('grid');
  randomCount = $state(8);
  randomSeed = $state(0);
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
      const search = this.searchKind === 'grid' ? { kind: 'grid' as const, params } : { kind: 'random' as const, params, count: this.randomCount, seed: this.randomSeed };
      const { sweepId } = await this.api.createSweep({ base, search, repeats: this.repeats, parallel: this.parallel });
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

  /** The queued items in the order they will start. */
  get queued(): SweepDetail['items'] {
    return this.detail ? this.detail.items.filter((i) => i.state === 'queued').sort((a, b) => a.position - b.position) : [];
  }

  /** Moves a queued item one place earlier (-1) or later (+1) in the queue; the lab keeps the new order. */
  async move(itemId: number, delta: -1 | 1): Promise<void> {
    if (!this.detail) return;
    const order = this.queued.map((i) => i.id);
    const from = order.indexOf(itemId);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= order.length) return;
    [order[from], order[to]] = [order[to] as number, order[from] as number];
    try {
      this.detail = await this.api.reorderSweep({ sweepId: this.detail.id, itemIds: order });
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }
}
