// The trainer process runs below normal priority, so a run on every core leaves the UI the CPU it needs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forkTrainerLauncher } from '../../../src-main/lab/training/fork-trainer-launcher.ts';
import { TRAINER_NICENESS } from '../../../src-main/lab/training/trainer-priority.ts';

/** Our child processes, from /proc (Linux). */
function childPids(): number[] {
  return readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Field 19 of /proc/PID/stat: the nice value. The command name (field 2) may hold spaces, so count after ")". */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe.runIf(process.platform === 'linux')('trainer priority', () => {
  it(`a forked trainer runs at niceness ${TRAINER_NICENESS}`, async () => {
    const before = new Set(childPids());
    const channel = forkTrainerLauncher().launch();
    try {
      await new Promise<void>((resolve, reject) => {
        channel.onMessage((m) => m.type === 'ready' && resolve());
        channel.onExit((code) => reject(new Error(`trainer exited (${code}): ${channel.diagnostics?.() ?? ''}`)));
      });
      const trainer = childPids().find((pid) => !before.has(pid));
      expect(trainer).toBeDefined();
      expect(niceOf(trainer as number)).toBe(Math.max(TRAINER_NICENESS, niceOf(process.pid)));
    } finally {
      channel.kill();
    }
  });
});
