// Real measurements over SSH on a loopback OpenSSH "board": upload, runtime detection, remote
// benchmark, parsed spread, the private temp folder removed (also after a failure), a missing
// runtime, a benchmark that dies, and shell quoting through a real remote shell.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmarkOnnx, connectTarget, shellCommand, shellQuote, sshTarget, type SshConnection } from '../../hardware/ssh/index.js';
import { HardwareError, type Candidate } from '../../hardware/types.js';
import { toOnnx } from '../../nn/index.js';
import { buildGraph, genomeId, parseName } from '../../space/index.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

let d: Sshd;
let knownHosts: string;
let candidate: Candidate;
const HOSTILE_DIR = "it's a $(touch x) `touch y` dir";

beforeAll(async () => {
  d = await startSshd();
  knownHosts = d.file('known_hosts', `${d.knownHostsLine}\n`);
  const genome = parseName('yolo8n_160');
  candidate = { id: genomeId(genome), genome, graph: buildGraph(genome) };
});
afterAll(async () => {
  await d?.stop();
});

/** A fresh parent folder (with a hostile name) for the benchmark's temp folder. */
function tmpParent(tag: string): string {
  const p = path.join(d.dir, tag, HOSTILE_DIR);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

describe('measuring on a board over ssh', () => {
  it('uploads the model, runs the benchmark, returns the spread, and removes its private temp folder', async () => {
    const parent = tmpParent('ok');
    const target = sshTarget(d.target, { identity: d.userKey, knownHosts, warmup: 1, repeats: 7, remoteTmpDir: parent });
    const seen: string[] = [];
    const modes: number[] = [];
    try {
      const m = await target.measure(candidate, (msg) => {
        seen.push(msg);
        for (const e of fs.readdirSync(parent)) modes.push(fs.statSync(path.join(parent, e)).mode & 0o777);
      });
      expect(m).toMatchObject({ target: d.target, id: 'yolo8n_160', source: 'measured' });
      expect(m.latencyMs.repeats).toBe(7);
      expect(m.latencyMs.median).toBeGreaterThan(0);
      expect(m.latencyMs.min).toBeLessThanOrEqual(m.latencyMs.q1);
      expect(m.latencyMs.q1).toBeLessThanOrEqual(m.latencyMs.median);
      expect(m.latencyMs.median).toBeLessThanOrEqual(m.latencyMs.q3);
      expect(m.latencyMs.iqr).toBeCloseTo(m.latencyMs.q3 - m.latencyMs.q1, 9);
      expect(m.environment).toMatchObject({ host: '127.0.0.1', port: d.port, runtime: 'onnxruntime-node', warmup: 1, arch: process.arch === 'x64' ? 'x86_64' : expect.any(String) });
      expect(m.environment['runtimeVersion']).toMatch(/^\d+\.\d+/);
      expect(m.environment['threads']).toBe(m.environment['cores']);
      expect(typeof m.environment['cpu']).toBe('string');
      expect(seen.some((s) => s.includes('temp folder'))).toBe(true);
      expect(modes.length).toBeGreaterThan(0);
      expect(modes.every((mode) => mode === 0o700)).toBe(true);
      expect(fs.readdirSync(parent)).toEqual([]); // removed afterwards
      expect(fs.existsSync(path.join(d.dir, 'ok', 'x'))).toBe(false);

      // The same connection serves the next measurement: break known_hosts, which a new connection would check.
      fs.writeFileSync(knownHosts, `[127.0.0.1]:${d.port} ${d.otherHostPublicKey}\n`);
      const again = await target.measure(candidate);
      expect(again.latencyMs.repeats).toBe(7);
      expect(fs.readdirSync(parent)).toEqual([]);
    } finally {
      fs.writeFileSync(knownHosts, `${d.knownHostsLine}\n`);
      await target.close();
      await target.close(); // idempotent
    }
    await expect(target.measure(candidate)).rejects.toThrow(/the target is closed/);
  });

  it('uses the requested thread count', async () => {
    const target = sshTarget(d.target, { identity: d.userKey, knownHosts, warmup: 0, repeats: 3, threads: 1 });
    try {
      const m = await target.measure(candidate);
      expect(m.environment['threads']).toBe(1);
      expect(m.latencyMs.repeats).toBe(3);
    } finally {
      await target.close();
    }
  });

  it('gives the setup command when the runtime is missing (python3 without onnxruntime)', async () => {
    const parent = tmpParent('python');
    const target = sshTarget(d.target, { identity: d.userKey, knownHosts, runtime: 'python', remoteTmpDir: parent });
    try {
      const err = await target.measure(candidate).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HardwareError);
      expect((err as Error).message).toMatch(new RegExp(`^no usable onnxruntime on ${d.target.replace(/[.]/g, '\\.')}: (python3 \\S+ has no onnxruntime|python3 is not installed)`));
      expect((err as Error).message).toContain('Set it up on the board with:\n  python3 -m pip install --user onnxruntime');
      expect(fs.readdirSync(parent)).toEqual([]);
    } finally {
      await target.close();
    }
  });
});

describe('a benchmark that dies, and quoting through a real remote shell', () => {
  let conn: SshConnection;
  beforeAll(async () => {
    conn = await connectTarget(d.target, { identity: d.userKey, knownHosts });
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('reports the exit code and the end of stderr, and still removes the temp folder', async () => {
    const parent = tmpParent('corrupt');
    const corrupt = new TextEncoder().encode('this is not an ONNX model');
    const err = await benchmarkOnnx(conn, corrupt, [1, 3, 64, 64], { runtime: 'node', warmup: 0, repeats: 2, seed: 0, remoteTmpDir: parent, benchTimeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HardwareError);
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(`^the benchmark on ${d.target.replace(/[.]/g, '\\.')} died \\(exit code 1\\); last lines of its stderr:\\n`));
    expect(message).toMatch(/protobuf|parse|load model|onnx/i);
    expect(fs.readdirSync(parent)).toEqual([]);
    expect(conn.closed).toBe(false); // the connection survives for the next candidate
  });

  it('stops a benchmark that runs past its time limit', async () => {
    const parent = tmpParent('slow');
    const t0 = Date.now();
    const err = await benchmarkOnnx(conn, toOnnx(candidate.graph, { batch: 1 }), [1, 3, 160, 160], {
      runtime: 'node', warmup: 0, repeats: 1_000_000, seed: 0, remoteTmpDir: parent, benchTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HardwareError);
    expect((err as Error).message).toBe(`the benchmark on ${d.target} ran longer than its time limit of 2000 ms and was stopped (raise benchTimeoutMs, or lower repeats)`);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('round-trips hostile strings through printf %s on the board', async () => {
    const sandbox = path.join(d.dir, 'home-sandbox');
    fs.mkdirSync(sandbox, { recursive: true });
    fs.writeFileSync(path.join(sandbox, 'canary'), 'still here');
    const hostile = ["'; rm -rf ~ #", '$(touch x)', '`touch x`', 'two  spaced words', 'line one\nline two\n', "it's", '"$HOME" $PATH', '*', '-n', '', "a'b\"c$d`e\\f!g;|&<>"];
    // One remote command (each remote shell start is slow on a busy machine): every string is its
    // own quoted argument of printf, each printed followed by a separator. HOME points at a
    // sandbox, so a quoting bug could only ever touch the sandbox.
    const sep = '<@zcnas-end@>';
    const r = await conn.exec(`HOME=${shellQuote(sandbox)}; cd ${shellQuote(sandbox)} && ${shellCommand(['printf', `%s${sep}`, ...hostile])}`);
    expect(r.code).toBe(0);
    expect(r.stdout.split(sep).slice(0, -1)).toEqual(hostile);
    expect(fs.readFileSync(path.join(sandbox, 'canary'), 'utf8')).toBe('still here');
    expect(fs.existsSync(path.join(sandbox, 'x'))).toBe(false);
  });
});
