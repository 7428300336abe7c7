// `ssh:user@host[:port]` target strings, IPv6 hosts in brackets (`ssh:pi@[fe80::1]:2222`).
import { HardwareError } from '../types.js';

export interface SshAddress {
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_SSH_PORT = 22;

const USAGE = 'an ssh target looks like ssh:user@host or ssh:user@host:port (IPv6 in brackets: ssh:pi@[::1]:2222)';

function bad(target: string, why: string): HardwareError {
  return new HardwareError(`bad ssh target ${JSON.stringify(target)}: ${why}; ${USAGE}`);
}

// Conservative on purpose: these end up in known_hosts lines and error messages.
const USER_RE = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV6_RE = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

function parsePort(target: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw bad(target, `port ${JSON.stringify(text)} is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw bad(target, `port ${port} is out of range 1-65535`);
  return port;
}

export function parseSshTarget(target: string): SshAddress {
  if (!target.startsWith('ssh:')) throw bad(target, 'it does not start with ssh:');
  const rest = target.slice(4).replace(/^\/\//, '');
  const at = rest.lastIndexOf('@');
  if (at < 0) throw bad(target, 'the user is missing');
  const user = rest.slice(0, at);
  const hostPort = rest.slice(at + 1);
  if (!USER_RE.test(user)) throw bad(target, user === '' ? 'the user is missing' : `user ${JSON.stringify(user)} is not a valid user name`);
  let host: string;
  let port = DEFAULT_SSH_PORT;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw bad(target, 'an IPv6 address is missing its closing ]');
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw bad(target, `unexpected ${JSON.stringify(after)} after the IPv6 address`);
      port = parsePort(target, after.slice(1));
    }
    if (!IPV6_RE.test(host) || !host.includes(':')) throw bad(target, `${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colons = hostPort.split(':').length - 1;
    if (colons > 1) throw bad(target, 'an IPv6 address must be written in brackets');
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) port = parsePort(target, hostPort.slice(colon + 1));
    if (host === '') throw bad(target, 'the host is missing');
    if (!HOST_RE.test(host)) throw bad(target, `host ${JSON.stringify(host)} is not a valid host name or address`);
  }
  return { user, host, port };
}

/** The host as written in URLs and known_hosts: IPv6 addresses in brackets. */
export function bracketHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Canonical form, port always present: `ssh:pi@rpi4.lan:22`, `ssh:pi@[::1]:2222`. */
export function formatSshTarget(address: SshAddress): string {
  return `ssh:${address.user}@${bracketHost(address.host)}:${address.port}`;
}
