// Redis connections for the distributed backend: URLs with password and TLS (rediss://), shown only
// with the password masked, and a first contact that turns refusals into one clear message.
import { Redis, type RedisOptions } from 'ioredis';

/** A distributed-backend problem the user can fix: no server there, wrong password, bad URL. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
}

/** The URL with its password replaced by ***; what is printed and logged, never the real one. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an unparsable URL)';
  }
}

export function checkRedisUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BackendError(`'${redactUrl(url)}' is not a Redis URL: use redis://[:password@]host[:port][/db] or rediss://... for TLS`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new BackendError(`${redactUrl(url)} is not a Redis URL (scheme ${u.protocol}): use redis://[:password@]host[:port][/db] or rediss://... for TLS`);
}

/** Options BullMQ needs on its connections (blocking commands must not time out). */
export function bullConnection(url: string, extra: RedisOptions = {}): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, ...extra });
  // Connection errors surface through the commands that fail (and BullMQ's own 'error' events);
  // without a listener ioredis would also print each retry's error.
  client.on('error', () => {});
  return client;
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { message?: string };
  return err.code ?? err.message ?? String(e);
}

/** Connects once, without retrying, so a wrong password or an absent server fails fast and clearly. */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  checkRedisUrl(url);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: timeoutMs });
  // ioredis reports an AUTH refusal as an 'error' event and then fails the connect with "Connection is
  // closed"; keep the first error, which says why.
  let first: unknown;
  client.on('error', (e) => (first ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (caught) {
    const e = first ?? caught;
    const what = describe(e);
    const message = String((e as Error).message ?? what);
    if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message))
      throw new BackendError(`redis at ${redactUrl(url)} refused the credentials (${message.split(' ')[0]}): check the password (and user) in the URL`);
    if (what === 'ECONNREFUSED') throw new BackendError(`cannot reach redis at ${redactUrl(url)}: connection refused (is redis-server running there, on that port?)`);
    if (what === 'ENOTFOUND' || what === 'EAI_AGAIN') throw new BackendError(`cannot reach redis at ${redactUrl(url)}: host name not found`);
    if (what === 'ETIMEDOUT') throw new BackendError(`cannot reach redis at ${redactUrl(url)}: no answer within ${timeoutMs} ms`);
    throw new BackendError(`cannot use redis at ${redactUrl(url)}: ${String((e as Error).message ?? what)}`);
  } finally {
    client.disconnect();
  }
}
