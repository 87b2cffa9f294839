// A bench workload as a Layerlab TrainJob: the same job the app builds for that architecture and optimizer.
import type { BackendChoice, ValidationConfig } from '../src-shared/index.ts';
import type { TrainJob } from '../src-main/lab/training/trainer-protocol.ts';
import { WORKLOADS, type WorkloadName } from './workloads.ts';

export interface BenchJobOptions {
  workload: WorkloadName;
  backend: BackendChoice;
  batchSize: number;
  seed: number;
  epochs?: number;
  /** Fewer training images for a partial (extrapolated) epoch. */
  trainExamples?: number;
  testExamples?: number;
  validation?: ValidationConfig;
  /** Lab home (only imported datasets are read from it; MNIST is built in). */
  home: string;
}

export function benchJob(o: BenchJobOptions): TrainJob {
  const w = WORKLOADS[o.workload];
  return {
    runId: 1,
    architecture: w.architecture,
    compile: { loss: 'categoricalCrossentropy', optimizer: w.optimizer, metrics: ['accuracy'] },
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
