// How much memory training a model takes, and the limits on it. A model too big for the
// machine is refused before a run starts, with its size and the limit, instead of the trainer
// eating memory until the machine swaps (784 → Dense 65536 → Dense 65536 is 17 GB of weights).
import type { ArchitectureAnalysis, ArchitectureIssue } from './analyze-architecture.ts';
import type { Architecture, LayerType } from './architecture.ts';
import type { OptimizerConfig } from './training-config.ts';
import { formatBytes, formatCount } from './units.ts';

/** A hard cap whatever the machine: 1 G parameters (4 GB of float32 weights alone). */
export const MAX_PARAMS = 1_000_000_000;
export const BYTES_PER_FLOAT = 4;
/**
 * The share of the machine's memory one training run may plan for. The rest is the OS, the
 * app, the dataset in the trainer (MNIST alone is 188 MB as float32) and tfjs' own overhead.
 */
export const MEMORY_BUDGET_SHARE = 0.5;

/** The training memory budget of a machine with this much memory. */
export function trainingMemoryBudget(machineBytes: number): number {
  return Math.floor(machineBytes * MEMORY_BUDGET_SHARE);
}

/** Copies of the weights each optimizer keeps between steps, as tfjs implements them. */
export function optimizerSlots(optimizer: OptimizerConfig): number {
  switch (optimizer.name) {
    case 'sgd':
      return optimizer.momentum > 0 ? 1 : 0; // the velocity
    case 'adam':
      return 2; // first and second moments
    case 'rmsprop':
      return 2; // mean squares and moments (tfjs keeps both even without momentum)
    case 'adagrad':
      return 1; // the accumulated squares
  }
}

export interface TrainingMemory {
  weightBytes: number;
  /** One gradient per weight, alive during the update. */
  gradientBytes: number;
  optimizerBytes: number;
  /** Every layer's output for one batch, kept for the backward pass, plus its gradient. */
  activationBytes: number;
  totalBytes: number;
}

/** What the planned run needs to train: weights, gradients, optimizer state and one batch of activations. */
export interface TrainingPlan {
  batchSize: number;
  optimizer: OptimizerConfig;
}

export function estimateTrainingMemory(architecture: Pick<Architecture, 'inputShape'>, analysis: ArchitectureAnalysis, plan: TrainingPlan): TrainingMemory {
  const params = analysis.totalParams;
  const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const perExample = elements(architecture.inputShape) + analysis.layers.reduce((sum, layer) => sum + elements(layer.outputShape), 0);
  const weightBytes = params * BYTES_PER_FLOAT;
  const gradientBytes = params * BYTES_PER_FLOAT;
  const optimizerBytes = params * BYTES_PER_FLOAT * optimizerSlots(plan.optimizer);
  const activationBytes = 2 * plan.batchSize * perExample * BYTES_PER_FLOAT;
  return { weightBytes, gradientBytes, optimizerBytes, activationBytes, totalBytes: weightBytes + gradientBytes + optimizerBytes + activationBytes };
}

/** The field that sets a layer's size, where its field error is shown. */
const SIZE_FIELD: Partial<Record<LayerType, string>> = { dense: 'units', conv2d: 'filters' };

/** The layer (1-based spec position) with the most parameters and activations: where a size issue is shown. */
function biggestLayer(analysis: ArchitectureAnalysis): number {
  let best = 0;
  let bestSize = -1;
  for (const layer of analysis.layers) {
    const size = layer.params + layer.outputShape.reduce((a, b) => a * b, 1);
    if (size > bestSize) {
      best = layer.index;
      bestSize = size;
    }
  }
  return best + 1;
}

function issueAt(analysis: ArchitectureAnalysis, layer: number, text: string): ArchitectureIssue {
  const info = analysis.layers.find((l) => l.index === layer - 1);
  const type = info?.type;
  return { layer, field: (type && SIZE_FIELD[type]) ?? 'type', message: `layer ${layer} (${type ?? '?'}): ${text}` };
}

/** The hard parameter cap, on the layer that crosses it; null when the model is under it. */
export function checkParameterCap(analysis: ArchitectureAnalysis): ArchitectureIssue | null {
  if (analysis.totalParams <= MAX_PARAMS) return null;
  let running = 0;
  const crossing = analysis.layers.find((layer) => (running += layer.params) > MAX_PARAMS);
  return issueAt(analysis, (crossing?.index ?? 0) + 1, `the model would have ${formatCount(analysis.totalParams)} parameters, more than the limit of ${formatCount(MAX_PARAMS)}; use fewer units or filters`);
}

/** Refuses a plan whose training memory exceeds the budget; shown on the model's biggest layer. */
export function checkTrainingMemory(
  architecture: Pick<Architecture, 'inputShape'>,
  analysis: ArchitectureAnalysis,
  plan: TrainingPlan,
  budgetBytes: number,
): ArchitectureIssue | null {
  if (!analysis.ok) return null;
  const memory = estimateTrainingMemory(architecture, analysis, plan);
  if (memory.totalBytes <= budgetBytes) return null;
  return issueAt(
    analysis,
    biggestLayer(analysis),
    `training this model needs about ${formatBytes(memory.totalBytes)} (weights ${formatBytes(memory.weightBytes)}, gradients ${formatBytes(memory.gradientBytes)}, optimizer state ${formatBytes(memory.optimizerBytes)}, activations of a batch of ${plan.batchSize} ${formatBytes(memory.activationBytes)}), more than the limit of ${formatBytes(budgetBytes)} (half of this machine's memory); use fewer units or a smaller batch`,
  );
}
