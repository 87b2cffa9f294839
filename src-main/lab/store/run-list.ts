// Lists of runs that stay fast at any lab size: filtered, searched, sorted and paged in SQLite; only a
// page's rows are read in full, and polling reads only the runs changed since a version.
import type Database from 'better-sqlite3';
import type { RunChanges, RunListItem, RunPage, RunQueryParsed, RunSortKey } from '../../../src-shared/index.ts';
import { LIST_ITEM_SELECT, listItemOf, type ListItemRow } from './row-mapping.ts';
import { searchCondition } from './run-search.ts';

/** More changes than this in one poll and the caller re-reads its page instead. */
export const MAX_CHANGES_PER_ANSWER = 200;
/** Distinct tags offered by the tag filter at most. */
const MAX_TAGS = 1000;

/** The sort value of each column, in SQL over `runs r`. */
const SORT_SQL: Record<RunSortKey, string> = {
  id: 'r.id',
  name: 'r.name COLLATE NOCASE',
  status: 'r.status',
  valAcc: 'r.last_val_acc',
  testAcc: 'r.test_accuracy',
  duration: '(julianday(r.finished_at) - julianday(r.started_at))',
  params: 'r.total_params',
};

/**
 * Each condition of a filter reads only a run's id and status (see whereOf), so filters are checked on this narrow
 * index of (status, id), never on the runs' wide rows (configs, notes): a search matching thousands of runs reads
 * about 50 index pages, not the ~1,800 table pages of 10,000 runs that looking each match up by id read (from disk,
 * that was most of the first keystroke's time: 100–160 ms of it at 10,000 runs).
 */
const FILTER_INDEX = 'runs_by_status';
/** The index (sort key, id) each sort reads in order (migration 3); the id's order is the table's own. */
const SORT_INDEX: Record<Exclude<RunSortKey, 'id'>, string> = {
  name: 'runs_by_name',
  status: 'runs_by_status',
  valAcc: 'runs_by_val_acc',
  testAcc: 'runs_by_test_accuracy',
  duration: 'runs_by_duration',
  params: 'runs_by_params',
};

type Filter = Pick<RunQueryParsed, 'search' | 'status' | 'tag' | 'has'>;

/** The WHERE clause of a filter on `runs r`; its conditions may read r.id and r.status only (see FILTER_INDEX). */
function whereOf(query: Filter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    where.push('r.status = ?');
    params.push(query.status);
  }
  if (query.tag) {
    where.push('r.id IN (SELECT run_id FROM run_tags WHERE tag = ?)');
    params.push(query.tag);
  }
  if (query.has === 'weights') where.push('EXISTS (SELECT 1 FROM checkpoints k WHERE k.run_id = r.id)');
  if (query.has === 'evaluation') where.push('EXISTS (SELECT 1 FROM evaluations ev WHERE ev.run_id = r.id)');
  const search = searchCondition(query.search);
  if (search.sql) {
    where.push(search.sql);
    params.push(...search.params);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Ids matching a filter, in list order (newest first unless sorted otherwise), for one page. */
export function matchingIds(db: Database.Database, query: Filter & Partial<Pick<RunQueryParsed, 'sort' | 'descending'>>, limit: number, offset: number): number[] {
  const { sql, params } = whereOf(query);
  const key = SORT_SQL[query.sort ?? 'id'];
  const direction = (query.descending ?? true) ? 'DESC' : 'ASC';
  // Missing values (a run without a test accuracy) last whichever the direction; ties newest first. Each key has
  // an index with the id (see migration 3), so a sort reads that index, not the runs.
  const byId = query.sort === undefined || query.sort === 'id';
  const order = byId ? `r.id ${direction}` : `${key} ${direction} NULLS LAST, r.id DESC`;
  let statement: string;
  if (!sql) statement = `SELECT r.id FROM runs r ORDER BY ${order} LIMIT ? OFFSET ?`;
  // Filtered: the matches from the narrow index, in id order, or in the order of the sort key's own index, which
  // holds the key too (left to itself SQLite looks every match up in the table to sort it).
  else if (byId) statement = `SELECT r.id FROM runs r INDEXED BY ${FILTER_INDEX} ${sql} ORDER BY ${order} LIMIT ? OFFSET ?`;
  else statement = `SELECT r.id FROM runs r INDEXED BY ${SORT_INDEX[query.sort as Exclude<RunSortKey, 'id'>]} WHERE r.id IN (SELECT r.id FROM runs r INDEXED BY ${FILTER_INDEX} ${sql}) ORDER BY ${order} LIMIT ? OFFSET ?`;
  const rows = db.prepare(statement).all(...params, limit, offset) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Runs matching a filter, counted on the narrow index (see FILTER_INDEX). */
function matchingCount(db: Database.Database, query: Filter): number {
  const { sql, params } = whereOf(query);
  return (db.prepare(`SELECT COUNT(*) AS n FROM runs r INDEXED BY ${FILTER_INDEX} ${sql}`).get(...params) as { n: number }).n;
}

/** Lean rows of these runs, in the order given (missing ids are skipped). */
export function listItems(db: Database.Database, ids: readonly number[]): RunListItem[] {
  if (ids.length === 0) return [];
  const rows = db.prepare(`${LIST_ITEM_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as ListItemRow[];
  const byId = new Map(rows.map((row) => [row.id, listItemOf(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function labVersion(db: Database.Database): number {
  return (db.prepare('SELECT seq FROM lab_clock WHERE id = 1').get() as { seq: number }).seq;
}

function labTotal(db: Database.Database): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
}

export function queryRunPage(db: Database.Database, query: RunQueryParsed): RunPage {
  const total = matchingCount(db, query);
  const ids = matchingIds(db, query, query.limit, query.offset);
  const tags = (db.prepare(`SELECT DISTINCT tag FROM run_tags ORDER BY tag LIMIT ${MAX_TAGS}`).all() as { tag: string }[]).map((t) => t.tag);
  return { runs: listItems(db, ids), total, labTotal: labTotal(db), version: labVersion(db), tags };
}

export function runChangesSince(db: Database.Database, since: number, shown: readonly number[]): RunChanges {
  const version = labVersion(db);
  const existing = new Set(
    (db.prepare('SELECT id FROM runs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(shown)) as { id: number }[]).map((r) => r.id),
  );
  const gone = shown.filter((id) => !existing.has(id));
  if (since >= version) return { version, labTotal: labTotal(db), changed: [], gone, reload: false };
  const changedIds = (db.prepare('SELECT id FROM runs WHERE change_seq > ? ORDER BY change_seq LIMIT ?').all(since, MAX_CHANGES_PER_ANSWER + 1) as { id: number }[]).map((r) => r.id);
  const reload = changedIds.length > MAX_CHANGES_PER_ANSWER;
  return { version, labTotal: labTotal(db), changed: reload ? [] : listItems(db, changedIds), gone, reload };
}
