// Saves exported text or bytes as a browser download (both in Electron and in web mode).
import type { ExportedFile, ModelExport } from '../../../src-shared/api.ts';
import { zipStore } from '../../lib/zip-store.ts';

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

/** model.json and its weights shard must sit side by side (the manifest names the shard), so
 *  they go out as one archive with one folder inside: one download, one Save dialog. */
export function modelArchive(model: ModelExport, folder: string): Uint8Array<ArrayBuffer> {
  const binary = atob(model.weights.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return zipStore([
    { name: `${folder}/${model.modelJson.filename}`, data: new TextEncoder().encode(model.modelJson.content) },
    { name: `${folder}/${model.weights.filename}`, data: bytes },
  ]);
}

export function downloadModel(model: ModelExport, folder: string): void {
  save(new Blob([modelArchive(model, folder)], { type: 'application/zip' }), `${folder}-tfjs.zip`);
}

/** Colour of the n-th compared run (CSS variables defined by the Runs view, light and dark). */
export const runColorVar = (i: number): string => `--run-${(i % 10) + 1}`;
