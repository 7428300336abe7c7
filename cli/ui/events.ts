// Events as JSON lines (zcnas search --json): one object per line, the time since launch in seconds.
import type { SearchEvent } from '../../search/index.js';

export function eventLine(e: SearchEvent, seconds: number): string {
  const t = Number(seconds.toFixed(3));
  if (e.type === 'started') {
    const { previous, ...rest } = e;
    return JSON.stringify({ ...rest, t, previous: previous.length });
  }
  return JSON.stringify({ ...e, t });
}

/** NO_COLOR (any non-empty value) turns colour off: https://no-color.org */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}
