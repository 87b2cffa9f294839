// Runs one engine once and prints `RESULT <json>` (used by run-bench.ts: one process per engine run).
import { ENGINES } from './engines/index.ts';
import type { BenchWorkload } from './engines/types.ts';

const [name, workloadJson] = process.argv.slice(2);
const load = name == null ? undefined : ENGINES[name];
if (load == null || workloadJson == null) {
  console.error(`usage: engine-child.ts <${Object.keys(ENGINES).join('|')}> <workload json>`);
  process.exit(2);
}
const engine = await load();
const result = await engine.run(JSON.parse(workloadJson) as BenchWorkload);
console.log(`RESULT ${JSON.stringify(result)}`);
