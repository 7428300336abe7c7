// OpenSSH known_hosts: reading, matching a presented host key, and appending a newly trusted one.
// Supported: plain host patterns (with `*`/`?` wildcards and `!` negation), `[host]:port` for
// ports other than 22, comma-separated lists, hashed `|1|salt|hash` entries (HMAC-SHA1 of the host
// string keyed by the salt), comments, blank lines, and the `@revoked` marker (a revoked key is
// refused; `@cert-authority` lines are ignored, as certificates are not supported).
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HardwareError } from '../types.js';

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintOf(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a key blob (its first SSH string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Uint8Array): string {
  const buf = Buffer.from(keyBlob);
  if (buf.length < 4) return 'unknown';
  const len = buf.readUInt32BE(0);
  if (len > 64 || 4 + len > buf.length) return 'unknown';
  return buf.subarray(4, 4 + len).toString('latin1');
}

/** Accepts `SHA256:xyz` (padding optional); returns the canonical form or undefined when malformed. */
export function normaliseFingerprint(text: string): string | undefined {
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  return m ? `SHA256:${m[1]}` : undefined;
}

/** The string known_hosts stores for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export interface KnownHostEntry {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly marker: '' | '@revoked' | '@cert-authority';
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    entries.push({ line: i + 1, marker, hosts, keyType, key: Buffer.from(b64, 'base64') });
  }
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const want = Buffer.from(parts[3] ?? '', 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && want.equals(got);
}

/** Whether a host-pattern field of a known_hosts line names this host string. */
export function hostsFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name);
  let positive = false;
  for (const pattern of field.split(',')) {
    if (pattern === '') continue;
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) {
      positive = true;
    }
  }
  return positive;
}

export type HostKeyVerdict =
  | { readonly status: 'known'; readonly line: number }
  | { readonly status: 'unknown' }
  | { readonly status: 'changed'; readonly line: number; readonly recordedType: string }
  | { readonly status: 'revoked'; readonly line: number };

/** Compares a presented key blob with what a known_hosts text records for this host and port. */
export function checkKnownHosts(text: string, host: string, port: number, keyBlob: Uint8Array): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const key = Buffer.from(keyBlob);
  const mine = parseKnownHosts(text).filter((e) => e.marker !== '@cert-authority' && hostsFieldMatches(e.hosts, name));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => e.marker === '');
  const match = plain.find((e) => e.key.equals(key));
  if (match) return { status: 'known', line: match.line };
  if (plain.length === 0) return { status: 'unknown' };
  const type = keyTypeOf(key);
  const sameType = plain.find((e) => e.keyType === type) ?? plain[0];
  return { status: 'changed', line: sameType?.line ?? 0, recordedType: sameType?.keyType ?? '' };
}

/** Key types recorded for this host, in file order (to prefer them when negotiating, as OpenSSH does). */
export function knownKeyTypes(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = parseKnownHosts(text)
    .filter((e) => e.marker === '' && hostsFieldMatches(e.hosts, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** known_hosts text, or '' when the file does not exist; an unreadable file is a HardwareError. */
export function readKnownHosts(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new HardwareError(`cannot read known_hosts file ${file}: ${(err as Error).message}`);
  }
}

/** Appends `name type base64` for a newly trusted host, creating the file (0600) and folder (0700). */
export function appendKnownHost(file: string, host: string, port: number, keyBlob: Uint8Array): void {
  const line = `${knownHostsName(host, port)} ${keyTypeOf(keyBlob)} ${Buffer.from(keyBlob).toString('base64')}\n`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const existing = readKnownHosts(file);
    const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
    fs.appendFileSync(file, sep + line, { mode: 0o600 });
  } catch (err) {
    if (err instanceof HardwareError) throw err;
    throw new HardwareError(`cannot add the host key to known_hosts file ${file}: ${(err as Error).message}`);
  }
}

/** Host key algorithms to offer: those recorded for the host first, then ssh2's usual order. */
export function hostKeyAlgorithms(recordedTypes: readonly string[]): string[] {
  const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const preferred = recordedTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : defaults.includes(t) ? [t] : []));
  return [...new Set([...preferred, ...defaults])];
}
