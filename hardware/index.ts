// hardware/: targets that measure or model a candidate's latency, RAM and flash, and the latency
// predictors the search uses between measurements.
export { HardwareError, type Candidate, type Environment, type Fit, type Measurement, type Provenance, type Spread, type Target } from './types.js';
export { pointSpread, spreadOf } from './spread.js';
export { describeMachine, LOCAL_DEFAULTS, localTarget, type LocalOptions } from './local.js';
export { openTarget, TARGET_FORMS, targetKind, type TargetKind, type TargetOptions } from './open.js';
export * from './predict/index.js';
export * from './mcu/index.js';
export { setupCommand, sshTarget, SSH_DEFAULTS, type SshOptions, type SshRuntime } from './ssh/index.js';
