// One place that turns a target string into a Target: `local`, `ssh:user@host[:port]`, `mcu:<board>`.
import { localTarget, type LocalOptions } from './local.js';
import { HardwareError, type Target } from './types.js';

export const TARGET_FORMS = 'local, ssh:user@host[:port] or mcu:<board>';

export interface TargetOptions extends LocalOptions {}

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
    default:
      throw new HardwareError(`target '${spec}' is not available yet`);
  }
}
