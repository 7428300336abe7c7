// rediss:// (TLS) for the distributed backend, against a real redis-server with its own CA, made
// here with openssl: a search through TLS workers completes; without trusting the CA, one message.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, zcnas } from '../helpers/cli.js';
import { REDIS_SERVER } from '../helpers/redis.js';
import { freePort } from '../helpers/sshd.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-redis-tls-'));
const children: ChildProcess[] = [];
let url = '';
const ca = join(dir, 'ca.pem');

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} not found: install redis-server`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=zcnas-test-ca']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf']);
  const port = await freePort();
  const server = spawn(REDIS_SERVER, ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', join(dir, 'srv.pem'), '--tls-key-file', join(dir, 'srv.key'), '--tls-ca-cert-file', ca, '--tls-auth-clients', 'no', '--requirepass', 'tls-secret', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  children.push(server);
  url = `rediss://:tls-secret@127.0.0.1:${port}`;
  // Ready when the TLS port accepts connections.
  for (let i = 0; i < 100 && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 100));
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('a search runs through workers over rediss:// when the CA is trusted (NODE_EXTRA_CA_CERTS)', async () => {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: ca };
  const worker = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'], env });
  children.push(worker);
  // The worker is connected (over TLS) and has sent its first heartbeat once it says it is serving.
  await new Promise<void>((resolve, reject) => {
    let err = '';
    worker.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('serving')) resolve();
    });
    worker.once('exit', () => reject(new Error(`the worker exited: ${err}`)));
  });
  const r = zcnas(['search', '--objectives', 'min:macs,min:params', '--population', '4', '--generations', '1', '--backend', 'redis', '--redis', url, '--out', join(dir, 'run'), '--plain'], { env: { NODE_EXTRA_CA_CERTS: ca } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/workers: \S+ busy \d\/1/);
  expect(r.stdout).toMatch(/front of \d+ \(4 evaluated\)/);
});

it('an untrusted certificate gets one message and exit 2, and no run directory', () => {
  const r = zcnas(['search', '--objectives', 'min:macs', '--backend', 'redis', '--redis', url, '--out', join(dir, 'never')], { env: { NODE_EXTRA_CA_CERTS: '' } });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/cannot use redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*certificate/i);
  expect(r.stderr).not.toContain('tls-secret');
  expect(existsSync(join(dir, 'never'))).toBe(false);
});
