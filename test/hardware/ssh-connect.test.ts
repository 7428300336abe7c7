// Connecting to a real OpenSSH server on loopback: host keys checked against known_hosts (plain,
// hashed, changed, unknown, trusted on first use, trusted by fingerprint), key authentication, and
// the messages for a timeout, a refused port and an unknown host name.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTarget, type SshOptions } from '../../hardware/ssh/index.js';
import { HardwareError } from '../../hardware/types.js';
import { freePort, startSshd, type Sshd } from '../helpers/sshd.js';

let d: Sshd;
beforeAll(async () => {
  d = await startSshd();
});
afterAll(async () => {
  await d?.stop();
});

async function connectError(target: string, options: SshOptions): Promise<HardwareError> {
  try {
    const c = await connectTarget(target, options);
    await c.close();
  } catch (err) {
    expect(err).toBeInstanceOf(HardwareError);
    return err as HardwareError;
  }
  throw new Error('expected the connection to be refused');
}

async function connects(options: SshOptions): Promise<string> {
  const c = await connectTarget(d.target, { identity: d.userKey, ...options });
  try {
    const r = await c.exec('echo ok');
    expect(r).toMatchObject({ code: 0, stdout: 'ok\n' });
    return c.hostFingerprint;
  } finally {
    await c.close();
    await c.close(); // idempotent
  }
}

describe('host key checking', () => {
  it('accepts the recorded key; the fingerprint is the one ssh-keygen prints', async () => {
    const kh = d.file('kh-plain', `# test\n${d.knownHostsLine}\n`);
    expect(await connects({ knownHosts: kh })).toBe(d.hostFingerprint);
  });

  it('accepts a comma-separated host list', async () => {
    const kh = d.file('kh-list', `rpi4.lan,[127.0.0.1]:${d.port} ${d.hostPublicKey}\n`);
    expect(await connects({ knownHosts: kh })).toBe(d.hostFingerprint);
  });

  it('accepts a hashed entry written by ssh-keygen -H', async () => {
    const kh = d.file('kh-hashed', `${d.knownHostsLine}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
    const text = fs.readFileSync(kh, 'utf8');
    expect(text.startsWith('|1|')).toBe(true);
    expect(text).not.toContain('127.0.0.1');
    expect(await connects({ knownHosts: kh })).toBe(d.hostFingerprint);
  });

  it('refuses a changed key, naming the file and line, unless trustFingerprint matches', async () => {
    const kh = d.file('kh-changed', `# line 1\n[127.0.0.1]:${d.port} ${d.otherHostPublicKey}\n`);
    const err = await connectError(d.target, { identity: d.userKey, knownHosts: kh });
    expect(err.message).toContain(`HOST KEY OF ${d.target} HAS CHANGED`);
    expect(err.message).toContain(`${kh} line 2`);
    expect(err.message).toContain(d.hostFingerprint);
    expect(await connects({ knownHosts: kh, trustFingerprint: d.hostFingerprint })).toBe(d.hostFingerprint);
    const other = 'SHA256:' + 'A'.repeat(43);
    const err2 = await connectError(d.target, { identity: d.userKey, knownHosts: kh, trustFingerprint: other });
    expect(err2.message).toContain(`not the trusted fingerprint ${other}`);
    expect(fs.readFileSync(kh, 'utf8')).not.toContain(d.hostPublicKey); // trusting by fingerprint records nothing
  });

  it('does not take a port-22 entry for another port', async () => {
    const kh = d.file('kh-port22', `127.0.0.1 ${d.hostPublicKey}\n`);
    const err = await connectError(d.target, { identity: d.userKey, knownHosts: kh });
    expect(err.message).toContain('is not known');
  });

  it('refuses an unknown host, printing its fingerprint; trustNewHost records it for the next time', async () => {
    const kh = `${d.dir}/ssh-home/known_hosts`; // neither file nor folder exists yet
    const err = await connectError(d.target, { identity: d.userKey, knownHosts: kh });
    expect(err.message).toBe(
      `host key of ${d.target} is not known: ${kh} has no entry for [127.0.0.1]:${d.port}. The host presented ssh-ed25519 key ${d.hostFingerprint}. ` +
        `Check it on the board (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then trust it with trustNewHost (adds it to ${kh}) or trustFingerprint '${d.hostFingerprint}'`,
    );
    expect(fs.existsSync(kh)).toBe(false);
    await connects({ knownHosts: kh, trustNewHost: true });
    expect(fs.readFileSync(kh, 'utf8')).toBe(`${d.knownHostsLine}\n`);
    expect(fs.statSync(kh).mode & 0o777).toBe(0o600);
    await connects({ knownHosts: kh }); // a second connection accepts it without trustNewHost
    await connects({ knownHosts: kh, trustNewHost: true });
    expect(fs.readFileSync(kh, 'utf8')).toBe(`${d.knownHostsLine}\n`); // not appended twice
  });

  it('with trustNewHost and trustFingerprint, records a new host only when it is that key', async () => {
    const kh = `${d.dir}/kh-pinned-new`;
    const wrong = 'SHA256:' + 'B'.repeat(43);
    const err = await connectError(d.target, { identity: d.userKey, knownHosts: kh, trustNewHost: true, trustFingerprint: wrong });
    expect(err.message).toContain(`not the trusted fingerprint ${wrong}`);
    expect(fs.existsSync(kh)).toBe(false);
    await connects({ knownHosts: kh, trustNewHost: true, trustFingerprint: d.hostFingerprint });
    expect(fs.readFileSync(kh, 'utf8')).toBe(`${d.knownHostsLine}\n`);
  });
});

describe('authentication and connection errors', () => {
  it('refuses a key the board does not know, naming the user and the key file', async () => {
    const kh = d.file('kh-auth', `${d.knownHostsLine}\n`);
    const err = await connectError(d.target, { identity: d.wrongKey, knownHosts: kh });
    expect(err.message).toContain(`authentication failed for user ${d.user} on ${d.target} with key file ${d.wrongKey}`);
    expect(err.message).toContain('authorized_keys');
  });

  it('says when the key file cannot be read', async () => {
    const err = await connectError(d.target, { identity: `${d.dir}/no-such-key`, knownHosts: `${d.dir}/kh-none` });
    expect(err.message).toBe(`cannot read the SSH key file ${d.dir}/no-such-key: no such file`);
  });

  it('times out on a server that accepts TCP and never speaks, within the connect timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      const err = await connectError(`ssh:${d.user}@127.0.0.1:${port}`, { identity: d.userKey, knownHosts: `${d.dir}/kh-none`, connectTimeoutMs: 1500 });
      const elapsed = Date.now() - t0;
      expect(err.message).toBe(
        `cannot connect to ssh:${d.user}@127.0.0.1:${port}: no SSH session with 127.0.0.1 port ${port} within the connect timeout of 1500 ms (is the board on, reachable, and running sshd on that port?)`,
      );
      expect(elapsed).toBeGreaterThanOrEqual(1400);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('says when the port refuses connections', async () => {
    const port = await freePort();
    const err = await connectError(`ssh:${d.user}@127.0.0.1:${port}`, { identity: d.userKey, knownHosts: `${d.dir}/kh-none` });
    expect(err.message).toBe(`cannot connect to ssh:${d.user}@127.0.0.1:${port}: connection refused by 127.0.0.1 port ${port} (is sshd running there, on that port?)`);
  });

  it('says when the host name does not resolve', async () => {
    const err = await connectError(`ssh:${d.user}@no-such-board.invalid`, { identity: d.userKey, knownHosts: `${d.dir}/kh-none`, connectTimeoutMs: 5000 });
    expect(err.message).toMatch(/^cannot connect to ssh:\S+@no-such-board\.invalid:22: host name no-such-board\.invalid not found \(DNS lookup failed: (ENOTFOUND|EAI_AGAIN)\)$/);
  });
});
