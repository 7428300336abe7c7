// Flags shared by every command that opens a hardware target (calibrate, validate, inspect).
import { LOCAL_DEFAULTS, setupCommand, SSH_DEFAULTS, type SshRuntime, type TargetOptions } from '../hardware/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';

export const TARGET_FLAGS = {
  target: { type: 'string' },
  warmup: { type: 'string' },
  repeats: { type: 'string' },
  threads: { type: 'string' },
  compress: { type: 'string' },
  identity: { type: 'string' },
  'known-hosts': { type: 'string' },
  'trust-new-host': { type: 'boolean' },
  'trust-fingerprint': { type: 'string' },
  runtime: { type: 'string' },
  'connect-timeout': { type: 'string' },
} as const;

export const TARGET_HELP = `Target options:
  --target T             local (onnxruntime here), ssh:user@host[:port] (a Linux board such as a
                         Raspberry Pi) or mcu:<board> (int8 microcontroller model; boards:
                         zcnas inspect --help)
  --warmup N             untimed runs before timing (default ${LOCAL_DEFAULTS.warmup})
  --repeats N            timed runs per candidate (default ${LOCAL_DEFAULTS.repeats})
  --threads N            onnxruntime threads (default: all cores of the target)
  --compress lz4         mcu: LZ4-compressed int8 weights

SSH options (ssh:user@host[:port]):
  --identity FILE        private key (default ~/.ssh/id_ed25519, else ~/.ssh/id_rsa)
  --known-hosts FILE     host keys are checked against it (default ~/.ssh/known_hosts)
  --trust-new-host       accept a host the known_hosts file does not know, and record its key
  --trust-fingerprint F  accept exactly this host key (SHA256:...), even if another is recorded
  --runtime R            auto (default), node or python: the onnxruntime used on the board
  --connect-timeout S    seconds to connect and log in (default ${SSH_DEFAULTS.connectTimeoutMs / 1000})
  The board needs one of, once:  ${setupCommand('node')}
                                 ${setupCommand('python')}`;

export interface TargetFlagValues {
  readonly warmup?: string | undefined;
  readonly repeats?: string | undefined;
  readonly threads?: string | undefined;
  readonly compress?: string | undefined;
  readonly identity?: string | undefined;
  readonly 'known-hosts'?: string | undefined;
  readonly 'trust-new-host'?: boolean | undefined;
  readonly 'trust-fingerprint'?: string | undefined;
  readonly runtime?: string | undefined;
  readonly 'connect-timeout'?: string | undefined;
}

const RUNTIMES: readonly SshRuntime[] = ['auto', 'node', 'python'];

export function targetOptions(values: TargetFlagValues, seed: number): TargetOptions {
  if (values.compress !== undefined && values.compress !== 'lz4' && values.compress !== 'none') throw new UsageError(`--compress ${values.compress} is not valid: use lz4 (or none)`);
  if (values.runtime !== undefined && !(RUNTIMES as readonly string[]).includes(values.runtime))
    throw new UsageError(`--runtime ${values.runtime} is not valid: use ${RUNTIMES.join(', ')}`);
  const ssh = {
    ...(values.identity === undefined ? {} : { identity: values.identity }),
    ...(values['known-hosts'] === undefined ? {} : { knownHosts: values['known-hosts'] }),
    ...(values['trust-new-host'] ? { trustNewHost: true } : {}),
    ...(values['trust-fingerprint'] === undefined ? {} : { trustFingerprint: values['trust-fingerprint'] }),
    ...(values.runtime === undefined ? {} : { runtime: values.runtime as SshRuntime }),
    ...(values['connect-timeout'] === undefined ? {} : { connectTimeoutMs: 1000 * parseIntFlag('--connect-timeout', values['connect-timeout'], 10, 1, 3600) }),
  };
  return {
    warmup: parseIntFlag('--warmup', values.warmup, LOCAL_DEFAULTS.warmup, 0, 10_000),
    repeats: parseIntFlag('--repeats', values.repeats, LOCAL_DEFAULTS.repeats, 1, 100_000),
    ...(values.threads === undefined ? {} : { threads: parseIntFlag('--threads', values.threads, 1, 1, 1024) }),
    ...(values.compress === 'lz4' ? { compress: 'lz4' as const } : {}),
    seed,
    ssh,
  };
}
