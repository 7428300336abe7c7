// Flags shared by every command that opens a hardware target (calibrate, validate, inspect).
import { LOCAL_DEFAULTS, type TargetOptions } from '../hardware/index.js';
import { parseIntFlag } from './flags.js';

export const TARGET_FLAGS = {
  target: { type: 'string' },
  warmup: { type: 'string' },
  repeats: { type: 'string' },
  threads: { type: 'string' },
} as const;

export const TARGET_HELP = `Target options:
  --target T             local (onnxruntime here), ssh:user@host[:port] (a Linux board such as a
                         Raspberry Pi) or mcu:<board> (int8 microcontroller model)
  --warmup N             untimed runs before timing (default ${LOCAL_DEFAULTS.warmup})
  --repeats N            timed runs per candidate (default ${LOCAL_DEFAULTS.repeats})
  --threads N            onnxruntime threads (default: all cores of the target)`;

export interface TargetFlagValues {
  readonly warmup?: string | undefined;
  readonly repeats?: string | undefined;
  readonly threads?: string | undefined;
}

export function targetOptions(values: TargetFlagValues, seed: number): TargetOptions {
  return {
    warmup: parseIntFlag('--warmup', values.warmup, LOCAL_DEFAULTS.warmup, 0, 10_000),
    repeats: parseIntFlag('--repeats', values.repeats, LOCAL_DEFAULTS.repeats, 1, 100_000),
    ...(values.threads === undefined ? {} : { threads: parseIntFlag('--threads', values.threads, 1, 1, 1024) }),
    seed,
  };
}
