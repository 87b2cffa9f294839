// layerlab sweep: queue a search space as runs and train them here, one line per finished run and the best at the
// end; list, show, cancel and resume sweeps. Each queued run is a plain startRun job (see the README on splitting).
import {
  describeSweepParams,
  parseCommandInput,
  SWEEP_METRICS,
  sweepMetricMaximised,
  type CreateSweepRequest,
  type SweepDetail,
  type SweepItem,
  type SweepValue,
} from '../../../src-shared/index.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { LabService } from '../../lab/service/lab-service.ts';
import { UsageError } from '../cli-error.ts';
import { enumFlag, intFlag, numberFlag, parseSubcommand } from '../flags.ts';
import { jsonText, terminalSafe as safe } from '../terminal-text.ts';
import { buildStartRequest } from './train.ts';

export const sweepHelp = `layerlab sweep --preset keras-mlp | --arch FILE [train's options] --grid FIELD=V1,V2,… [--grid …]
    [--range FIELD=MIN:MAX[:log][:int]] [--random N [--random-seed S]] [--repeats N] [--max-runs N] [--parallel N]
    [--metric ${SWEEP_METRICS.join('|')}] [--early-stopping MONITOR:PATIENCE] [--json]
  FIELD: lr, optimizer, momentum, batchSize, epochs, units@L, rate@L, filters@L, kernelSize@L, activation@L,
  present@L (true|false; layers from 1). Trains the runs here, one line per finished run, then the best.
layerlab sweep list [--json]  |  show ID [--json]  |  cancel ID  |  resume ID [--json]   (all take --home DIR)`;

const POLL_MS = 500;

const SWEEP_FLAGS = {
  grid: { type: 'string', multiple: true },
  range: { type: 'string', multiple: true },
  random: { type: 'string' },
  'random-seed': { type: 'string' },
  repeats: { type: 'string' },
  'max-runs': { type: 'string' },
  parallel: { type: 'string' },
  metric: { type: 'string' },
} as const;

/** "0.1" → 0.1, "true" → true, "relu" → "relu": a grid value as the field expects it. */
function gridValue(text: string): SweepValue {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(text)) return Number(text);
  return text;
}

function splitAssignment(flag: string, text: string): [string, string] {
  const at = text.indexOf('=');
  if (at < 1 || at === text.length - 1) throw new UsageError(`--${flag} takes FIELD=VALUES, got "${text}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

export function buildSweepRequest(argv: string[]): { request: ReturnType<typeof parseCommandInput<'createSweep'>>; home: string | undefined; json: boolean } {
  const { request: base, home, json, extra } = buildStartRequest(argv, { ...SWEEP_FLAGS });
  const grid = (extra.grid as string[] | undefined) ?? [];
  const ranges = (extra.range as string[] | undefined) ?? [];
  const params: NonNullable<CreateSweepRequest['search']['params']> = grid.map((g) => {
    const [field, list] = splitAssignment('grid', g);
    return { field, values: list.split(',').map(gridValue) };
  });
  for (const r of ranges) {
    const [field, spec] = splitAssignment('range', r);
    const [min, max, ...flags] = spec.split(':');
    if (flags.some((f) => f !== 'log' && f !== 'int')) throw new UsageError(`--range takes FIELD=MIN:MAX[:log][:int], got "${r}"`);
    params.push({ field, min: numberFlag('range min', min) ?? NaN, max: numberFlag('range max', max) ?? NaN, scale: flags.includes('log') ? 'log' : 'linear', integer: flags.includes('int') });
  }
  const random = intFlag('random', extra.random as string | undefined);
  if (random === undefined && ranges.length > 0) throw new UsageError('--range is for random search: add --random N');
  if (params.length === 0 && random === undefined && extra.repeats === undefined) throw new UsageError('a sweep needs --grid FIELD=V1,V2 (or --random N with --grid/--range, or --repeats N)');
  const search =
    random === undefined
      ? { kind: 'grid' as const, params }
      : { kind: 'random' as const, params, count: random, seed: intFlag('random-seed', extra['random-seed'] as string | undefined) ?? 0 };
  const request = parseCommandInput('createSweep', {
    ...(base.name ? { name: base.name } : {}),
    base,
    search,
    ...(extra.repeats !== undefined ? { repeats: intFlag('repeats', extra.repeats as string) } : {}),
    ...(extra['max-runs'] !== undefined ? { maxRuns: intFlag('max-runs', extra['max-runs'] as string) } : {}),
    ...(extra.parallel !== undefined ? { parallel: intFlag('parallel', extra.parallel as string) } : {}),
    ...(extra.metric !== undefined ? { metric: enumFlag('metric', extra.metric as string, SWEEP_METRICS) } : {}),
  });
  return { request, home, json };
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(4));

function itemLine(sweep: SweepDetail, item: SweepItem): string {
  const run = item.run;
  return [
    item.runId === null ? '   -' : `run ${item.runId}`,
    safe(describeSweepParams(item.params)).padEnd(28),
    (run?.status ?? item.state).padEnd(11),
    `${sweep.metric} ${fmt(run?.metric)}`,
    run ? `${run.epochsDone}/${run.epochs} epochs` : '',
    run?.seconds ? `${run.seconds.toFixed(1)} s` : '',
    item.note ? `(${safe(item.note)})` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

function itemJson(sweep: SweepDetail, item: SweepItem) {
  return { type: 'sweepRun', sweepId: sweep.id, itemId: item.id, runId: item.runId, params: item.params, state: item.state, status: item.run?.status ?? null, metric: sweep.metric, value: item.run?.metric ?? null, note: item.note };
}

/** The best finished item by the sweep's metric, or null. */
export function bestItem(sweep: SweepDetail): SweepItem | null {
  const scored = sweep.items.filter((i) => i.state === 'done' && i.run?.metric !== null && i.run?.metric !== undefined);
  const sign = sweepMetricMaximised(sweep.metric) ? -1 : 1;
  return scored.sort((a, b) => sign * ((a.run!.metric as number) - (b.run!.metric as number)))[0] ?? null;
}

/** Trains the sweep's queue in this process until nothing of it is queued or running; prints each finished item. */
async function runSweepHere(home: string, sweepId: number, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const service = await LabService.open({ home, processKind: 'layerlab sweep', runSweeps: { onlySweep: sweepId } });
  // Items that had ended before this process took the queue were reported by the one that ran them.
  const printed = new Set<number>(service.getSweep({ sweepId }).items.filter((i) => i.state !== 'queued' && i.state !== 'running').map((i) => i.id));
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\nPausing sweep ${sweepId} and stopping its runs (Ctrl-C again to abort); \`layerlab sweep resume ${sweepId}\` continues it.\n`);
    service.pauseSweep({ sweepId });
    for (const item of service.getSweep({ sweepId }).items) if (item.state === 'running' && item.runId !== null && service.isRunActive(item.runId)) service.stopRun({ runId: item.runId });
  };
  process.on('SIGINT', onSigint);
  try {
    for (;;) {
      const sweep = service.getSweep({ sweepId });
      for (const item of sweep.items) {
        if (printed.has(item.id) || item.state === 'queued' || item.state === 'running') continue;
        printed.add(item.id);
        out.write(json ? `${jsonText(itemJson(sweep, item))}\n` : `${itemLine(sweep, item)}\n`);
      }
      const open = sweep.counts.queued + sweep.counts.running;
      if (open === 0 || sweep.status === 'paused' || sweep.status === 'cancelled') {
        if (sweep.counts.running > 0) {
          // Paused or cancelled here: wait for the stopped runs to end, then report them.
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          continue;
        }
        const best = bestItem(sweep);
        if (json) out.write(`${jsonText({ type: 'sweepBest', sweepId, status: sweep.status, counts: sweep.counts, best: best ? itemJson(sweep, best) : null })}\n`);
        else out.write(best ? `best: run ${best.runId}  ${safe(describeSweepParams(best.params))}  ${sweep.metric} ${fmt(best.run?.metric)}\n` : `no finished run has a ${sweep.metric} yet\n`);
        return sweep.counts.failed > 0 ? 1 : 0;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSigint);
    await service.close();
  }
}

function sweepId(value: string | undefined): number {
  const id = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`a sweep id is a positive integer, got ${value === undefined ? 'nothing' : `"${value}"`}`);
  return id;
}

export async function sweepCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const sub = argv[0];
  if (sub === 'list' || sub === 'show' || sub === 'cancel' || sub === 'resume') {
    const { values, positionals } = parseSubcommand(argv, { home: { type: 'string' }, json: { type: 'boolean' } });
    const home = resolveLabHome(values.home);
    if (sub === 'resume') {
      const id = sweepId(positionals[0]);
      const service = await LabService.open({ home, processKind: 'layerlab sweep' });
      try {
        service.resumeSweep({ sweepId: id });
      } finally {
        await service.close();
      }
      return runSweepHere(home, id, values.json ?? false, out);
    }
    const service = await LabService.open({ home, processKind: 'layerlab sweep' });
    try {
      if (sub === 'list') {
        const sweeps = service.listSweeps();
        if (values.json) out.write(`${jsonText(sweeps)}\n`);
        else for (const s of sweeps) out.write(`${String(s.id).padStart(4)}  ${s.status.padEnd(9)}  ${s.createdAt.slice(0, 16).replace('T', ' ')}  ${safe(s.name).slice(0, 24).padEnd(24)}  ${s.fields.join(', ').padEnd(24)}  ${s.counts.done}/${s.counts.total} done${s.counts.failed ? `, ${s.counts.failed} failed` : ''}\n`);
        return 0;
      }
      const id = sweepId(positionals[0]);
      if (sub === 'cancel') {
        const s = service.cancelSweep({ sweepId: id });
        out.write(values.json ? `${jsonText(s)}\n` : `sweep ${id} cancelled (${s.counts.cancelled} queued runs dropped, ${s.counts.running} still stopping in the process training them)\n`);
        return 0;
      }
      const detail = service.getSweep({ sweepId: id });
      if (values.json) {
        out.write(`${jsonText(detail)}\n`);
      } else {
        out.write(`sweep ${detail.id} "${safe(detail.name)}": ${detail.status}, ${detail.counts.done}/${detail.counts.total} done, ranked by ${detail.metric}\n`);
        for (const item of detail.items) out.write(`  ${item.state.padEnd(9)}  ${itemLine(detail, item)}\n`);
        const best = bestItem(detail);
        if (best) out.write(`best: run ${best.runId}  ${safe(describeSweepParams(best.params))}  ${detail.metric} ${fmt(best.run?.metric)}\n`);
      }
      return 0;
    } finally {
      await service.close();
    }
  }
  const { request, home, json } = buildSweepRequest(argv);
  const labHome = resolveLabHome(home);
  // Queued first (checked, nothing started), then trained by a runner for this sweep only.
  const service = await LabService.open({ home: labHome, processKind: 'layerlab sweep' });
  let created: { sweepId: number; runs: number };
  try {
    created = service.createSweep(request);
  } finally {
    await service.close();
  }
  if (!json) out.write(`sweep ${created.sweepId}: ${created.runs} runs queued\n`);
  return runSweepHere(labHome, created.sweepId, json, out);
}

