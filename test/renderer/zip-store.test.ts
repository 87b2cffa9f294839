// The model export as one archive: a real unzip reads it back byte for byte (CRCs checked),
// with model.json and its weights in one folder, as tf.loadLayersModel needs them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelArchive } from '../../src-renderer/components/runs/download.ts';
import { crc32, zipStore } from '../../src-renderer/lib/zip-store.ts';

const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;

describe('zipStore', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it.skipIf(!hasUnzip)('writes an archive unzip tests clean and extracts byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-zip-'));
    try {
      const weights = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i));
      const model = {
        modelJson: { filename: 'model.json', mimeType: 'application/json', content: '{"format":"layers-model","weightsManifest":[{"paths":["weights.bin"]}],"name":"ünïcode"}' },
        weights: { filename: 'weights.bin', mimeType: 'application/octet-stream', base64: Buffer.from(weights.buffer).toString('base64'), bytes: weights.byteLength },
      };
      writeFileSync(join(dir, 'model.zip'), modelArchive(model, 'layerlab-run-3'));
      const tested = spawnSync('unzip', ['-t', 'model.zip'], { cwd: dir, encoding: 'utf8' });
      expect(tested.status, tested.stdout + tested.stderr).toBe(0);
      expect(tested.stdout).toMatch(/No errors detected/);
      expect(spawnSync('unzip', ['-q', 'model.zip'], { cwd: dir }).status).toBe(0);
      expect(readFileSync(join(dir, 'layerlab-run-3', 'model.json'), 'utf8')).toBe(model.modelJson.content);
      expect(readFileSync(join(dir, 'layerlab-run-3', 'weights.bin')).equals(Buffer.from(weights.buffer))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what the format cannot hold without ZIP64', () => {
    expect(() => zipStore(Array.from({ length: 65_536 }, (_, i) => ({ name: `${i}`, data: new Uint8Array(0) })))).toThrow(/65535/);
  });
});
