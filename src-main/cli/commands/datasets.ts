import { DatasetRegistry } from '../../lab/data/dataset-registry.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { UsageError } from '../cli-error.ts';
import { parseSubcommand } from '../flags.ts';
import { jsonText, terminalSafe } from '../terminal-text.ts';

export const datasetsHelp = `layerlab datasets list [--json]
layerlab datasets import NAME --train-images F --train-labels F --test-images F --test-labels F [--title TEXT]
  IDX files, plain or gzip, 28×28 images with labels 0–9. (both take --home DIR)`;

export function datasetsCommand(argv: string[], out: NodeJS.WritableStream): number {
  const { sub, values, positionals } = parseSubcommand(argv, {
    home: { type: 'string' }, json: { type: 'boolean' }, title: { type: 'string' },
    'train-images': { type: 'string' }, 'train-labels': { type: 'string' }, 'test-images': { type: 'string' }, 'test-labels': { type: 'string' },
  });
  const registry = new DatasetRegistry(resolveLabHome(values.home));
  if (sub === 'list') {
    const list = registry.list();
    if (values.json) out.write(`${jsonText(list)}\n`);
    else {
      for (const d of list) {
        if (d.damaged) out.write(`${d.name.padEnd(16)} DAMAGED: ${terminalSafe(d.damaged)}\n`);
        else out.write(`${d.name.padEnd(16)} ${String(d.trainExamples).padStart(6)} train  ${String(d.testExamples).padStart(6)} test  ${d.hash.slice(0, 12)}  ${terminalSafe(d.title)}\n`);
      }
    }
    return 0;
  }
  if (sub === 'import') {
    const name = positionals[0];
    const files = { trainImages: values['train-images'], trainLabels: values['train-labels'], testImages: values['test-images'], testLabels: values['test-labels'] };
    const missing = Object.entries(files).filter(([, v]) => !v).map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    if (!name || missing.length) throw new UsageError(`datasets import needs a NAME and ${missing.join(', ') || 'the four files'}`);
    const info = registry.importIdx(name, files as Record<keyof typeof files, string>, values.title);
    out.write(`Imported ${info.name}: ${info.trainExamples} training and ${info.testExamples} test images (${info.hash.slice(0, 12)})\n`);
    return 0;
  }
  throw new UsageError(`unknown datasets command ${sub === undefined ? '(none)' : `"${sub}"`}\n${datasetsHelp}`);
}
