// --preset NAME or --arch FILE -> an architecture spec (validated later by the contract).
import { readFileSync } from 'node:fs';
import { findPreset, PRESETS } from '../../src-shared/index.ts';
import { UsageError } from './cli-error.ts';

export function readArchitecture(preset: string | undefined, file: string | undefined): unknown {
  if (preset && file) throw new UsageError('give either --preset or --arch, not both');
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    // Windows editors often save UTF-8 with a byte-order mark; JSON.parse refuses it.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const id = preset ?? 'keras-mlp';
  const found = findPreset(id);
  if (!found) throw new UsageError(`unknown preset "${id}"; presets: ${PRESETS.map((p) => p.id).join(', ')}`);
  return structuredClone(found.architecture);
}
