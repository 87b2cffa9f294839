// Saves exported text or bytes as a browser download (both in Electron and in web mode).
import type { ExportedFile, ModelExport } from '../../../src-shared/api.ts';

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadFile(file: ExportedFile): void {
  save(new Blob([file.content], { type: file.mimeType }), file.filename);
}

/** model.json and its weights shard: two downloads that must sit in the same folder. */
export function downloadModel(model: ModelExport, prefix: string): void {
  const binary = atob(model.weights.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // The manifest names the shard without a prefix: only model.json gets one.
  save(new Blob([model.modelJson.content], { type: model.modelJson.mimeType }), `${prefix}-${model.modelJson.filename}`);
  save(new Blob([bytes], { type: model.weights.mimeType }), model.weights.filename);
}

/** Colour of the n-th compared run (CSS variables defined by the Runs view, light and dark). */
export const runColorVar = (i: number): string => `--run-${(i % 10) + 1}`;
