// The `ssh` hardware target: batch-1 latency of a candidate measured on a Linux board (Raspberry Pi
// 4/5 and the like) over SSH. One connection is opened on first use and reused; measurements run
// one at a time so they do not disturb each other's timings.
import { toOnnx } from '../../nn/index.js';
import { spreadOf } from '../spread.js';
import { HardwareError, type Candidate, type Measurement, type Target } from '../types.js';
import { benchmarkOnnx, type BenchResult } from './bench.js';
import { connectSsh, type ConnectOptions, type SshConnection } from './connection.js';
import { resolveOptions, type ResolvedOptions, type SshOptions } from './options.js';
import { formatSshTarget, parseSshTarget, type SshAddress } from './target-string.js';

export { parseSshTarget, formatSshTarget, bracketHost, DEFAULT_SSH_PORT, type SshAddress } from './target-string.js';
export { shellQuote, shellCommand } from './quote.js';
export {
  appendKnownHost,
  checkKnownHosts,
  fingerprintOf,
  hostsFieldMatches,
  keyTypeOf,
  knownHostsName,
  normaliseFingerprint,
  parseKnownHosts,
  type HostKeyVerdict,
  type KnownHostEntry,
} from './known-hosts.js';
export { SSH_DEFAULTS, loadIdentity, resolveOptions, type Identity, type ResolvedOptions, type SshOptions, type SshRuntime } from './options.js';
export { setupCommand } from './setup.js';
export { connectSsh, type ConnectOptions, type ExecOptions, type ExecResult, type SshConnection } from './connection.js';
export { cpuName, parseFacts, type BoardFacts } from './board.js';
export {
  benchmarkOnnx,
  boardFacts,
  makeRemoteTempDir,
  missingRuntimeMessage,
  parseResultLine,
  removeRemoteDir,
  type BenchOptions,
  type BenchResult,
  type RuntimeInfo,
} from './bench.js';

function connectOptions(o: ResolvedOptions): ConnectOptions {
  return {
    identity: o.identity,
    passphrase: o.passphrase,
    knownHosts: o.knownHosts,
    trustNewHost: o.trustNewHost,
    trustFingerprint: o.trustFingerprint,
    connectTimeoutMs: o.connectTimeoutMs,
  };
}

/** Connects to `ssh:user@host[:port]` with the given options (for one-off commands and tests). */
export function connectTarget(target: string | SshAddress, options: SshOptions = {}): Promise<SshConnection> {
  const address = typeof target === 'string' ? parseSshTarget(target) : target;
  return connectSsh(address, connectOptions(resolveOptions(options)));
}

/** The facts stored beside an ssh measurement. */
export function sshEnvironment(address: SshAddress, r: BenchResult, warmup: number): Measurement['environment'] {
  return {
    host: address.host,
    port: address.port,
    user: address.user,
    hostname: r.board.hostname,
    ...(r.board.model ? { board: r.board.model } : {}),
    cpu: r.board.cpu,
    cores: r.board.cores,
    arch: r.board.arch,
    os: r.board.os,
    runtime: r.runtime.name,
    runtimeVersion: r.runtime.version,
    interpreter: r.runtime.interpreter,
    threads: r.threads,
    warmup,
  };
}

/** A Target measuring on a board over SSH. The string is parsed now; nothing connects until measure(). */
export function sshTarget(targetString: string, options: SshOptions = {}): Target {
  const address = parseSshTarget(targetString);
  const opts = resolveOptions(options);
  const name = formatSshTarget(address);
  let connection: Promise<SshConnection> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const connected = async (): Promise<SshConnection> => {
    if (connection) {
      const existing = await connection.catch(() => undefined);
      if (existing && !existing.closed) return existing;
      connection = undefined;
    }
    const attempt = connectSsh(address, connectOptions(opts));
    connection = attempt;
    attempt.catch(() => {
      if (connection === attempt) connection = undefined;
    });
    return attempt;
  };

  const measureOne = async (candidate: Candidate, progress?: (message: string) => void): Promise<Measurement> => {
    if (closed) throw new HardwareError(`${name}: the target is closed`);
    const { genome, graph } = candidate;
    const channels = graph.input.shape[0] ?? 3;
    const shape = [1, channels, genome.resolution, genome.resolution];
    const model = toOnnx(graph, { batch: 1, seed: opts.seed });
    progress?.(`${candidate.id}: connecting to ${name}`);
    const conn = await connected();
    const r = await benchmarkOnnx(conn, model, shape, {
      runtime: opts.runtime,
      warmup: opts.warmup,
      repeats: opts.repeats,
      threads: opts.threads,
      seed: opts.seed,
      remoteTmpDir: opts.remoteTmpDir,
      benchTimeoutMs: opts.benchTimeoutMs,
      progress: progress && ((m) => progress(`${candidate.id}: ${m}`)),
    });
    return {
      target: name,
      id: candidate.id,
      source: 'measured',
      latencyMs: spreadOf(r.samples),
      environment: sshEnvironment(address, r, opts.warmup),
    };
  };

  return {
    name,
    kind: 'ssh',
    measure(candidate: Candidate, progress?: (message: string) => void): Promise<Measurement> {
      const run = queue.then(() => measureOne(candidate, progress));
      queue = run.catch(() => undefined);
      return run;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await queue; // let a running measurement finish (and clean up its temp folder)
      const conn = await connection?.catch(() => undefined);
      connection = undefined;
      await conn?.close();
    },
  };
}
