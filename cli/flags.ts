// Parsing of numeric flags with messages that name the flag and the accepted range.
import { UsageError } from './errors.js';

/** A positive number (a decimal point allowed), within [min, max]. */
export function parseNumberFlag(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || v < min || v > max) throw new UsageError(`${flag} ${text} is not valid: give a number from ${min} to ${max}`);
  return v;
}

/** --memory-limit GIB as bytes (undefined: the default limit). */
export function memoryLimitFlag(text: string | undefined): number | undefined {
  const gib = parseNumberFlag('--memory-limit', text, 0.01, 2 ** 20);
  return gib === undefined ? undefined : gib * 2 ** 30;
}

export function parseIntFlag(flag: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min || v > max)
    throw new UsageError(`${flag} ${text} is not valid: give a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
  return v;
}
