import { parseArgs } from 'node:util';
import { ArchitectureError, analyzeArchitecture, formatSummary } from '../../../src-shared/index.ts';
import { readArchitecture } from '../architecture-source.ts';

export const summaryHelp = `layerlab summary --preset keras-mlp | --arch FILE [--json]
  Print the Keras-style summary of an architecture (layers, output shapes, parameters), for MNIST or any
  dataset's shape (whether it fits a dataset is checked when it trains on it).`;

export function summaryCommand(argv: string[], out: NodeJS.WritableStream): number {
  const { values } = parseArgs({ args: argv, options: { preset: { type: 'string' }, arch: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  const analysis = analyzeArchitecture(readArchitecture(values.preset, values.arch), null);
  if (!analysis.ok) throw new ArchitectureError(analysis.issues);
  out.write(values.json ? `${JSON.stringify(analysis)}\n` : `${formatSummary(analysis)}\n`);
  return 0;
}
