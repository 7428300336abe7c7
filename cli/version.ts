// The tool's version, as package.json states it (journals record it; resume checks it).
import { readFileSync } from 'node:fs';

export function toolVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
