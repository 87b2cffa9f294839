import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary, analyzeArchitecture, describeOptimizer, parseCommandInput, RUN_STATUSES, type RunListItem } from '../../../src-shared/index.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { LabService } from '../../lab/service/lab-service.ts';
import { UsageError } from '../cli-error.ts';
import { enumFlag, intFlag, parseSubcommand } from '../flags.ts';
import { jsonText, terminalSafe as safe } from '../terminal-text.ts';

export const runsHelp = `layerlab runs list [--status S] [--search TEXT] [--limit N] [--offset N] [--json]   newest first, 50 a page
layerlab runs show ID [--json]
layerlab runs compare ID ID... [--all] [--json]   settings that differ (--all: every setting)
layerlab runs export ID --format csv|json|keras [--out FILE]
layerlab runs export ID --format tfjs --out DIR [--epoch N]   model.json + weights (TensorFlow.js layers format)
layerlab runs export ID ID... --format csv-all [--out FILE]   every run's history in one CSV
layerlab runs delete ID     the run and everything of it; its space goes back to the disk
layerlab runs compact       compacts the lab file now (a lab made before Layerlab gave space back: do it once)
  (all take --home DIR)`;

const EXPORT_FORMATS = ['csv', 'json', 'keras', 'tfjs', 'csv-all'] as const;

function runId(value: string | undefined): number {
  const id = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`a run id is a positive integer, got ${value === undefined ? 'nothing' : `"${value}"`}`);
  return id;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(4));

/** Rows of `runs list` when --limit is not given. */
const LIST_PAGE = 50;

function listLine(r: RunListItem): string {
  const arch = r.architecture.split(' → ').slice(1).join('-');
  return [String(r.id).padStart(4), r.status.padEnd(11), r.createdAt.slice(0, 16).replace('T', ' '), safe(r.name).slice(0, 24).padEnd(24), arch.slice(0, 28).padEnd(28), `ep ${r.epochsCompleted}/${r.epochs}`.padEnd(9), `val_acc ${pct(r.valAcc)}`, `test_acc ${pct(r.testAccuracy)}`, r.backend ?? '-'].join('  ');
}

export async function runsCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { sub, values, positionals } = parseSubcommand(argv, {
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
  });
  const status = enumFlag('status', values.status, RUN_STATUSES);
  const format = enumFlag('format', values.format, EXPORT_FORMATS);
  const epoch = intFlag('epoch', values.epoch);
  if (epoch !== undefined && epoch < 1) throw new UsageError(`--epoch counts from 1, got ${epoch}`);
  const service = await LabService.open({ home: resolveLabHome(values.home), processKind: 'layerlab runs' });
  try {
    switch (sub) {
      case 'list': {
        const offset = intFlag('offset', values.offset) ?? 0;
        const page = service.queryRuns(
          parseCommandInput('queryRuns', {
            ...(status ? { status } : {}),
            ...(values.search !== undefined ? { search: values.search } : {}),
            limit: intFlag('limit', values.limit) ?? LIST_PAGE,
            offset,
          }),
        );
        if (values.json) out.write(`${jsonText(page.runs)}\n`);
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
          out.write(`${jsonText(run)}\n`);
          return 0;
        }
        out.write(`Run ${run.id}: ${safe(run.name)} — ${run.status}${run.statusReason ? ` (${safe(run.statusReason)})` : ''}\n`);
        if (run.tags.length) out.write(`Tags: ${run.tags.map(safe).join(', ')}\n`);
        if (run.notes) out.write(`Notes: ${safe(run.notes)}\n`);
        out.write(`Created ${run.createdAt}; backend ${run.backend ?? '-'}; dataset ${safe(run.dataset.name)} (${run.dataset.hash.slice(0, 12)})\n`);
        out.write(`${describeOptimizer(run.compile.optimizer)}, batch ${run.train.batchSize}, epochs ${run.train.epochs}, seed ${run.train.seed}, train ${run.train.trainExamples}, test ${run.train.testExamples}\n`);
        out.write(`${formatSummary(analyzeArchitecture(run.architecture, null))}\n`);
        out.write('epoch      loss       acc  val_loss   val_acc   seconds\n');
        for (const e of run.epochs) out.write(`${String(e.epoch).padStart(5)}  ${pct(e.loss).padStart(8)}  ${pct(e.acc).padStart(8)}  ${pct(e.val_loss).padStart(8)}  ${pct(e.val_acc).padStart(8)}  ${e.seconds.toFixed(2).padStart(8)}\n`);
        if (run.evaluation) out.write(`Test loss: ${run.evaluation.loss.toFixed(6)}\nTest accuracy: ${run.evaluation.accuracy.toFixed(4)}\n`);
        return 0;
      }
      case 'compare': {
        const comparison = service.compareRuns(parseCommandInput('compareRuns', { runIds: positionals.map(runId) }));
        if (values.json) {
          out.write(`${jsonText(comparison)}\n`);
          return 0;
        }
        const rows = comparison.config.filter((r) => values.all || r.differs);
        const head = ['setting', ...comparison.runs.map((r) => `#${r.id} ${safe(r.name)}`.slice(0, 28))];
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
        if (format === 'csv-all') {
          const file = service.exportRuns({ runIds: positionals.map(runId), format: 'csv' });
          if (values.out) writeFileSync(values.out, file.content);
          else out.write(file.content);
          return 0;
        }
        if (format === 'tfjs') {
          if (!values.out) throw new UsageError('--format tfjs needs --out DIR (model.json and its weights file go there)');
          if (statSync(values.out, { throwIfNoEntry: false })?.isDirectory() === false) throw new UsageError(`--out ${values.out} is a file; --format tfjs writes a folder`);
          const checkpoint = epoch !== undefined ? { kind: 'epoch' as const, epoch } : { kind: 'final' as const };
          const model = await service.exportModel({ runId: runId(positionals[0]), checkpoint });
          mkdirSync(values.out, { recursive: true });
          writeFileSync(join(values.out, model.modelJson.filename), model.modelJson.content);
          writeFileSync(join(values.out, model.weights.filename), Buffer.from(model.weights.base64, 'base64'));
          out.write(`Wrote ${join(values.out, model.modelJson.filename)} and ${model.weights.filename} (${model.weights.bytes} bytes)\n`);
          return 0;
        }
        if (format === undefined) throw new UsageError(`runs export needs --format ${EXPORT_FORMATS.join('|')}`);
        const file = service.exportRun({ runId: runId(positionals[0]), format });
        if (values.out) writeFileSync(values.out, file.content);
        else out.write(file.content);
        return 0;
      }
      case 'delete': {
        const id = runId(positionals[0]);
        service.deleteRun({ runId: id });
        await service.spaceReclaimed();
        out.write(`Deleted run ${id}\n`);
        return 0;
      }
      case 'compact': {
        if (positionals.length) throw new UsageError(`runs compact takes no run ids, got ${positionals.join(' ')}`);
        const { bytesBefore, bytesAfter } = service.compact();
        const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
        out.write(`Compacted the lab: ${mb(bytesBefore)} → ${mb(bytesAfter)}; deleting runs now gives their space back to the disk\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown runs command ${sub === undefined ? '(none)' : `"${sub}"`}\n${runsHelp}`);
    }
  } finally {
    await service.close();
  }
}
