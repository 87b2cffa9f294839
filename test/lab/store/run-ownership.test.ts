// A run belongs to the process that trains it: no other process may delete it, and the refusal
// names the owner. The owner here is a real child process, as `layerlab serve` would be.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabStore, StoreError } from '../../../src-main/lab/store/lab-store.ts';
import { userErrorStatus } from '../../../src-main/lab/user-errors.ts';
import { newRun } from './store-fixtures.ts';

const ROOT = join(import.meta.dirname, '../../..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-owner-'));
  dirs.push(dir);
  return dir;
}

/** Starts a process that owns a running run in `file`; resolves with the run id and the child. */
async function holdRun(file: string, kind: string): Promise<{ runId: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'hold-run.ts'), file, kind], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the holding process exited (${code})`)));
  });
  return { runId: Number(line.trim()), child };
}

describe('a run owned by a live process', () => {
  it('cannot be deleted from another process, and the refusal says who owns it', async () => {
    const file = join(tempHome(), 'layerlab.sqlite');
    LabStore.open(file).close();
    const { runId, child } = await holdRun(file, 'layerlab serve');
    const store = LabStore.open(file);
    expect(store.getRun(runId)?.status).toBe('running');
    const attempt = () => store.deleteRun(runId);
    expect(attempt).toThrow(StoreError);
    expect(attempt).toThrow(`run ${runId} is training in layerlab serve (pid ${child.pid} on ${hostname()}); stop it there before deleting it`);
    expect(store.getRun(runId)?.status).toBe('running');
    // A user error the bridge answers with 409 Conflict, not a 500.
    let refusal: unknown;
    try {
      attempt();
    } catch (error) {
      refusal = error;
    }
    expect(userErrorStatus(refusal)).toBe(409);
    // Renaming is allowed (a name is not something the trainer reads) and lands whole.
    expect(store.updateRun(runId, { name: 'renamed', tags: ['a'], notes: 'n' })).toMatchObject({ name: 'renamed', tags: ['a'], notes: 'n', status: 'running' });
    expect(store.liveRuns()).toEqual([{ id: runId, owner: { host: hostname(), pid: child.pid, kind: 'layerlab serve' }, mine: false }]);
    store.close();
  });

  it('can be deleted once its owner is gone', async () => {
    const file = join(tempHome(), 'layerlab.sqlite');
    LabStore.open(file).close();
    const { runId, child } = await holdRun(file, 'layerlab serve');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = LabStore.open(file);
    expect(store.getRun(runId)?.status).toBe('interrupted');
    expect(store.deleteRun(runId)).toBe(true);
    store.close();
  });

  it('runs of this process are the caller’s to judge; finished runs of live processes can be deleted', () => {
    const store = LabStore.open(join(tempHome(), 'layerlab.sqlite'), { ownerKind: 'test' });
    const id = store.createRun(newRun());
    expect(store.liveRuns()).toEqual([{ id, owner: { host: hostname(), pid: process.pid, kind: 'test' }, mine: true }]);
    store.finishRun(id, 'completed', null);
    expect(store.liveRuns()).toEqual([]);
    expect(store.deleteRun(id)).toBe(true);
    store.close();
  });

  it('`layerlab runs delete` refuses it with the owner and exit code 1', async () => {
    const home = tempHome();
    const file = join(home, 'layerlab.sqlite');
    LabStore.open(file).close();
    const { runId, child } = await holdRun(file, 'layerlab serve');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/layerlab.js'), 'runs', 'delete', String(runId), '--home', home], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).not.toContain('Deleted');
    expect(r.stderr).toContain(`run ${runId} is training in layerlab serve (pid ${child.pid} on ${hostname()})`);
    expect(r.status).toBe(1);
    const store = LabStore.open(file);
    expect(store.getRun(runId)?.status).toBe('running');
    store.close();
  });
});
