// Parallel coordinates, pure: one axis per swept field plus the metric, each mapping a run's value to [0, 1]
// (numbers linear, or log for learning rates; categories evenly spaced), and brushing as [lo, hi] on an axis.
import type { SweepItem, SweepValue } from '../../src-shared/sweeps.ts';

export interface Axis {
  key: string;
  label: string;
  /** Where a value sits, 0 (bottom) to 1 (top); null when the run has none. */
  position: (value: SweepValue | null | undefined) => number | null;
  /** Tick labels at their positions. */
  ticks: { at: number; label: string }[];
}

/** A brush: the span of an axis (in 0–1 positions) whose runs are kept. */
export type Brushes = ReadonlyMap<string, readonly [number, number]>;

const fmt = (x: number) => (Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.001) ? x.toExponential(1) : String(Number(x.toPrecision(3))));

function axisOf(key: string, label: string, values: (SweepValue | null | undefined)[], log: boolean): Axis {
  const present = values.filter((v): v is SweepValue => v !== null && v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'number')) {
    const nums = present as number[];
    const useLog = log && nums.every((n) => n > 0);
    const t = (n: number) => (useLog ? Math.log(n) : n);
    const lo = Math.min(...nums.map(t));
    const hi = Math.max(...nums.map(t));
    const position = (v: SweepValue | null | undefined) => (typeof v !== 'number' ? null : hi === lo ? 0.5 : (t(v) - lo) / (hi - lo));
    const distinct = [...new Set(nums)].sort((a, b) => a - b);
    const tickValues = distinct.length <= 6 ? distinct : [0, 0.25, 0.5, 0.75, 1].map((f) => (useLog ? Math.exp(lo + f * (hi - lo)) : lo + f * (hi - lo)));
    // Labels closer than 6% of the axis would overlap: the first of them is kept.
    const ticks: Axis['ticks'] = [];
    for (const v of tickValues) {
      const at = position(v) ?? 0.5;
      if (ticks.every((t) => Math.abs(t.at - at) >= 0.06)) ticks.push({ at, label: fmt(v) });
    }
    return { key, label, position, ticks };
  }
  const categories = [...new Set(present.map(String))];
  const position = (v: SweepValue | null | undefined) => {
    if (v === null || v === undefined) return null;
    const i = categories.indexOf(String(v));
    return i < 0 ? null : categories.length === 1 ? 0.5 : i / (categories.length - 1);
  };
  return { key, label, position, ticks: categories.map((c, i) => ({ at: categories.length === 1 ? 0.5 : i / (categories.length - 1), label: c })) };
}

export const METRIC_AXIS = '__metric';

/** The swept fields (in order, plus seed when repeated) and the metric, over the finished items. */
export function buildAxes(items: readonly SweepItem[], fields: readonly string[], metric: string): Axis[] {
  const keys = [...fields, ...(items.some((i) => 'seed' in i.params) ? ['seed'] : [])];
  return [
    ...keys.map((k) => axisOf(k, k, items.map((i) => i.params[k]), k === 'lr')),
    axisOf(METRIC_AXIS, metric, items.map((i) => i.run?.metric ?? null), false),
  ];
}

export function valueOn(item: SweepItem, axis: Axis): SweepValue | null {
  return axis.key === METRIC_AXIS ? (item.run?.metric ?? null) : (item.params[axis.key] ?? null);
}

/** The items inside every brush (an item without a value on a brushed axis is out). */
export function brushed(items: readonly SweepItem[], axes: readonly Axis[], brushes: Brushes): SweepItem[] {
  if (brushes.size === 0) return [...items];
  const active = axes.filter((a) => brushes.has(a.key));
  return items.filter((item) =>
    active.every((axis) => {
      const [lo, hi] = brushes.get(axis.key) as readonly [number, number];
      const p = axis.position(valueOn(item, axis));
      return p !== null && p >= lo - 1e-9 && p <= hi + 1e-9;
    }),
  );
}

/** Finished items with a metric, best first. */
export function rankItems(items: readonly SweepItem[], maximise: boolean): SweepItem[] {
  return items
    .filter((i) => i.run?.metric !== null && i.run?.metric !== undefined)
    .sort((a, b) => (maximise ? -1 : 1) * ((a.run!.metric as number) - (b.run!.metric as number)) || a.position - b.position);
}

/** Seconds left: the mean duration of finished runs times the runs owed, divided by those at once; null before one ends. */
export function sweepEtaSeconds(items: readonly SweepItem[], parallel: number): number | null {
  const durations = items.filter((i) => i.state === 'done' && i.run?.seconds).map((i) => i.run!.seconds as number);
  if (durations.length === 0) return null;
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  const owed = items.filter((i) => i.state === 'queued').length + items.filter((i) => i.state === 'running').length * 0.5;
  return (mean * owed) / Math.max(1, parallel);
}
