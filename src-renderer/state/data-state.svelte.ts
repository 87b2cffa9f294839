// The Data screen: the lab's datasets, the chosen one's class balance and samples, and an import
// form (image folder or CSV) whose progress is polled from the service while the import runs.
import type { DatasetInfo, DatasetOverview, ImportStatus, LabApi, MisclassifiedImage } from '../../src-shared/api.ts';
import type { RunSummary } from '../../src-shared/runs.ts';
import { DEFAULT_TEST_FRACTION, parseSize } from '../../src-shared/dataset-import.ts';
import type { ImportDatasetRequest } from '../../src-shared/schemas.ts';
import { messageOf } from './run-state.svelte.ts';

/** How often the import's progress is asked for while it runs. */
export const IMPORT_POLL_MS = 250;
/** Samples of each class shown on the screen (the contract allows up to MAX_SAMPLES_PER_CLASS). */
export const SAMPLES_PER_CLASS = 12;
/** Images of one class shown by a model's confidence. */
export const CONFIDENCE_IMAGES = 48;

export interface ImportForm {
  source: 'folder' | 'csv';
  name: string;
  folder: string;
  /** "28x28", or "keep" (every image already has one size). */
  size: string;
  channels: 1 | 3;
  invert: 'auto' | 'yes' | 'no';
  testFraction: number;
  csv: string;
  testCsv: string;
  labelColumn: string;
}

export function emptyImportForm(): ImportForm {
  return { source: 'folder', name: '', folder: '', size: '28x28', channels: 1, invert: 'auto', testFraction: DEFAULT_TEST_FRACTION, csv: '', testCsv: '', labelColumn: '' };
}

/** The form as the importDataset command takes it; a size the form cannot read is said, not guessed. */
export function importRequest(form: ImportForm): ImportDatasetRequest {
  const name = form.name.trim();
  if (form.source === 'folder') {
    let size: { height: number; width: number } | 'keep' = 'keep';
    if (form.size.trim() !== 'keep') {
      const parsed = parseSize(form.size);
      if (parsed === null) throw new Error(`size must be HxW (e.g. 28x28) or "keep", got "${form.size}"`);
      size = parsed;
    }
    return { source: 'folder', name, folder: form.folder.trim(), size, channels: form.channels, invert: form.invert, testFraction: form.testFraction };
  }
  const testCsv = form.testCsv.trim();
  const labelColumn = form.labelColumn.trim();
  return {
    source: 'csv',
    name,
    csv: form.csv.trim(),
    ...(testCsv ? { testCsv } : { testFraction: form.testFraction }),
    ...(labelColumn ? { labelColumn } : {}),
  };
}

export class DataState {
  datasets = $state.raw<DatasetInfo[]>([]);
  chosen = $state<string | null>(null);
  overview = $state.raw<DatasetOverview | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  form = $state<ImportForm>(emptyImportForm());
  importing = $state(false);
  progress = $state.raw<ImportStatus | null>(null);
  importError = $state<string | null>(null);
  imported = $state<string | null>(null);

  /** Runs with test predictions (evaluated), for "one class by a model's confidence". */
  runs = $state.raw<RunSummary[]>([]);
  confidenceRun = $state<number | null>(null);
  confidenceLabel = $state(0);
  confidenceOrder = $state<'most' | 'least'>('most');
  byConfidence = $state.raw<MisclassifiedImage[] | null>(null);
  confidenceError = $state<string | null>(null);

  /** The evaluated runs of the chosen dataset, newest first. */
  readonly datasetRuns = $derived(this.runs.filter((r) => r.dataset.name === this.chosen && r.testAccuracy !== null));

  readonly chosenInfo = $derived(this.datasets.find((d) => d.name === this.chosen) ?? null);

  constructor(
    private readonly api: LabApi,
    private readonly pollMs = IMPORT_POLL_MS,
  ) {}

  async refresh(): Promise<void> {
    try {
      this.datasets = await this.api.listDatasets(undefined);
      this.error = null;
      const keep = this.datasets.find((d) => d.name === this.chosen && !d.damaged);
      const first = keep ?? this.datasets.find((d) => !d.damaged);
      if (first && first.name !== this.chosen) await this.choose(first.name);
      else if (first && this.overview === null) await this.choose(first.name);
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  async choose(name: string): Promise<void> {
    if (name !== this.chosen) {
      this.byConfidence = null;
      this.confidenceRun = null;
      this.confidenceLabel = 0;
    }
    this.chosen = name;
    this.loading = true;
    try {
      const overview = await this.api.getDatasetOverview({ dataset: name, samplesPerClass: SAMPLES_PER_CLASS });
      // A later choice wins over a slow earlier answer.
      if (this.chosen === name) {
        this.overview = overview;
        this.error = null;
      }
    } catch (err) {
      if (this.chosen === name) {
        this.overview = null;
        this.error = messageOf(err);
      }
    } finally {
      if (this.chosen === name) this.loading = false;
    }
  }

  async loadRuns(): Promise<void> {
    try {
      this.runs = await this.api.listRuns({ status: 'completed' });
    } catch (err) {
      this.confidenceError = messageOf(err);
    }
  }

  /** One class's test images as the chosen run's final predictions judged them, in the chosen order. */
  async showByConfidence(): Promise<void> {
    const runId = this.confidenceRun;
    if (runId === null) return;
    try {
      const images = await this.api.getClassByConfidence({ runId, label: this.confidenceLabel, order: this.confidenceOrder, limit: CONFIDENCE_IMAGES });
      if (runId === this.confidenceRun) {
        this.byConfidence = images;
        this.confidenceError = null;
      }
    } catch (err) {
      this.byConfidence = null;
      this.confidenceError = messageOf(err);
    }
  }

  /** Runs the import, polling its progress; on success the new dataset is chosen. Errors are shown as the service gives them. */
  async submitImport(onImported?: () => void): Promise<void> {
    if (this.importing) return;
    let request: ImportDatasetRequest;
    try {
      request = importRequest(this.form);
    } catch (err) {
      this.importError = messageOf(err);
      return;
    }
    this.importing = true;
    this.importError = null;
    this.imported = null;
    this.progress = null;
    const timer = setInterval(() => {
      void this.api.getImportProgress(undefined).then(
        (p) => {
          if (this.importing) this.progress = p;
        },
        // A missed poll only leaves the bar where it was; the import's own answer says what went wrong.
        () => {},
      );
    }, this.pollMs);
    try {
      const info = await this.api.importDataset(request);
      this.imported = info.name;
      this.form = { ...emptyImportForm(), source: this.form.source };
      await this.refresh();
      await this.choose(info.name);
      onImported?.();
    } catch (err) {
      this.importError = messageOf(err);
    } finally {
      clearInterval(timer);
      this.importing = false;
      this.progress = null;
    }
  }
}

/** Share of the import done, 0–1; null while the total is not known yet. */
export function importFraction(status: ImportStatus | null): number | null {
  if (status === null || status.progress.total <= 0) return null;
  return Math.min(1, status.progress.done / status.progress.total);
}
