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

type Filter = Pick<RunQueryParsed, 'search' | 'status' | 'tag' | 'has'>;

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
  const order = query.sort === undefined || query.sort === 'id' ? `r.id ${direction}` : `${key} ${direction} NULLS LAST, r.id DESC`;
  const rows = db.prepare(`SELECT r.id FROM runs r ${sql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, limit, offset) as { id: number }[];
  return rows.map((r) => r.id);
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
  const { sql, params } = whereOf(query);
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM runs r ${sql}`).get(...params) as { n: number }).n;
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
