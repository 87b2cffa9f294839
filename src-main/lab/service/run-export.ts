// A run's history as the seed's DataFrame: CSV (one row per epoch) or JSON (the whole record).
import type { ExportedFile, RunDetail } from '../../../src-shared/index.ts';

const HISTORY_COLUMNS = ['epoch', 'loss', 'acc', 'val_loss', 'val_acc', 'seconds'] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}

export function historyCsv(run: RunDetail): string {
  const rows = run.epochs.map((e) => HISTORY_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return [HISTORY_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export function exportRun(run: RunDetail, format: 'csv' | 'json'): ExportedFile {
  const base = `layerlab-run-${run.id}-${slug(run.name)}`;
  if (format === 'csv') return { filename: `${base}-history.csv`, mimeType: 'text/csv', content: historyCsv(run) };
  const { batchLosses: _omitBatches, ...record } = run;
  return {
    filename: `${base}.json`,
    mimeType: 'application/json',
    content: JSON.stringify({ format: 'layerlab-run', version: 1, ...record, history: run.epochs }, null, 2) + '\n',
  };
}
