// node --import tsx bench/inside-latency.ts [--updates 150] [--baseline REF]
// Draw's latency per update with the inside views open, for the seed MLP, as the app's web mode
// serves it: a real `layerlab serve` (its own process, the Predictor's wasm backend) and this
// process as the page, sending Draw's requests over HTTP with the JSON both sides really parse.
// A pen stroke makes an update every THROTTLE_MS (Draw's throttle); an update's latency is the
// time from the stroke to the moment the seed MLP's card holds the answers (prediction and, with
// the inside open, activations + saliency) for that image or a newer one — what the user waits for.
// Rows: the seed MLP alone (inside closed / open), beside the small CNN (both cards inside), and that
// while a 2,000-image UMAP projection of the seed MLP runs in the serving process.
// Two request policies, as the renderer had them: `every update` (before: each card's predict and,
// inside open, inspectImage for every update, however many are still out) and `coalesced` (now: per
// card one request on its way — inspectImage alone with the inside open, its probabilities being the
// answer — and the newest image waiting in its place; older ones are dropped: last answer wins).
// --baseline REF serves from REF's src-main too (bench/baseline.ts), for a before/after in one run:
// both servers run at once and take turns scenario by scenario, in both orders, so the machine's
// load falls on both alike. Wall-clock on a shared machine: read the rows against each other,
// with the 1-minute load average printed at each turn.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { CompileConfigSchema, findPreset, TrainConfigSchema, type Architecture } from '../src-shared/index.ts';
import { DATABASE_FILE } from '../src-main/lab/home.ts';
import { buildModel } from '../src-main/lab/model/build-model.ts';
import type { Tf } from '../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../src-main/lab/model/weights-codec.ts';
import { LabStore } from '../src-main/lab/store/lab-store.ts';
import { SeededRandom } from '../src-main/lab/util/seeded-random.ts';
import { prepareBaseline } from './baseline.ts';

const THROTTLE_MS = 120;
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const updates = Number(option('--updates') ?? 150) || 150;
const baselineRef = option('--baseline');
const benchDir = dirname(fileURLToPath(import.meta.url));

// A lab with the seed MLP and the small CNN (weights: their seeded init; the cost does not depend on their values).
await tf.setBackend('cpu');
const home = mkdtempSync(join(tmpdir(), 'layerlab-inside-bench-'));
const store = LabStore.open(join(home, DATABASE_FILE));
function storedRun(name: string, architecture: Architecture): number {
  const model = buildModel(tf as unknown as Tf, architecture, 1);
  const runId = store.createRun({ name, architecture, compile: CompileConfigSchema.parse({}), train: TrainConfigSchema.parse({}), dataset: { name: 'mnist', hash: 'bench' }, totalParams: model.countParams() });
  store.saveCheckpoint(runId, { kind: 'final', epoch: 1, valLoss: null, weights: encodeWeights(model) });
  model.dispose();
  return runId;
}
const mlp = storedRun('seed mlp', findPreset('keras-mlp')!.architecture);
const cnn = storedRun('small cnn', findPreset('small-cnn')!.architecture);
store.close();

interface Server {
  base: string;
  token: string;
  child: ChildProcess;
}

async function serve(root: string): Promise<Server> {
  const child = spawn(process.execPath, [join(root, 'bin/layerlab.js'), 'serve', '--port', '0', '--home', home], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<URL>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(new URL(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`layerlab serve exited (${code}): ${output}`)));
  });
  return { base: url.origin, token: url.searchParams.get('token') ?? '', child };
}

async function call(server: Server, command: string, input: unknown): Promise<unknown> {
  const response = await fetch(`${server.base}/api/${command}`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await response.json()) as { ok: boolean; result?: unknown; error?: string };
  if (!body.ok) throw new Error(`${command}: ${body.error}`);
  return body.result;
}

/** A drawing that grows stroke by stroke: a few more pixels of ink per update. */
function strokes(count: number): number[][] {
  const rng = new SeededRandom(7);
  const image = new Array<number>(784).fill(0);
  return Array.from({ length: count }, () => {
    for (let k = 0; k < 12; k++) image[rng.nextInt(784)] = rng.next();
    return [...image];
  });
}

type Policy = 'every update' | 'coalesced';
interface Scenario {
  slots: number[];
  inside: boolean;
  policy: Policy;
}

/**
 * Draw for `images.length` updates, one every THROTTLE_MS; per update, ms until the seed MLP's
 * card (slot 0) shows every answer it waits for, for that image or a newer one. As in Draw, an
 * answer is shown only while its image is still the newest drawn (an older one is dropped: last
 * answer wins), so a backlog of requests shows as latency, not as a stream of stale answers.
 */
async function drawSession(server: Server, images: number[][], { slots, inside, policy }: Scenario): Promise<number[]> {
  // Draw now asks one inspection per card with the inside open (its probabilities are the answer).
  const kinds = !inside ? ['predict'] : policy === 'coalesced' ? ['inspectImage'] : ['predict', 'inspectImage'];
  const madeAt: number[] = [];
  /** Per kind: the newest update whose answer the seed MLP's card shows. */
  const shown = new Map<string, number>();
  const inFlight = new Set<string>();
  const waiting = new Map<string, number>();
  const latency: number[] = new Array<number>(images.length).fill(NaN);
  const show = (kind: string, update: number) => {
    if (update !== madeAt.length - 1) return; // stale: a newer image was drawn meanwhile
    shown.set(kind, update);
    const upTo = Math.min(...kinds.map((k) => shown.get(k) ?? -1));
    for (let u = 0; u <= upTo; u++) if (Number.isNaN(latency[u])) latency[u] = performance.now() - (madeAt[u] as number);
  };
  const outstanding: Promise<void>[] = [];
  const send = (runId: number, kind: string, update: number): void => {
    const key = `${runId}/${kind}`;
    if (policy === 'coalesced' && inFlight.has(key)) {
      waiting.set(key, update);
      return;
    }
    inFlight.add(key);
    const image = images[update] as number[];
    const input = kind === 'predict' ? { runId, images: [image] } : { runId, image };
    const request = call(server, kind, input).then(() => {
      inFlight.delete(key);
      if (runId === slots[0]) show(kind, update);
      const next = waiting.get(key);
      if (next !== undefined) {
        waiting.delete(key);
        send(runId, kind, next);
      }
    });
    outstanding.push(request);
  };
  for (let u = 0; u < images.length; u++) {
    madeAt[u] = performance.now();
    for (const runId of slots) for (const kind of kinds) send(runId, kind, u);
    await new Promise((r) => setTimeout(r, THROTTLE_MS));
  }
  while (outstanding.length) await outstanding.shift();
  return latency;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const load = () => loadavg()[0]?.toFixed(2) ?? '?';

interface Row {
  server: string;
  cards: string;
  policy: Policy;
  ms: number[];
  loads: string[];
}
const rows = new Map<string, Row>();
function record(server: string, cards: string, policy: Policy, ms: number[]): void {
  const key = `${server}|${cards}|${policy}`;
  const row = rows.get(key) ?? { server, cards, policy, ms: [], loads: [] };
  row.ms.push(...ms);
  row.loads.push(load());
  rows.set(key, row);
}

const SCENARIOS: [string, Scenario][] = [
  ['seed MLP alone, inside closed', { slots: [mlp], inside: false, policy: 'every update' }],
  ['seed MLP alone, inside open', { slots: [mlp], inside: true, policy: 'every update' }],
  ['seed MLP alone, inside open', { slots: [mlp], inside: true, policy: 'coalesced' }],
  ['beside the small CNN, inside open', { slots: [mlp, cnn], inside: true, policy: 'every update' }],
  ['beside the small CNN, inside open', { slots: [mlp, cnn], inside: true, policy: 'coalesced' }],
];

/** While the projector computes a UMAP of 2,000 test images of the seed MLP in the serving process. */
async function duringUmap(server: Server, label: string, policy: Policy, seed: number): Promise<void> {
  const started = performance.now();
  const projecting = call(server, 'projectEmbedding', { runId: mlp, method: 'umap', sample: 2000, seed }).then(() => performance.now());
  const ms = await drawSession(server, strokes(Math.min(updates, 60)), { slots: [mlp, cnn], inside: true, policy });
  const finished = await projecting;
  record(label, `beside the CNN, during a 2,000-image UMAP (${((finished - started) / 1000).toFixed(1)} s)`, policy, ms);
}

// Both servers run at once on the same lab and take turns scenario by scenario (in both orders),
// so a change in the machine's load falls on both alike.
const servers: { label: string; root: string; cleanup?: () => void; server?: Server }[] = [];
if (baselineRef) {
  const baseline = prepareBaseline(baselineRef, benchDir);
  servers.push({ label: `before (${baselineRef})`, root: dirname(baseline.benchDir), cleanup: baseline.cleanup });
}
servers.push({ label: 'this checkout', root: dirname(benchDir) });
try {
  for (const s of servers) s.server = await serve(s.root);
  for (const s of servers) await drawSession(s.server!, strokes(20), { slots: [mlp, cnn], inside: true, policy: 'coalesced' });
  const images = strokes(updates);
  for (const round of [0, 1]) {
    const order = round === 0 ? servers : [...servers].reverse();
    for (const [cards, scenario] of SCENARIOS) for (const s of order) record(s.label, cards, scenario.policy, await drawSession(s.server!, images.slice(0, updates >> 1), scenario));
  }
  // Each projection once per server (a second with the same seed would be a cache hit).
  for (const s of servers) for (const [i, policy] of (['every update', 'coalesced'] as const).entries()) await duringUmap(s.server!, s.label, policy, i + 1);
} finally {
  for (const s of servers) s.server?.child.kill('SIGTERM');
  for (const s of servers) s.cleanup?.();
  rmSync(home, { recursive: true, force: true });
}

console.log(`Draw update latency for the seed MLP's card (stroke → its answers shown), ${updates} updates per row (two turns of ${updates >> 1}) every ${THROTTLE_MS} ms, over HTTP to layerlab serve\n`);
console.log('| server | cards | requests | p50 ms | p95 ms | max ms | 1-min load at each turn |\n|---|---|---|---|---|---|---|');
for (const r of rows.values()) console.log(`| ${r.server} | ${r.cards} | ${r.policy} | ${pct(r.ms, 50).toFixed(1)} | ${pct(r.ms, 95).toFixed(1)} | ${Math.max(...r.ms).toFixed(1)} | ${r.loads.join(', ')} |`);
