import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, analyzeArchitecture, describeOptimizer, parseCommandInput, type RunListItem } from '../../../src-shared/index.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { LabService } from '../../lab/service/lab-service.ts';
import { UsageError } from '../cli-error.ts';

export const runsHelp = `layerlab runs list [--status S] [--search TEXT] [--limit N] [--offset N] [--json]   newest first, 50 a page
layerlab runs show ID [--json]
layerlab runs compare ID ID... [--all] [--json]   settings that differ (--all: every setting)
layerlab runs export ID --format csv|json|keras [--out FILE]
layerlab runs export ID --format tfjs --out DIR [--epoch N]   model.json + weights (TensorFlow.js layers format)
layerlab runs export ID ID... --format csv-all [--out FILE]   every run's history in one CSV
layerlab runs delete ID
  (all take --home DIR)`;

function runId(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`a run id is a positive integer, got ${value === undefined ? 'nothing' : `"${value}"`}`);
  return id;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(4));

/** Rows of `runs list` when --limit is not given. */
const LIST_PAGE = 50;

function listLine(r: RunListItem): string {
  const arch = r.architecture.split(' → ').slice(1).join('-');
  return [String(r.id).padStart(4), r.status.padEnd(11), r.createdAt.slice(0, 16).replace('T', ' '), r.name.slice(0, 24).padEnd(24), arch.slice(0, 28).padEnd(28), `ep ${r.epochsCompleted}/${r.epochs}`.padEnd(9), `val_acc ${pct(r.valAcc)}`, `test_acc ${pct(r.testAccuracy)}`, r.backend ?? '-'].join('  ');
}

/** A --limit/--offset value: digits only (the schema checks the range). */
function pageFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--${flag} is a whole number, got "${value}"`);
  return Number(value);
}

export async function runsCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      home: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
      epoch: { type: 'string' },
      status: { type: 'string' },
      search: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
  });
  const service = await LabService.open({ home: resolveLabHome(values.home) });
  try {
    switch (sub) {
      case 'list': {
        const offset = pageFlag('offset', values.offset) ?? 0;
        const page = service.queryRuns(
          parseCommandInput('queryRuns', {
            ...(values.status !== undefined ? { status: values.status } : {}),
            ...(values.search !== undefined ? { search: values.search } : {}),
            limit: pageFlag('limit', values.limit) ?? LIST_PAGE,
            offset,
          }),
        );
        if (values.json) out.write(`${JSON.stringify(page.runs)}\n`);
        else if (page.labTotal === 0) out.write('No runs yet. Start one with: layerlab train --preset keras-mlp\n');
        else {
          for (const r of page.runs) out.write(`${listLine(r)}\n`);
          const last = offset + page.runs.length;
          if (page.runs.length === 0) out.write(`No runs here: ${page.total} match${page.total === 1 ? 'es' : ''}.\n`);
          else if (last < page.total || offset > 0) out.write(`Runs ${offset + 1}–${last} of ${page.total}, newest first.${last < page.total ? ` Next page: --offset ${last}` : ''}\n`);
        }
        return 0;
      }
      case 'show': {
        const run = service.getRun({ runId: runId(positionals[0]) });
        if (values.json) {
          out.write(`${JSON.stringify(run)}\n`);
          return 0;
        }
        out.write(`Run ${run.id}: ${run.name} — ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}\n`);
        out.write(`Created ${run.createdAt}; backend ${run.backend ?? '-'}; dataset ${run.dataset.name} (${run.dataset.hash.slice(0, 12)})\n`);
        out.write(`${describeOptimizer(run.compile.optimizer)}, batch ${run.train.batchSize}, epochs ${run.train.epochs}, seed ${run.train.seed}, train ${run.train.trainExamples}, test ${run.train.testExamples}\n`);
        out.write(`${formatSummary(analyzeArchitecture(run.architecture))}\n`);
        out.write('epoch      loss       acc  val_loss   val_acc   seconds\n');
        for (const e of run.epochs) out.write(`${String(e.epoch).padStart(5)}  ${pct(e.loss).padStart(8)}  ${pct(e.acc).padStart(8)}  ${pct(e.val_loss).padStart(8)}  ${pct(e.val_acc).padStart(8)}  ${e.seconds.toFixed(2).padStart(8)}\n`);
        if (run.evaluation) out.write(`Test loss: ${run.evaluation.loss.toFixed(6)}\nTest accuracy: ${run.evaluation.accuracy.toFixed(4)}\n`);
        return 0;
      }
      case 'compare': {
        const comparison = service.compareRuns(parseCommandInput('compareRuns', { runIds: positionals.map(runId) }));
        if (values.json) {
          out.write(`${JSON.stringify(comparison)}\n`);
          return 0;
        }
        const rows = comparison.config.filter((r) => values.all || r.differs);
        const head = ['setting', ...comparison.runs.map((r) => `#${r.id} ${r.name}`.slice(0, 28))];
        const table = [head, ...rows.map((r) => [r.label, ...r.values.map((v) => v ?? '-')])];
        const widths = head.map((_, c) => Math.min(48, Math.max(...table.map((row) => (row[c] ?? '').length))));
        for (const row of table) out.write(`${row.map((cell, c) => cell.slice(0, 48).padEnd(widths[c] ?? 0)).join('  ').trimEnd()}\n`);
        if (rows.length === 0) out.write('(every setting is the same)\n');
        const layers = comparison.layers.filter((l) => l.differs);
        if (layers.length) {
          out.write('\nlayers that differ:\n');
          for (const l of layers) out.write(`  ${l.position}: ${l.layers.map((x) => x?.description ?? '-').join('  |  ')}\n`);
        }
        out.write(`\nfinal: ${comparison.runs.map((r) => `#${r.id} val_acc ${pct(r.last?.val_acc)} test_acc ${pct(r.testAccuracy)}`).join(' · ')}\n`);
        return 0;
      }
      case 'export': {
        const format = values.format;
        if (format === 'csv-all') {
          const file = service.exportRuns({ runIds: positionals.map(runId), format: 'csv' });
          if (values.out) writeFileSync(values.out, file.content);
          else out.write(file.content);
          return 0;
        }
        if (format === 'tfjs') {
          if (!values.out) throw new UsageError('--format tfjs needs --out DIR (model.json and its weights file go there)');
          const checkpoint = values.epoch ? { kind: 'epoch' as const, epoch: runId(values.epoch) } : { kind: 'final' as const };
          const model = await service.exportModel({ runId: runId(positionals[0]), checkpoint });
          mkdirSync(values.out, { recursive: true });
          writeFileSync(join(values.out, model.modelJson.filename), model.modelJson.content);
          writeFileSync(join(values.out, model.weights.filename), Buffer.from(model.weights.base64, 'base64'));
          out.write(`Wrote ${join(values.out, model.modelJson.filename)} and ${model.weights.filename} (${model.weights.bytes} bytes)\n`);
          return 0;
        }
        if (format !== 'csv' && format !== 'json' && format !== 'keras') throw new UsageError('--format must be csv, json, keras, tfjs or csv-all');
        const file = service.exportRun({ runId: runId(positionals[0]), format });
        if (values.out) writeFileSync(values.out, file.content);
        else out.write(file.content);
        return 0;
      }
      case 'delete': {
        const id = runId(positionals[0]);
        service.deleteRun({ runId: id });
        out.write(`Deleted run ${id}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown runs command ${sub === undefined ? '(none)' : `"${sub}"`}\n${runsHelp}`);
    }
  } finally {
    await service.close();
  }
}
