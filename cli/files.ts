// Writing user-named output files safely: a temporary file renamed into place, so an
// interrupted write never leaves a half-written model behind.
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`cannot write ${path}: folder ${dir} does not exist`);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`cannot write ${path}: it is a folder; give a file name such as model.onnx`);
  const tmp = `${full}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, full);
}
