// The seed workload as a Layerlab TrainJob: the same job the app builds for the "Keras tutorial MLP" preset.
import type { BackendChoice, ValidationConfig } from '../src-shared/index.ts';
import { PRESETS } from '../src-shared/presets.ts';
import type { TrainJob } from '../src-main/lab/training/trainer-protocol.ts';

export interface SeedJobOptions {
  backend: BackendChoice;
  batchSize: number;
  learningRate: number;
  seed: number;
  epochs?: number;
  /** Fewer training images for a partial (extrapolated) epoch. */
  trainExamples?: number;
  testExamples?: number;
  validation?: ValidationConfig;
  /** Lab home (only imported datasets are read from it; MNIST is built in). */
  home: string;
}

export function seedJob(o: SeedJobOptions): TrainJob {
  const preset = PRESETS.find((p) => p.id === 'keras-mlp');
  if (preset == null) throw new Error('the keras-mlp preset is gone');
  return {
    runId: 1,
    architecture: preset.architecture,
    compile: { loss: 'categoricalCrossentropy', optimizer: { name: 'sgd', learningRate: o.learningRate, momentum: 0, nesterov: false }, metrics: ['accuracy'] },
    train: {
      batchSize: o.batchSize,
      epochs: o.epochs ?? 1,
      validation: o.validation ?? { kind: 'none' },
      trainExamples: o.trainExamples ?? 60_000,
      testExamples: o.testExamples ?? 10_000,
      shuffle: true,
      seed: o.seed,
    },
    dataset: 'mnist',
    home: o.home,
    backend: o.backend,
    initialWeights: null,
  };
}
