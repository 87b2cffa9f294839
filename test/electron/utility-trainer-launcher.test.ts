// The utilityProcess trainer launcher with a fake fork: nothing is sent before the trainer is
// ready, messages and exits reach the service, stderr explains a crash.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { utilityTrainerLauncher, type UtilityFork } from '../../src-main/electron/utility-trainer-launcher.ts';
import type { TrainerToParent } from '../../src-main/lab/training/trainer-protocol.ts';

class FakeChild extends EventEmitter {
  readonly posted: unknown[] = [];
  readonly stderr = new EventEmitter();
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
    expect(forks).toEqual([['/app/dist-electron/trainer.cjs', [], { serviceName: 'Layerlab trainer', stdio: 'pipe' }]]);
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
    child.stderr.emit('data', Buffer.from('x'.repeat(5000) + 'last words\n'));
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
