// Errors the CLI turns into one clear message and an exit code.
import { GraphError } from '../nn/index.js';
import { SpaceError } from '../space/index.js';
import { BatchSourceError, LabelError, TruthTableError, UnknownProxyError } from '../proxies/index.js';
import { BackendError, ConfigError, ExportError, RunDirError } from '../search/index.js';
import { HardwareError } from '../hardware/index.js';

/** Bad command-line usage: unknown flag, missing argument, unreadable file. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Exit code and message for an error thrown by a command. */
export function describeError(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError || err instanceof SpaceError || err instanceof GraphError || err instanceof UnknownProxyError || err instanceof BatchSourceError || err instanceof LabelError || err instanceof TruthTableError || err instanceof ConfigError || err instanceof RunDirError || err instanceof ExportError || err instanceof HardwareError || err instanceof BackendError)
    return { code: EXIT_USAGE, message: err.message };
  if (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return { code: EXIT_USAGE, message: `${err.message.replace(/\. To specify a positional argument.*$/s, '')}; run with --help to see the options` };
  if (err instanceof Error && 'code' in err && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS'))
    return { code: EXIT_USAGE, message: err.message };
  return { code: EXIT_FAILURE, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
