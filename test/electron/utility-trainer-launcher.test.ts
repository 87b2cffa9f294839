// The utilityProcess trainer launcher with a fake fork: nothing is sent before the trainer is
// ready, messages and exits reach the service, both output pipes are drained (a full pipe
// would block the trainer's writes) and their tail explains a crash.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { utilityTrainerLauncher, type UtilityFork } from '../../src-main/electron/utility-trainer-launcher.ts';
import type { TrainerToParent } from '../../src-main/lab/training/trainer-protocol.ts';

class FakeChild extends EventEmitter {
  readonly posted: unknown[] = [];
  // Real streams with a small buffer, as a pipe is: a writer blocks once nobody reads.
  readonly stdout = new PassThrough({ highWaterMark: 1024 });
  readonly stderr = new PassThrough({ highWaterMark: 1024 });
  killed = false;
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  kill() {
    this.killed = true;
    return true;
  }
}

function launch() {
  const child = new FakeChild();
  const forks: unknown[][] = [];
  const fork = ((...args: unknown[]) => (forks.push(args), child)) as unknown as UtilityFork;
  const channel = utilityTrainerLauncher(fork, '/app/dist-electron/trainer.cjs').launch();
  return { child, channel, forks };
}

describe('utility trainer launcher', () => {
  it('forks the bundled trainer and holds messages until it is ready', () => {
    const { child, channel, forks } = launch();
    // utilityProcess accepts only 'ignore' for stdin.
    expect(forks).toEqual([['/app/dist-electron/trainer.cjs', [], { serviceName: 'Layerlab trainer', stdio: ['ignore', 'pipe', 'pipe'] }]]);
    channel.send({ type: 'pause' });
    channel.send({ type: 'resume' });
    expect(child.posted).toEqual([]);
    child.emit('message', { type: 'ready' });
    expect(child.posted).toEqual([{ type: 'pause' }, { type: 'resume' }]);
    channel.send({ type: 'stop' });
    expect(child.posted.at(-1)).toEqual({ type: 'stop' });
  });

  it('passes messages and the exit code to the service, keeps a stderr tail, kills once', () => {
    const { child, channel } = launch();
    const got: TrainerToParent[] = [];
    const exits: unknown[][] = [];
    channel.onMessage((m) => got.push(m));
    channel.onExit((...args) => exits.push(args));
    child.emit('message', { type: 'fatal', message: 'out of memory' });
    child.stderr.write('x'.repeat(5000) + 'last words\n');
    channel.kill();
    expect(child.killed).toBe(true);
    child.emit('exit', 3);
    expect(got).toEqual([{ type: 'fatal', message: 'out of memory' }]);
    expect(exits).toEqual([[3, null]]);
    expect(channel.diagnostics?.()).toMatch(/last words$/);
    expect(channel.diagnostics?.().length).toBeLessThanOrEqual(4000);
    child.killed = false;
    channel.kill();
    channel.send({ type: 'stop' });
    expect(child.killed).toBe(false);
    expect(child.posted).toEqual([]);
  });
});

describe('the trainer output pipes', () => {
  it('are read as fast as the trainer writes, so its writes never block', async () => {
    const { child, channel } = launch();
    // 1 MB on stdout (Emscripten's prints) in 1 KB writes: with nobody reading, write() would
    // report a full buffer after the first one.
    let blocked = 0;
    for (let i = 0; i < 1024; i++) if (!child.stdout.write(`${String(i).padStart(1023, '.')}\n`)) blocked++;
    await new Promise((resolve) => setImmediate(resolve));
    expect(child.stdout.readableFlowing).toBe(true);
    expect(child.stderr.readableFlowing).toBe(true);
    expect(child.stdout.readableLength).toBe(0);
    expect(blocked).toBeLessThan(1024);
    child.stderr.write('Error: out of memory\n');
    expect(channel.diagnostics?.()).toMatch(/\.\.1023\nError: out of memory$/);
  });
});
