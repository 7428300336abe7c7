// zcnas score starts itself again with the worker processes' malloc settings: the child gets
// them, the user's own values stand, and exit codes, messages and signals pass through.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { relaunchEnv } from '../../cli/relaunch.js';
import { WORKER_PROCESS_ENV } from '../../search/index.js';
import { BIN, zcnas } from '../helpers/cli.js';

const TUNING = { A_: '1', B_: '2' };

describe('relaunchEnv', () => {
  it('adds the settings a process lacks and keeps every other variable', () => {
    expect(relaunchEnv({ PATH: '/bin', B_: '2' }, TUNING)).toEqual({ PATH: '/bin', A_: '1', B_: '2' });
  });

  it("keeps a user's own value of a setting", () => {
    expect(relaunchEnv({ A_: '7' }, TUNING)).toEqual({ A_: '7', B_: '2' });
  });

  it('does not start again when every setting is there (so the child does not either)', () => {
    expect(relaunchEnv({ A_: '7', B_: '2' }, TUNING)).toBeUndefined();
    const child = relaunchEnv({}, TUNING) ?? {};
    expect(relaunchEnv(child, TUNING)).toBeUndefined();
  });
});

describe.skipIf(process.platform !== 'linux')('zcnas score, started again', () => {
  it('bad input: exit code 2 and the message once', () => {
    const r = zcnas(['score', 'yolo8n_160', '--batch', '1'], { env: Object.fromEntries(Object.keys(WORKER_PROCESS_ENV).map((k) => [k, undefined])) });
    expect(r.code).toBe(2);
    expect(r.stderr.match(/zcnas: --batch 1 is not valid/g)?.length).toBe(1);
  });

  /**
   * Starts `zcnas score` on a long job without the settings; resolves once its child is running,
   * with the parent's exit code to come and what it has written to stderr so far.
   */
  async function startScore(): Promise<{ parent: ReturnType<typeof spawn>; childPid: number; exited: Promise<number | null>; stderr: () => string }> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(WORKER_PROCESS_ENV)) delete env[k];
    const parent = spawn(process.execPath, [BIN, 'score', 'yolo8s_640', '--proxies', 'all', '--batch', '16'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    parent.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
    const childrenFile = `/proc/${parent.pid}/task/${parent.pid}/children`;
    let childPid = 0;
    for (let i = 0; i < 200 && childPid === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (existsSync(childrenFile)) childPid = Number(readFileSync(childrenFile, 'utf8').trim().split(' ')[0] ?? 0);
    }
    return { parent, childPid, exited, stderr: () => stderr };
  }

  /** Running and not a zombie (a process that ends between the two reads counts as gone). */
  const alive = (pid: number): boolean => {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  };

  it('the child runs with the settings, and a SIGTERM to zcnas ends it too (passed on: no word of a kill from outside)', async () => {
    const { parent, childPid, exited, stderr } = await startScore();
    try {
      expect(childPid).toBeGreaterThan(0);
      const childEnv = readFileSync(`/proc/${childPid}/environ`, 'utf8').split('\0');
      for (const [k, v] of Object.entries(WORKER_PROCESS_ENV)) expect(childEnv).toContain(`${k}=${v}`);
      parent.kill('SIGTERM');
      expect(await exited).toBe(128 + 15);
      expect(existsSync(`/proc/${childPid}`)).toBe(false);
      expect(stderr()).not.toMatch(/not by zcnas/);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    }
  }, 30_000);

  it('a child killed from outside (as by the out-of-memory killer): exit code 137 and a message saying so', async () => {
    const { parent, childPid, exited, stderr } = await startScore();
    try {
      expect(childPid).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 500));
      process.kill(childPid, 'SIGKILL');
      expect(await exited).toBe(128 + 9);
      expect(stderr()).toMatch(/zcnas: the process scoring the candidates was ended by SIGKILL, not by zcnas: most likely the out-of-memory killer; a smaller --batch/);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    }
  }, 30_000);

  it('a parent killed with SIGKILL does not leave its child scoring', async () => {
    const { parent, childPid } = await startScore();
    try {
      expect(childPid).toBeGreaterThan(0);
      // Let the child get past its start, into the scoring.
      await new Promise((r) => setTimeout(r, 1000));
      expect(alive(childPid)).toBe(true);
      parent.kill('SIGKILL');
      let gone = false;
      for (let i = 0; i < 100 && !gone; i++) {
        await new Promise((r) => setTimeout(r, 50));
        gone = !alive(childPid);
      }
      expect(gone).toBe(true);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (childPid > 0 && alive(childPid)) process.kill(childPid, 'SIGKILL');
    }
  }, 30_000);
});
