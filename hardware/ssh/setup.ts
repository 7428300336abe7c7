// What to run on a board that lacks an onnxruntime, as one line.
import type { SshRuntime } from './options.js';

const NODE_SETUP = 'npm install --prefix ~/.zcnas onnxruntime-node';
const PYTHON_SETUP = 'python3 -m pip install --user onnxruntime';

/** The one-line setup command for a board: onnxruntime-node under ~/.zcnas, or Python's onnxruntime. */
export function setupCommand(runtime: SshRuntime = 'auto'): string {
  return runtime === 'python' ? PYTHON_SETUP : NODE_SETUP;
}
