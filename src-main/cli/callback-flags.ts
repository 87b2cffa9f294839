// The callbacks as CLI flags, compact and strict: --early-stopping val_loss:3[:0.001] and
// --lr-schedule step:0.5:10 | exp:0.96[:1] | cosine[:WARMUP[:ALPHA]] | plateau:0.1:10[:MIN_LR].
// The contract's schemas judge the numbers; this only splits and reads them.
import { MONITORS, type EarlyStoppingConfig, type LrScheduleConfig } from '../../src-shared/index.ts';
import { UsageError } from './cli-error.ts';
import { intFlag, numberFlag } from './flags.ts';

export const callbackHelp = `  --early-stopping MONITOR:PATIENCE[:MIN_DELTA]  (MONITOR: ${MONITORS.join('|')})  --restore-best-weights
  --lr-schedule step:FACTOR:EVERY_EPOCHS | exp:DECAY_RATE[:DECAY_EPOCHS] | cosine[:WARMUP_EPOCHS[:ALPHA]] | plateau:FACTOR:PATIENCE[:MIN_LR]`;

type EarlyStoppingInput = Partial<EarlyStoppingConfig>;
type LrScheduleInput = { kind: LrScheduleConfig['kind'] } & Record<string, unknown>;

export function earlyStoppingFlag(value: string | undefined, restoreBestWeights: boolean | undefined): EarlyStoppingInput | undefined {
  if (value === undefined) {
    if (restoreBestWeights) throw new UsageError('--restore-best-weights needs --early-stopping');
    return undefined;
  }
  const parts = value.split(':');
  const [monitor, patience, minDelta] = parts;
  if (parts.length < 2 || parts.length > 3 || !(MONITORS as readonly string[]).includes(monitor ?? '')) {
    throw new UsageError(`--early-stopping takes MONITOR:PATIENCE[:MIN_DELTA] with MONITOR one of ${MONITORS.join(', ')}, got "${value}"`);
  }
  return {
    monitor: monitor as EarlyStoppingConfig['monitor'],
    patience: intFlag('early-stopping patience', patience),
    ...(minDelta !== undefined ? { minDelta: numberFlag('early-stopping min_delta', minDelta) } : {}),
    ...(restoreBestWeights ? { restoreBestWeights: true } : {}),
  };
}

const SCHEDULE_FORMS: Record<string, { kind: LrScheduleConfig['kind']; fields: { name: string; int: boolean }[]; required: number }> = {
  step: { kind: 'stepDecay', fields: [{ name: 'factor', int: false }, { name: 'everyEpochs', int: true }], required: 2 },
  exp: { kind: 'exponentialDecay', fields: [{ name: 'decayRate', int: false }, { name: 'decayEpochs', int: true }], required: 1 },
  cosine: { kind: 'cosineDecay', fields: [{ name: 'warmupEpochs', int: true }, { name: 'alpha', int: false }], required: 0 },
  plateau: { kind: 'reduceOnPlateau', fields: [{ name: 'factor', int: false }, { name: 'patience', int: true }, { name: 'minLr', int: false }], required: 2 },
};

export function lrScheduleFlag(value: string | undefined): LrScheduleInput | undefined {
  if (value === undefined) return undefined;
  const [name, ...numbers] = value.split(':');
  const form = SCHEDULE_FORMS[name ?? ''];
  if (!form || numbers.length < form.required || numbers.length > form.fields.length) {
    throw new UsageError(`--lr-schedule takes step:FACTOR:EVERY_EPOCHS, exp:DECAY_RATE[:DECAY_EPOCHS], cosine[:WARMUP_EPOCHS[:ALPHA]] or plateau:FACTOR:PATIENCE[:MIN_LR], got "${value}"`);
  }
  const out: LrScheduleInput = { kind: form.kind };
  numbers.forEach((text, i) => {
    const field = form.fields[i]!;
    out[field.name] = field.int ? intFlag(`lr-schedule ${field.name}`, text) : numberFlag(`lr-schedule ${field.name}`, text);
  });
  return out;
}
