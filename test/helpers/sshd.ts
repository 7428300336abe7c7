// A real OpenSSH server on loopback for the ssh target's tests: its own host key, an authorised
// test key, a config in a temp folder, and NODE_PATH set for sessions so the loopback "board"
// finds this project's onnxruntime-node. Nothing outside the temp folder is touched, except that
// /run/sshd (sshd's privilege-separation folder) is created when it is missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SSHD = '/usr/sbin/sshd';
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Sshd {
  readonly dir: string;
  readonly port: number;
  readonly user: string;
  /** `ssh:user@127.0.0.1:port` */
  readonly target: string;
  /** `ssh-ed25519 AAAA...` of the server's host key. */
  readonly hostPublicKey: string;
  /** The host key's fingerprint as ssh-keygen prints it (`SHA256:...`). */
  readonly hostFingerprint: string;
  /** known_hosts line for this server: `[127.0.0.1]:port ssh-ed25519 AAAA...`. */
  readonly knownHostsLine: string;
  /** Private key authorised for `user`. */
  readonly userKey: string;
  /** Private key that is not authorised. */
  readonly wrongKey: string;
  /** A second host key (never served), for "changed key" cases. */
  readonly otherHostPublicKey: string;
  /** Writes a file in the temp folder and returns its path. */
  file(name: string, content: string): string;
  stop(): Promise<void>;
}

function keygen(file: string, comment: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
  return fs.readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startSshd(): Promise<Sshd> {
  if (!fs.existsSync(SSHD))
    throw new Error(`${SSHD} not found: the ssh target tests need a real OpenSSH server. Install it with: apt-get install -y openssh-server`);
  try {
    if (!fs.existsSync('/run/sshd')) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    // not root: sshd will say what it lacks, if anything
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zcnas-sshd-'));
  const user = os.userInfo().username;
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const hostPublicKey = keygen(hostKey, 'zcnas-test-host');
  const otherHostPublicKey = keygen(path.join(dir, 'other_host_key'), 'zcnas-other-host');
  const userKey = path.join(dir, 'id_user');
  const userPub = keygen(userKey, 'zcnas-test-user');
  const wrongKey = path.join(dir, 'id_wrong');
  keygen(wrongKey, 'zcnas-wrong-user');
  const authorized = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorized, `${userPub}\n`, { mode: 0o600 });
  const hostFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(/\s+/)[1] ?? '';
  const nodePath = path.join(PROJECT_ROOT, 'node_modules');

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${authorized}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'Subsystem sftp internal-sftp',
        `SetEnv NODE_PATH=${nodePath}`,
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await accepts(port))) await new Promise((r) => setTimeout(r, 50));
    if (exited || Date.now() >= deadline) {
      proc.kill('SIGTERM');
      lastError = `sshd did not start on port ${port}: ${stderr.trim() || '(no output)'}`;
      continue;
    }
    const knownHostsLine = `[127.0.0.1]:${port} ${hostPublicKey}`;
    return {
      dir,
      port,
      user,
      target: `ssh:${user}@127.0.0.1:${port}`,
      hostPublicKey,
      hostFingerprint,
      knownHostsLine,
      userKey,
      wrongKey,
      otherHostPublicKey,
      file(name: string, content: string): string {
        const f = path.join(dir, name);
        fs.writeFileSync(f, content, { mode: 0o600 });
        return f;
      },
      async stop(): Promise<void> {
        if (!exited) {
          const gone = new Promise<void>((r) => proc.once('exit', () => r()));
          proc.kill('SIGTERM');
          await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(lastError);
}
