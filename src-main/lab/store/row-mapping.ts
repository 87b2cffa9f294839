// SQL rows <-> contract records. Summaries come from one query (no N+1): the last epoch and the
// evaluation are joined through the (run_id, epoch) primary key.
import { runListItem, type Architecture, type BackendName, type CompileConfig, type Evaluation, type RunListItem, type RunStatus, type RunSummary, type TrainConfig } from '../../../src-shared/index.ts';

export const SUMMARY_SELECT = `
  SELECT r.id, r.name, r.status, r.status_reason, r.created_at, r.started_at, r.finished_at, r.architecture, r.compile, r.train,
         r.seed, r.dataset_name, r.dataset_hash, r.total_params, r.backend, r.tags, r.notes, r.parent_run_id,
         (SELECT COUNT(*) FROM epochs c WHERE c.run_id = r.id) AS epochs_completed,
         e.epoch AS last_epoch, e.loss AS last_loss, e.acc AS last_acc, e.val_loss AS last_val_loss, e.val_acc AS last_val_acc, e.seconds AS last_seconds,
         ev.loss AS test_loss, ev.accuracy AS test_accuracy
  FROM runs r
  LEFT JOIN epochs e ON e.run_id = r.id AND e.epoch = (SELECT MAX(m.epoch) FROM epochs m WHERE m.run_id = r.id)
  LEFT JOIN evaluations ev ON ev.run_id = r.id`;

export interface SummaryRow {
  id: number;
  name: string;
  status: RunStatus;
  status_reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  architecture: string;
  compile: string;
  train: string;
  seed: number;
  dataset_name: string;
  dataset_hash: string;
  total_params: number;
  backend: BackendName | null;
  tags: string;
  notes: string;
  parent_run_id: number | null;
  epochs_completed: number;
  last_epoch: number | null;
  last_loss: number | null;
  last_acc: number | null;
  last_val_loss: number | null;
  last_val_acc: number | null;
  last_seconds: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
}

type CoreRow = Pick<
  SummaryRow,
  'id' | 'name' | 'status' | 'status_reason' | 'created_at' | 'started_at' | 'finished_at' | 'architecture' | 'compile' | 'train' | 'seed' | 'dataset_name' | 'dataset_hash' | 'backend' | 'total_params' | 'tags' | 'parent_run_id' | 'epochs_completed' | 'test_accuracy'
>;

/** The fields a summary and a list row share, parsed once here. */
function runCoreOf(row: CoreRow): Omit<RunSummary, 'last' | 'notes' | 'testLoss'> {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    architecture: JSON.parse(row.architecture) as Architecture,
    compile: JSON.parse(row.compile) as CompileConfig,
    train: JSON.parse(row.train) as TrainConfig,
    seed: row.seed,
    dataset: { name: row.dataset_name, hash: row.dataset_hash },
    backend: row.backend,
    totalParams: row.total_params,
    tags: JSON.parse(row.tags) as string[],
    parentRunId: row.parent_run_id,
    epochsCompleted: row.epochs_completed,
    testAccuracy: row.test_accuracy,
  };
}

export function summaryOf(row: SummaryRow): RunSummary {
  return {
    ...runCoreOf(row),
    notes: row.notes,
    last:
      row.last_epoch === null
        ? null
        : { epoch: row.last_epoch, loss: row.last_loss ?? NaN, acc: row.last_acc ?? NaN, val_loss: row.last_val_loss, val_acc: row.last_val_acc, seconds: row.last_seconds ?? 0 },
    testLoss: row.test_loss,
  };
}

/** A typed array as a Buffer over the same bytes, for a BLOB parameter. */
export function blobOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

export interface EvaluationRow {
  loss: number;
  accuracy: number;
  examples: number;
  confusion_matrix: string;
  per_class: string;
}

export function evaluationOf(row: EvaluationRow): Evaluation {
  return { loss: row.loss, accuracy: row.accuracy, examples: row.examples, confusionMatrix: JSON.parse(row.confusion_matrix) as number[][], perClass: JSON.parse(row.per_class) as Evaluation['perClass'] };
}

/** The lean list row: the page's runs only, so the JSON configs parsed here are a page's worth. */
export const LIST_ITEM_SELECT = `
  SELECT r.id, r.name, r.status, r.status_reason, r.created_at, r.started_at, r.finished_at, r.architecture, r.compile, r.train,
         r.seed, r.dataset_name, r.dataset_hash, r.total_params, r.backend, r.tags, r.parent_run_id,
         r.epochs_done AS epochs_completed, r.last_val_acc AS val_acc, r.test_accuracy,
         EXISTS (SELECT 1 FROM checkpoints k WHERE k.run_id = r.id AND k.kind = 'final') AS has_final,
         EXISTS (SELECT 1 FROM checkpoints k WHERE k.run_id = r.id AND k.kind = 'best') AS has_best,
         (SELECT COUNT(*) FROM checkpoints k WHERE k.run_id = r.id AND k.kind = 'epoch') AS epoch_checkpoints
  FROM runs r`;

/** The list row: the shared core columns plus the list's own. */
export interface ListItemRow extends CoreRow {
  val_acc: number | null;
  has_final: number;
  has_best: number;
  epoch_checkpoints: number;
}

export function listItemOf(row: ListItemRow): RunListItem {
  return runListItem(runCoreOf(row), row.val_acc, { final: row.has_final === 1, best: row.has_best === 1, epochs: row.epoch_checkpoints });
}
