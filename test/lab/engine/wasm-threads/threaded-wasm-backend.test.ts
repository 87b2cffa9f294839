// tfjs-wasm's threaded build under Node: it starts with the threads asked for, reports them, computes what one
// thread computes, never holds a process open, and when it cannot load the backend still starts, on one thread,
// saying why.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultWasmThreads, MAX_WASM_THREADS } from '../../../../src-main/lab/engine/wasm-threads/threaded-wasm-backend.ts';

const child = fileURLToPath(new URL('../fixtures/threaded-wasm-child.ts', import.meta.url));

function runChild(mode: string): { status: number | null; out: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(r.error).toBeUndefined();
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  return { status: r.status, out: line ? (JSON.parse(line) as Record<string, unknown>) : {}, stderr: r.stderr };
}

describe('threaded wasm build', () => {
  it('runs on 2 threads, says so in the backend report, computes right, and lets the process exit', () => {
    const r = runChild('exit');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ backend: 'wasm', state: { threads: 2, reason: null }, detail: 'threaded SIMD build, 2 threads', sum: 128 * 784 * 512 });
  });

  it('falls back to one thread, visibly, when the threaded build cannot load', () => {
    const r = runChild('fallback');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out['backend']).toBe('wasm');
    expect(r.out['sum']).toBe(128 * 784 * 512);
    const state = r.out['state'] as { threads: number; reason: string };
    expect(state.threads).toBe(1);
    expect(state.reason).toMatch(/^threaded wasm build failed to start \(.*nonexistent.*\); running on one thread$/);
  });
});

describe('defaultWasmThreads', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('takes LAYERLAB_WASM_THREADS, capped at what the build supports', () => {
    vi.stubEnv('LAYERLAB_WASM_THREADS', '1');
    expect(defaultWasmThreads()).toBe(1);
    vi.stubEnv('LAYERLAB_WASM_THREADS', '64');
    expect(defaultWasmThreads()).toBe(MAX_WASM_THREADS);
  });

  it('ignores a value that is not a positive integer and uses the cores', () => {
    vi.stubEnv('LAYERLAB_WASM_THREADS', 'lots');
    const cores = defaultWasmThreads();
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(MAX_WASM_THREADS);
    vi.stubEnv('LAYERLAB_WASM_THREADS', '0');
    expect(defaultWasmThreads()).toBe(cores);
  });
});
