// Sweeps: a base run configuration plus a search space, expanded into queued runs. The contract's half:
// schemas with their limits, the field grammar, and what lists and views read back.
import { z } from 'zod';
import { StartRunSchema } from './schemas.ts';
import type { RunStatus } from './runs.ts';

/** Runs one sweep may queue (grid points × repeats, or random samples × repeats). */
export const MAX_SWEEP_RUNS = 500;
/** The default cap on a sweep's runs: a bigger grid is refused unless the cap is raised (never cut silently). */
export const DEFAULT_SWEEP_CAP = 200;
/** Swept fields per sweep and values per field. */
export const MAX_SWEEP_FIELDS = 8;
export const MAX_SWEEP_VALUES = 64;
export const MAX_SWEEP_REPEATS = 20;
/** A sweep's runs at once; the lab's own limit on concurrent trainers still applies on top. */
export const MAX_SWEEP_PARALLEL = 16;
/** A queued run interrupted by its process ending is re-queued this many times, then marked failed. */
export const SWEEP_REQUEUE_LIMIT = 1;

/**
 * What a sweep can vary: lr (the optimizer's learning rate), optimizer, momentum, batchSize, epochs, and per-layer
 * fields written FIELD@LAYER with layers counted from 1 as in the summary (units@1, rate@2, filters@1,
 * kernelSize@1, activation@1), and present@LAYER (true/false: the layer is kept or left out).
 */
export const SWEEP_FIELD_PATTERN = /^(?:lr|optimizer|momentum|batchSize|epochs|(?:units|rate|filters|kernelSize|activation|present)@[1-9]\d?)$/;
export const SweepFieldSchema = z.string().regex(SWEEP_FIELD_PATTERN, 'a swept field is lr, optimizer, momentum, batchSize, epochs, or units|rate|filters|kernelSize|activation|present@LAYER (layers from 1)');
export const SweepValueSchema = z.union([z.number().finite(), z.string().min(1).max(40), z.boolean()]);
export type SweepValue = z.output<typeof SweepValueSchema>;

/** A list of values (grid, or a random choice among them), or a numeric range (random search only). */
export const SweepParamSchema = z.union([
  z.strictObject({ field: SweepFieldSchema, values: z.array(SweepValueSchema).min(1).max(MAX_SWEEP_VALUES) }),
  z
    .strictObject({
      field: SweepFieldSchema,
      min: z.number().finite(),
      max: z.number().finite(),
      /** log: uniform in log space, as learning rates are searched. */
      scale: z.enum(['linear', 'log']).default('linear'),
      integer: z.boolean().default(false),
    })
    .refine((r) => r.max > r.min, { message: 'a range needs max > min' })
    .refine((r) => r.scale === 'linear' || r.min > 0, { message: 'a log range needs min > 0' }),
]);
export type SweepParam = z.output<typeof SweepParamSchema>;

export const SweepSearchSchema = z.discriminatedUnion('kind', [
  /** Every combination of the values, in order (the last field varies fastest). */
  z.strictObject({ kind: z.literal('grid'), params: z.array(SweepParamSchema).max(MAX_SWEEP_FIELDS) }),
  /** `count` draws, seeded: each field a uniform choice among its values or a draw from its range. */
  z.strictObject({
    kind: z.literal('random'),
    params: z.array(SweepParamSchema).min(1).max(MAX_SWEEP_FIELDS),
    count: z.number().int().min(1).max(MAX_SWEEP_RUNS),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  }),
]);

/** How a sweep ranks its runs; test_* read the final evaluation, val_* the last epoch. */
export const SWEEP_METRICS = ['test_acc', 'test_loss', 'val_acc', 'val_loss'] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];
export const sweepMetricMaximised = (metric: SweepMetric): boolean => metric.endsWith('acc');

export const CreateSweepSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  /** The base configuration every run starts from. */
  base: StartRunSchema,
  search: SweepSearchSchema,
  /** Each point trained this many times with seeds base, base + 1, … (to see the noise). */
  repeats: z.number().int().min(1).max(MAX_SWEEP_REPEATS).default(1),
  maxRuns: z.number().int().min(1).max(MAX_SWEEP_RUNS).default(DEFAULT_SWEEP_CAP),
  parallel: z.number().int().min(1).max(MAX_SWEEP_PARALLEL).default(1),
  metric: z.enum(SWEEP_METRICS).default('test_acc'),
});
export type CreateSweepRequest = z.input<typeof CreateSweepSchema>;
export type CreateSweepParsed = z.output<typeof CreateSweepSchema>;

export const SweepIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const SweepRefSchema = z.strictObject({ sweepId: SweepIdSchema });
export const ReorderSweepSchema = z.strictObject({
  sweepId: SweepIdSchema,
  /** Every queued item of the sweep, in the order they should start. */
  itemIds: z.array(z.number().int().positive()).min(1).max(MAX_SWEEP_RUNS),
});

/** The sweep's own state; 'finished' is derived (nothing queued or running is left). */
export type SweepStatus = 'active' | 'paused' | 'cancelled' | 'finished';
/** A queue item: waiting, training (its run live), done (its run ended), failed (never ran, or interrupted twice), cancelled. */
export type SweepItemState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SweepCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface SweepSummary {
  id: number;
  name: string;
  status: SweepStatus;
  createdAt: string;
  metric: SweepMetric;
  /** The swept fields, in the search's order. */
  fields: string[];
  parallel: number;
  counts: SweepCounts;
}

export interface SweepItem {
  id: number;
  position: number;
  /** The swept fields' values of this run, plus its seed. */
  params: Record<string, SweepValue>;
  repeat: number;
  state: SweepItemState;
  runId: number | null;
  attempts: number;
  /** Why it was re-queued or failed. */
  note: string | null;
  run: {
    status: RunStatus;
    epochsDone: number;
    epochs: number;
    /** The sweep's metric of this run, null until known. */
    metric: number | null;
    seconds: number | null;
  } | null;
}

export interface SweepDetail extends SweepSummary {
  items: SweepItem[];
}

/** "lr=0.1 units@1=128 seed=43". */
export function describeSweepParams(params: Record<string, SweepValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
