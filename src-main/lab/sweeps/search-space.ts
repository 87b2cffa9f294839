// A sweep's search space expanded into run requests: pure (no store, no clock), so "a sweep's runs are exactly the
// grid" is a test of this function. Every variant is checked as the lab would check a single run; the first bad
// one refuses the whole sweep, naming its values, before anything is queued.
import {
  CompileConfigSchema,
  OptimizerSchema,
  StartRunSchema,
  type CreateSweepParsed,
  type LayerSpec,
  type StartRunParsed,
  type SweepParam,
  type SweepValue,
} from '../../../src-shared/index.ts';
import { SeededRandom } from '../util/seeded-random.ts';

export class SweepError extends Error {
  override name = 'SweepError';
}

export interface SweepVariant {
  /** The swept fields' values, plus the seed when repeated. */
  params: Record<string, SweepValue>;
  repeat: number;
  request: StartRunParsed;
}

const LAYER_FIELD = /^(units|rate|filters|kernelSize|activation|present)@(\d+)$/;
const MAX_SEED = 2 ** 31 - 1;

/** The points of the space before repeats: the grid in order (last field fastest), or the seeded random draws. */
export function searchPoints(search: CreateSweepParsed['search']): Record<string, SweepValue>[] {
  const fields = search.params.map((p) => p.field);
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  if (twice) throw new SweepError(`${twice} is swept twice; give it one list of values`);
  if (search.kind === 'grid') {
    let points: Record<string, SweepValue>[] = [{}];
    for (const param of search.params) {
      if (!('values' in param)) throw new SweepError(`${param.field}: a grid takes a list of values; ranges are for random search`);
      points = points.flatMap((p) => param.values.map((v) => ({ ...p, [param.field]: v })));
    }
    return points;
  }
  const rng = new SeededRandom(search.seed);
  return Array.from({ length: search.count }, () => Object.fromEntries(search.params.map((param) => [param.field, draw(param, rng)])));
}

function draw(param: SweepParam, rng: SeededRandom): SweepValue {
  if ('values' in param) return param.values[rng.nextInt(param.values.length)] as SweepValue;
  const u = rng.next();
  const x = param.scale === 'log' ? Math.exp(Math.log(param.min) + u * (Math.log(param.max) - Math.log(param.min))) : param.min + u * (param.max - param.min);
  // Four significant digits: 0.0031622776 reads (and compares) as 0.003162.
  return param.integer ? Math.round(x) : Number(x.toPrecision(4));
}

/** Counts of a sweep before expanding it: the grid's size or the draws, times the repeats. */
export function plannedRuns(spec: CreateSweepParsed): number {
  const points = spec.search.kind === 'grid' ? spec.search.params.reduce((n, p) => n * ('values' in p ? p.values.length : 1), 1) : spec.search.count;
  return points * spec.repeats;
}

/** One point applied to the base request; throws a SweepError naming the field when it cannot apply. */
function applyPoint(base: StartRunParsed, point: Record<string, SweepValue>): StartRunParsed {
  const layers: (LayerSpec | null)[] = base.architecture.layers.map((l) => ({ ...l }));
  let optimizer: Record<string, unknown> = { ...base.compile.optimizer };
  const train: Record<string, unknown> = { ...base.train };
  // The optimizer first: choosing one brings its defaults, then lr and momentum apply to it.
  if ('optimizer' in point) {
    const parsed = OptimizerSchema.safeParse({ name: point.optimizer });
    if (!parsed.success) throw new SweepError(`optimizer=${point.optimizer}: not an optimizer (sgd, adam, rmsprop, adagrad)`);
    optimizer = { ...parsed.data, learningRate: base.compile.optimizer.learningRate };
  }
  const absent = new Set<number>();
  for (const [field, value] of Object.entries(point)) {
    if (field === 'optimizer') continue;
    if (field === 'lr') optimizer.learningRate = value;
    else if (field === 'momentum') optimizer.momentum = value;
    else if (field === 'batchSize' || field === 'epochs') train[field] = value;
    else {
      const match = LAYER_FIELD.exec(field);
      if (!match) throw new SweepError(`${field} is not a field a sweep can vary`);
      const [, name, at] = match as unknown as [string, string, string];
      const index = Number(at) - 1;
      const layer = layers[index];
      if (!layer) throw new SweepError(`${field}: the model has ${layers.length} layers`);
      if (name === 'present') {
        if (typeof value !== 'boolean') throw new SweepError(`${field}=${value}: present takes true or false`);
        if (!value) absent.add(index);
      } else {
        if (!(name in layer) && !(name === 'activation' && ['dense', 'conv2d'].includes(layer.type))) {
          throw new SweepError(`${field}: layer ${at} is ${layer.type}, which has no ${name}`);
        }
        (layer as unknown as Record<string, unknown>)[name] = value;
      }
    }
  }
  const compile = CompileConfigSchema.safeParse({ ...base.compile, optimizer });
  if (!compile.success) throw new SweepError(`${describe(point)}: ${compile.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const architecture = { ...base.architecture, layers: layers.filter((l, i): l is LayerSpec => l !== null && !absent.has(i)) };
  const parsed = StartRunSchema.safeParse({ ...base, architecture, compile: compile.data, train });
  if (!parsed.success) throw new SweepError(`${describe(point)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const describe = (point: Record<string, SweepValue>) => Object.entries(point).map(([k, v]) => `${k}=${v}`).join(' ') || 'the base configuration';

/** Every run of the sweep, in queue order: each point, then its repeats (seed, seed + 1, …). */
export function expandSweep(spec: CreateSweepParsed): SweepVariant[] {
  const planned = plannedRuns(spec);
  if (planned > spec.maxRuns) {
    const shape = spec.search.kind === 'grid' ? spec.search.params.map((p) => ('values' in p ? p.values.length : 1)).join(' × ') || '1' : `${spec.search.count} draws`;
    throw new SweepError(`the sweep has ${planned} runs (${shape}${spec.repeats > 1 ? ` × ${spec.repeats} repeats` : ''}) but its cap is ${spec.maxRuns}; narrow the space or raise the cap (at most 500)`);
  }
  const variants: SweepVariant[] = [];
  for (const point of searchPoints(spec.search)) {
    // The contract's schema checks the variant's architecture too (units, rates, shapes), with its messages.
    const request = applyPoint(spec.base, point);
    for (let repeat = 0; repeat < spec.repeats; repeat++) {
      const seed = (request.train.seed + repeat) % (MAX_SEED + 1);
      variants.push({
        params: spec.repeats > 1 ? { ...point, seed } : point,
        repeat,
        request: { ...request, train: { ...request.train, seed } },
      });
    }
  }
  return variants;
}
