// The GPU check's workloads: the seed tutorial's MLP, the app's Small CNN, and the Keras mnist_convnet example.
// PyTorch receives the same specs as JSON, so both sides train the same networks with the same optimizers.
import { CompileConfigSchema, type Architecture, type CompileConfig } from '../../src-shared/index.ts';
import { WORKLOADS as BENCH_WORKLOADS, type WorkloadName } from '../workloads.ts';

export interface Workload {
  id: string;
  title: string;
  architecture: Architecture;
  compile: CompileConfig;
  batchSize: number;
}

/** The CPU bench's networks and optimizers (bench/workloads.ts), at the seed's batch of 128. */
function fromBench(id: WorkloadName, title: string): Workload {
  const spec = BENCH_WORKLOADS[id];
  return { id, title, architecture: spec.architecture, compile: CompileConfigSchema.parse({ optimizer: spec.optimizer }), batchSize: 128 };
}

export const WORKLOADS: readonly Workload[] = [fromBench('seed-mlp', 'Seed MLP'), fromBench('small-cnn', 'Small CNN'), fromBench('keras-cnn', 'Keras CNN')];

export function findWorkload(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload "${id}" (known: ${WORKLOADS.map((x) => x.id).join(', ')})`);
  return w;
}
