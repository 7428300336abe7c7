// One place that turns a target string into a Target: `local`, `ssh:user@host[:port]`, `mcu:<board>`.
import { localTarget, type LocalOptions } from './local.js';
import { mcuTarget, type McuTargetOptions } from './mcu/index.js';
import { sshTarget, type SshOptions } from './ssh/index.js';
import { HardwareError, type Target } from './types.js';

export const TARGET_FORMS = 'local, ssh:user@host[:port] or mcu:<board>';

export interface TargetOptions extends LocalOptions {
  /** mcu: store the int8 weights LZ4-compressed (EAST-style), decompressed layer by layer. */
  readonly compress?: McuTargetOptions['compress'];
  /** ssh: key, known_hosts, trust, runtime and timeouts (warmup, repeats, threads, seed as above). */
  readonly ssh?: Omit<SshOptions, 'warmup' | 'repeats' | 'threads' | 'seed'>;
}

export type TargetKind = Target['kind'];

/** The kind a target string names, or a HardwareError saying what a right one looks like. */
export function targetKind(spec: string): TargetKind {
  if (spec === 'local') return 'local';
  if (spec.startsWith('ssh:')) return 'ssh';
  if (spec.startsWith('mcu:')) return 'mcu';
  throw new HardwareError(`target '${spec}' does not parse: use ${TARGET_FORMS}, e.g. ssh:pi@raspberrypi.local or mcu:nucleo-h743zi`);
}

export async function openTarget(spec: string, options: TargetOptions = {}): Promise<Target> {
  switch (targetKind(spec)) {
    case 'local':
      return localTarget(options);
    case 'ssh':
      return sshTarget(spec, {
        ...options.ssh,
        ...(options.warmup === undefined ? {} : { warmup: options.warmup }),
        ...(options.repeats === undefined ? {} : { repeats: options.repeats }),
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      });
    case 'mcu':
      return mcuTarget(spec.slice('mcu:'.length), { ...(options.compress ? { compress: options.compress } : {}), seed: options.seed ?? 0 });
  }
}
