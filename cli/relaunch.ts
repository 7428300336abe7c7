// `zcnas score` creates one onnxruntime session after another in its own process. glibc reads its
// malloc settings once, at start, so the command starts itself again with the settings the pool's
// worker processes have (search/process-pool.ts): freed memory is kept for the next session instead
// of being unmapped and faulted in again. `score --proxies all` on two candidates took 30-33 s
// instead of 46-47 s on the 2-core VM of the README.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { WORKER_PROCESS_ENV } from '../search/index.js';

/**
 * The environment to start again with, or undefined when this process already has the settings
 * (every variable set, whatever its value: a user's own choice stands) or the platform has none.
 */
export function relaunchEnv(env: NodeJS.ProcessEnv, tuning: Readonly<Record<string, string>> = WORKER_PROCESS_ENV): NodeJS.ProcessEnv | undefined {
  const missing = Object.keys(tuning).filter((k) => env[k] === undefined);
  return missing.length === 0 ? undefined : { ...tuning, ...env };
}

/**
 * Runs this same command line in a child process with `env` and returns its exit code (128 + the
 * signal's number when a signal ended it). Signals sent to this process are passed on; Ctrl-C in a
 * terminal reaches both, and the child's own handling decides. The child also gets an IPC channel,
 * only so that it learns when this process is gone (see followParent).
 */
export function relaunch(env: NodeJS.ProcessEnv): Promise<number> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let child: ChildProcess | undefined;
  const passed = new Set<NodeJS.Signals>();
  const pass = (signal: NodeJS.Signals): void => {
    passed.add(signal);
    child?.kill(signal);
  };
  // Listening before the child exists: a signal that arrives while it starts (the child is
  // visible from outside before spawn returns) would otherwise end this process alone, with the
  // signal's default action. Handlers run after spawn returns, so they find the child.
  for (const s of signals) process.on(s, pass);
  child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env });
  const started = child;
  return new Promise((resolve, reject) => {
    started.once('error', reject);
    started.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, pass);
      // A signal this process did not pass on came from elsewhere; the child cannot say so itself.
      if (signal && !passed.has(signal)) process.stderr.write(`zcnas: ${killedMessage(signal)}\n`);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/** What to tell the user when the process doing the work was ended by a signal from outside. */
export function killedMessage(signal: NodeJS.Signals): string {
  const what = `the process scoring the candidates was ended by ${signal}, not by zcnas`;
  return signal === 'SIGKILL' ? `${what}: most likely the out-of-memory killer; a smaller --batch needs less memory` : what;
}

/**
 * In a relaunched child: end when the parent is gone. A parent killed with SIGKILL cannot pass the
 * signal on; its end closes the IPC channel instead, and the child stops rather than scoring on for
 * nobody (exit code 129, as for a hangup). The channel does not keep the child alive.
 */
export function followParent(): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.exit(128 + constants.signals.SIGHUP));
}
