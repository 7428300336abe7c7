// One SSH connection to a board (ssh2): host key checked against known_hosts, key-based login, and
// the two things a benchmark needs, running a command and uploading a file over SFTP. Every
// failure a user can fix becomes a HardwareError that says what happened and what to do.
import ssh2 from 'ssh2';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { HardwareError } from '../types.js';
import {
  appendKnownHost,
  checkKnownHosts,
  fingerprintOf,
  hostKeyAlgorithms,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
} from './known-hosts.js';
import { loadIdentity } from './options.js';
import { formatSshTarget, type SshAddress } from './target-string.js';

export interface ConnectOptions {
  readonly identity?: string | undefined;
  readonly passphrase?: string | undefined;
  /** Absolute path of the known_hosts file. */
  readonly knownHosts: string;
  readonly trustNewHost?: boolean;
  /** Canonical `SHA256:...` fingerprint to accept even when it differs from known_hosts. */
  readonly trustFingerprint?: string | undefined;
  readonly connectTimeoutMs: number;
}

export interface ExecResult {
  /** Exit code, or null when the command was ended by a signal. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Kill the command (SIGKILL) and fail after this many ms. */
  readonly timeoutMs?: number;
}

export interface SshConnection {
  /** Canonical target string, `ssh:user@host:port`. */
  readonly target: string;
  readonly address: SshAddress;
  /** The host key fingerprint the board presented. */
  readonly hostFingerprint: string;
  /** Whether the connection has ended (by close() or by the network). */
  readonly closed: boolean;
  /** Runs one command line on the board (build it with shellCommand). */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Writes a file on the board over SFTP, with the given mode (default 0600). */
  upload(remotePath: string, data: Uint8Array, mode?: number): Promise<void>;
  close(): Promise<void>;
}

const MAX_STDOUT = 8 << 20;
const MAX_STDERR = 256 << 10;

function hostKeyRefusal(target: string, address: SshAddress, opts: ConnectOptions, key: Buffer): string | undefined {
  const fp = fingerprintOf(key);
  const type = keyTypeOf(key);
  const name = knownHostsName(address.host, address.port);
  const verdict = checkKnownHosts(readKnownHosts(opts.knownHosts), address.host, address.port, key);
  if (verdict.status === 'known') return undefined;
  if (verdict.status === 'revoked') return `host key of ${target} (${type} ${fp}) is marked @revoked in ${opts.knownHosts} line ${verdict.line}; refusing to connect`;
  const pinned = opts.trustFingerprint === fp;
  if (verdict.status === 'unknown') {
    // trustNewHost records the key; with trustFingerprint as well, only if it is that key.
    if (opts.trustNewHost && (opts.trustFingerprint === undefined || pinned)) {
      appendKnownHost(opts.knownHosts, address.host, address.port, key);
      return undefined;
    }
  }
  if (pinned) return undefined; // explicitly trusted; known_hosts is left as it is
  const mismatch = opts.trustFingerprint === undefined ? '' : ` (it is not the trusted fingerprint ${opts.trustFingerprint})`;
  if (verdict.status === 'unknown') {
    return (
      `host key of ${target} is not known: ${opts.knownHosts} has no entry for ${name}. ` +
      `The host presented ${type} key ${fp}${mismatch}. ` +
      `Check it on the board (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-sha2-.*$/g, '')}_key.pub), ` +
      `then trust it with trustNewHost (adds it to ${opts.knownHosts}) or trustFingerprint '${fp}'`
    );
  }
  return (
    `HOST KEY OF ${target} HAS CHANGED: it presented ${type} key ${fp}${mismatch}, which differs from the ` +
    `${verdict.recordedType} key recorded for ${name} in ${opts.knownHosts} line ${verdict.line}. ` +
    `Someone may be intercepting the connection, or the board was reinstalled. If you are sure it is the board, ` +
    `remove that line (ssh-keygen -R '${name}' -f ${opts.knownHosts}) or pass trustFingerprint '${fp}'`
  );
}

function connectError(err: Error & { level?: string; code?: string }, target: string, address: SshAddress, opts: ConnectOptions, keyFile: string): HardwareError {
  const where = `${address.host} port ${address.port}`;
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT')
    return new HardwareError(`cannot connect to ${target}: no SSH session with ${where} within the connect timeout of ${opts.connectTimeoutMs} ms (is the board on, reachable, and running sshd on that port?)`);
  if (err.code === 'ECONNREFUSED') return new HardwareError(`cannot connect to ${target}: connection refused by ${where} (is sshd running there, on that port?)`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.level === 'client-dns')
    return new HardwareError(`cannot connect to ${target}: host name ${address.host} not found (DNS lookup failed${err.code ? `: ${err.code}` : ''})`);
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return new HardwareError(`cannot connect to ${target}: ${address.host} is unreachable (${err.code})`);
  if (err.level === 'client-authentication')
    return new HardwareError(
      `authentication failed for user ${address.user} on ${target} with key file ${keyFile}: ` +
        `is its public key (${keyFile}.pub) in ~${address.user}/.ssh/authorized_keys on the board? (ssh-copy-id -i ${keyFile} -p ${address.port} ${address.user}@${address.host})`,
    );
  if (err.code === 'ECONNRESET') return new HardwareError(`cannot connect to ${target}: ${where} closed the connection during the SSH handshake`);
  return new HardwareError(`cannot connect to ${target}: ${err.message}`);
}

/** Opens an authenticated connection, or fails with a HardwareError. */
export async function connectSsh(address: SshAddress, opts: ConnectOptions): Promise<SshConnection> {
  const target = formatSshTarget(address);
  const identity = loadIdentity(opts.identity, opts.passphrase);
  const client = new ssh2.Client();
  let refusal: string | undefined;
  let presented = '';
  const recorded = knownKeyTypes(readKnownHosts(opts.knownHosts), address.host, address.port);

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: HardwareError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      client.removeListener('ready', onReady);
      if (err) {
        client.removeAllListeners('error');
        client.on('error', () => {});
        client.end();
        client.destroy();
        reject(err);
      } else {
        resolve();
      }
    };
    const onReady = (): void => finish();
    // ssh2's readyTimeout covers TCP connect, handshake and authentication; this guard is a backstop.
    const guard = setTimeout(
      () => finish(connectError(Object.assign(new Error('timeout'), { level: 'client-timeout' }), target, address, opts, identity.file)),
      opts.connectTimeoutMs + 1000,
    );
    client.once('ready', onReady);
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (refusal !== undefined) finish(new HardwareError(refusal));
      else finish(connectError(err, target, address, opts, identity.file));
    });
    client.once('close', () => finish(new HardwareError(refusal ?? `cannot connect to ${target}: the connection closed before login completed`)));
    try {
      client.connect({
        host: address.host,
        port: address.port,
        username: address.user,
        privateKey: identity.key,
        ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
        readyTimeout: opts.connectTimeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        algorithms: { serverHostKey: hostKeyAlgorithms(recorded) as ssh2.ServerHostKeyAlgorithm[] },
        hostVerifier: (key: Buffer): boolean => {
          presented = fingerprintOf(key);
          try {
            refusal = hostKeyRefusal(target, address, opts, key);
          } catch (err) {
            refusal = (err as Error).message;
          }
          return refusal === undefined;
        },
      });
    } catch (err) {
      finish(new HardwareError(`cannot connect to ${target}: ${(err as Error).message}`));
    }
  });

  let closed = false;
  let sftp: Promise<SFTPWrapper> | undefined;
  client.on('close', () => {
    closed = true;
  });
  client.on('error', () => {
    // After login, errors surface through the operation that was running (or the next one).
    closed = true;
  });

  const lost = (what: string, err: Error): HardwareError =>
    new HardwareError(`${what} on ${target} failed: ${closed ? 'the connection to the board was lost' : err.message}`);

  const openSftp = (): Promise<SFTPWrapper> => {
    sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((err, s) => {
        if (err) {
          sftp = undefined;
          reject(lost('opening SFTP (is the sftp subsystem enabled in sshd_config?)', err));
        } else {
          s.on('close', () => {
            sftp = undefined;
          });
          resolve(s);
        }
      });
    });
    return sftp;
  };

  return {
    target,
    address,
    hostFingerprint: presented,
    get closed() {
      return closed;
    },
    exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
      if (closed) return Promise.reject(new HardwareError(`the connection to ${target} is closed`));
      return new Promise<ExecResult>((resolve, reject) => {
        client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
          if (err) {
            reject(lost('running a command', err));
            return;
          }
          let stdout = '';
          let stderr = '';
          let code: number | null = null;
          let signal: string | null = null;
          let timer: NodeJS.Timeout | undefined;
          let timedOut = false;
          if (options.timeoutMs !== undefined) {
            timer = setTimeout(() => {
              timedOut = true;
              try {
                stream.signal('KILL');
              } catch {
                // older servers ignore signals; closing the channel is enough for them
              }
              stream.close();
            }, options.timeoutMs);
          }
          stream.setEncoding('utf8');
          stream.stderr.setEncoding('utf8');
          stream.on('data', (d: string) => {
            if (stdout.length < MAX_STDOUT) stdout += d;
          });
          stream.stderr.on('data', (d: string) => {
            stderr = (stderr + d).slice(-MAX_STDERR);
          });
          stream.on('exit', (c: number | null, s?: string) => {
            code = typeof c === 'number' ? c : null;
            signal = s ?? null;
          });
          stream.on('close', () => {
            clearTimeout(timer);
            if (timedOut) reject(new HardwareError(`a command on ${target} ran longer than ${options.timeoutMs} ms and was killed`));
            else if (code === null && signal === null && closed) reject(new HardwareError(`the connection to ${target} was lost while a command ran`));
            else resolve({ code, signal, stdout, stderr });
          });
        });
      });
    },
    async upload(remotePath: string, data: Uint8Array, mode = 0o600): Promise<void> {
      if (closed) throw new HardwareError(`the connection to ${target} is closed`);
      const s = await openSftp();
      await new Promise<void>((resolve, reject) => {
        s.writeFile(remotePath, Buffer.from(data), { mode }, (err) => (err ? reject(lost(`uploading ${remotePath}`, err)) : resolve()));
      });
    },
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
        setTimeout(() => {
          client.destroy();
          resolve();
        }, 2000).unref();
      });
    },
  };
}
