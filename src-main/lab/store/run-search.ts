// Run search in the store: an FTS5 index (trigram tokens) over names, tags, notes, backend and the
// config line, so a keystroke is one indexed query however many runs the lab holds.
import { architectureLine, describeOptimizer, type Architecture, type CompileConfig } from '../../../src-shared/index.ts';

/** The config column of the index: what a user types to find a run by its model ("dense512", "adam"). */
export function configSearchText(architectureJson: string, compileJson: string): string {
  try {
    const architecture = JSON.parse(architectureJson) as Architecture;
    const compile = JSON.parse(compileJson) as CompileConfig;
    return `${architectureLine(architecture)} ${describeOptimizer(compile.optimizer)} ${compile.optimizer.name}`;
  } catch {
    // A row whose stored config does not read as one (a damaged or hand-made file) is still found by
    // name, tags and notes; it must not stop the index being built for every other run.
    return '';
  }
}

/** Trigram tokens: shorter words can't use the index and are matched with LIKE on the index's own columns. */
const TRIGRAM = 3;
const FTS_COLUMNS = ['name', 'tags', 'notes', 'backend', 'config'] as const;

/**
 * A WHERE fragment (on runs aliased `r`) for a search: every word must match some column; a word that is a run
 * number (`12` or `#12`) also matches that run. Empty when the search is blank.
 */
export function searchCondition(search: string | undefined): { sql: string; params: unknown[] } {
  const words = (search ?? '').trim().split(/\s+/).filter(Boolean);
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const word of words) {
    const id = /^#?(\d{1,15})$/.exec(word);
    const idClause = id ? ` OR r.id = ${Number(id[1])}` : '';
    if ([...word].length >= TRIGRAM) {
      // A quoted FTS5 string: no operator in the user's text is interpreted ("" is a literal quote).
      clauses.push(`(r.id IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)${idClause})`);
      params.push(`"${word.replaceAll('"', '""')}"`);
    } else {
      const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const any = FTS_COLUMNS.map((c) => `f.${c} LIKE ? ESCAPE '\\'`).join(' OR ');
      clauses.push(`(r.id IN (SELECT f.rowid FROM runs_fts f WHERE ${any})${idClause})`);
      params.push(...FTS_COLUMNS.map(() => like));
    }
  }
  return { sql: clauses.join(' AND '), params };
}
