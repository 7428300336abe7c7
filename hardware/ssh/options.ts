// Options of the ssh target, their defaults, and the key file they point at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { HardwareError } from '../types.js';
import { normaliseFingerprint } from './known-hosts.js';

export type SshRuntime = 'auto' | 'node' | 'python';

export interface SshOptions {
  /** Private key file. Default: ~/.ssh/id_ed25519, else ~/.ssh/id_rsa. */
  readonly identity?: string;
  /** Passphrase of an encrypted key file. */
  readonly passphrase?: string;
  /** OpenSSH known_hosts file that host keys are checked against. Default ~/.ssh/known_hosts. */
  readonly knownHosts?: string;
  /** Accept a host that known_hosts does not know, and append its key there. Default false. */
  readonly trustNewHost?: boolean;
  /** Accept exactly this host key fingerprint (`SHA256:...`), even if known_hosts records another. */
  readonly trustFingerprint?: string;
  /** Which onnxruntime to run on the board. 'auto' (default) tries onnxruntime-node, then Python. */
  readonly runtime?: SshRuntime;
  /** Time allowed for TCP connect + SSH handshake + authentication, in ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Untimed runs before timing. Default 5. */
  readonly warmup?: number;
  /** Timed runs, each timed separately. Default 30. */
  readonly repeats?: number;
  /** onnxruntime intra-op threads on the board. Default: the board's online cores. */
  readonly threads?: number;
  /** Seed of the model weights and of the random input. Default 0. */
  readonly seed?: number;
  /** Folder on the board in which the private temp folder is made. Default: $TMPDIR, else /tmp. */
  readonly remoteTmpDir?: string;
  /** Longest a remote benchmark may run before it is killed, in ms. Default 600000. */
  readonly benchTimeoutMs?: number;
}

export const SSH_DEFAULTS = {
  connectTimeoutMs: 10_000,
  warmup: 5,
  repeats: 30,
  seed: 0,
  runtime: 'auto',
  benchTimeoutMs: 600_000,
  identities: ['~/.ssh/id_ed25519', '~/.ssh/id_rsa'],
  knownHosts: '~/.ssh/known_hosts',
} as const;

export function expandHome(file: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(file);
}

export interface ResolvedOptions {
  readonly identity: string | undefined;
  readonly passphrase: string | undefined;
  readonly knownHosts: string;
  readonly trustNewHost: boolean;
  readonly trustFingerprint: string | undefined;
  readonly runtime: SshRuntime;
  readonly connectTimeoutMs: number;
  readonly warmup: number;
  readonly repeats: number;
  readonly threads: number | undefined;
  readonly seed: number;
  readonly remoteTmpDir: string | undefined;
  readonly benchTimeoutMs: number;
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new HardwareError(`ssh target: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** Checks and fills in options; bad values are HardwareErrors naming the option. */
export function resolveOptions(options: SshOptions = {}): ResolvedOptions {
  const runtime = options.runtime ?? SSH_DEFAULTS.runtime;
  if (!['auto', 'node', 'python'].includes(runtime)) throw new HardwareError(`ssh target: runtime must be auto, node or python, got ${String(runtime)}`);
  let trustFingerprint: string | undefined;
  if (options.trustFingerprint !== undefined) {
    trustFingerprint = normaliseFingerprint(options.trustFingerprint);
    if (!trustFingerprint)
      throw new HardwareError(`ssh target: trustFingerprint ${JSON.stringify(options.trustFingerprint)} is not an OpenSSH SHA256 fingerprint; it looks like SHA256:<43 base64 characters>, as \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` prints on the board`);
  }
  if (options.remoteTmpDir !== undefined && (options.remoteTmpDir === '' || options.remoteTmpDir.includes('\0')))
    throw new HardwareError('ssh target: remoteTmpDir must be a non-empty path');
  return {
    identity: options.identity === undefined ? undefined : expandHome(options.identity),
    passphrase: options.passphrase,
    knownHosts: expandHome(options.knownHosts ?? SSH_DEFAULTS.knownHosts),
    trustNewHost: options.trustNewHost ?? false,
    trustFingerprint,
    runtime,
    connectTimeoutMs: positiveInt('connectTimeoutMs', options.connectTimeoutMs ?? SSH_DEFAULTS.connectTimeoutMs, 1),
    warmup: positiveInt('warmup', options.warmup ?? SSH_DEFAULTS.warmup, 0),
    repeats: positiveInt('repeats', options.repeats ?? SSH_DEFAULTS.repeats, 1),
    threads: options.threads === undefined ? undefined : positiveInt('threads', options.threads, 1),
    seed: positiveInt('seed', options.seed ?? SSH_DEFAULTS.seed, 0),
    remoteTmpDir: options.remoteTmpDir,
    benchTimeoutMs: positiveInt('benchTimeoutMs', options.benchTimeoutMs ?? SSH_DEFAULTS.benchTimeoutMs, 1),
  };
}

export interface Identity {
  readonly file: string;
  readonly key: Buffer;
}

/** Reads and parses the private key: the given file, or the first default that exists. */
export function loadIdentity(file: string | undefined, passphrase: string | undefined): Identity {
  let chosen = file;
  if (chosen === undefined) {
    const defaults = SSH_DEFAULTS.identities.map(expandHome);
    chosen = defaults.find((f) => fs.existsSync(f));
    if (chosen === undefined)
      throw new HardwareError(`no SSH key file: tried ${defaults.join(' and ')}; create one with \`ssh-keygen -t ed25519\` and copy it to the board with \`ssh-copy-id\`, or pass identity`);
  }
  let key: Buffer;
  try {
    key = fs.readFileSync(chosen);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a folder' : e.message;
    throw new HardwareError(`cannot read the SSH key file ${chosen}: ${why}`);
  }
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new HardwareError(
      encrypted && passphrase === undefined
        ? `the SSH key file ${chosen} is encrypted: give its passphrase, or use a key without one`
        : `the SSH key file ${chosen} is not a usable private key: ${parsed.message}`,
    );
  }
  const one = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!one || one.getPrivatePEM() === null) throw new HardwareError(`the SSH key file ${chosen} holds no private key (is it the .pub file?)`);
  return { file: chosen, key };
}
