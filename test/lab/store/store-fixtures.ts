// Runs to store, shared by the tests and the child process that is killed mid-run.
import { CompileConfigSchema, findPreset, TrainConfigSchema } from '../../../src-shared/index.ts';
import type { NewRun } from '../../../src-main/lab/store/lab-store.ts';

export function newRun(name = 'r'): NewRun {
  return { name, architecture: findPreset('keras-mlp')!.architecture, compile: CompileConfigSchema.parse({}), train: TrainConfigSchema.parse({ epochs: 3 }), dataset: { name: 'mnist', hash: 'abc' }, totalParams: 407_050 };
}
