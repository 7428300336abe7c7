// The ssh target's pure parts: target strings, shell quoting, known_hosts matching, fingerprints,
// board facts, result lines, options. No server needed.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkKnownHosts,
  cpuName,
  fingerprintOf,
  formatSshTarget,
  hostsFieldMatches,
  keyTypeOf,
  loadIdentity,
  normaliseFingerprint,
  parseFacts,
  parseResultLine,
  parseSshTarget,
  resolveOptions,
  setupCommand,
  shellCommand,
  shellQuote,
  sshTarget,
} from '../../hardware/ssh/index.js';
import { HardwareError } from '../../hardware/types.js';
import { z } from 'zod';

const HOSTILE = ["'; rm -rf ~ #", '$(touch x)', '`touch x`', 'two words', 'line one\nline two', "it's", "''", '\\', '"$HOME"', '*', '-n', '', ' lead', "a'b\"c$d`e\\f!g"];

describe('ssh target strings', () => {
  it('parses user@host and user@host:port, canonical with the port', () => {
    expect(parseSshTarget('ssh:pi@rpi4.lan')).toEqual({ user: 'pi', host: 'rpi4.lan', port: 22 });
    expect(parseSshTarget('ssh:pi@10.0.0.7:2222')).toEqual({ user: 'pi', host: '10.0.0.7', port: 2222 });
    expect(formatSshTarget(parseSshTarget('ssh:pi@rpi4.lan'))).toBe('ssh:pi@rpi4.lan:22');
    expect(sshTarget('ssh:pi@rpi4.lan').name).toBe('ssh:pi@rpi4.lan:22');
    expect(sshTarget('ssh:pi@rpi4.lan').kind).toBe('ssh');
  });
  it('takes IPv6 addresses in brackets', () => {
    expect(parseSshTarget('ssh:pi@[::1]:2222')).toEqual({ user: 'pi', host: '::1', port: 2222 });
    expect(parseSshTarget('ssh:pi@[fe80::1]')).toEqual({ user: 'pi', host: 'fe80::1', port: 22 });
    expect(formatSshTarget({ user: 'pi', host: '::1', port: 2222 })).toBe('ssh:pi@[::1]:2222');
  });
  it.each([
    ['pi@rpi4', 'does not start with ssh:'],
    ['ssh:rpi4', 'the user is missing'],
    ['ssh:@rpi4', 'the user is missing'],
    ['ssh:pi@', 'the host is missing'],
    ['ssh:pi@rpi4:0', 'out of range'],
    ['ssh:pi@rpi4:99999', 'out of range'],
    ['ssh:pi@rpi4:ssh', 'is not a number'],
    ['ssh:pi@::1', 'in brackets'],
    ['ssh:pi@[::1', 'closing ]'],
    ['ssh:pi@rp i4', 'not a valid host'],
    ['ssh:p;i@rpi4', 'not a valid user'],
  ])('refuses %j (%s) and says what a right one looks like', (bad, why) => {
    let err: unknown;
    try {
      parseSshTarget(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HardwareError);
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).toContain('ssh:user@host or ssh:user@host:port');
  });
});

describe('shell quoting', () => {
  it('wraps in single quotes and escapes embedded quotes', () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellCommand(['rm', '-rf', '--', 'a b'])).toBe("'rm' '-rf' '--' 'a b'");
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
  it('round-trips hostile strings through a local sh (HOME pointed at a sandbox)', () => {
    const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'zcnas-quote-'));
    const canary = path.join(sandbox, 'canary');
    fs.writeFileSync(canary, 'still here');
    try {
      for (const s of HOSTILE) {
        const out = execFileSync('sh', ['-c', `HOME=${shellQuote(sandbox)}; cd ${shellQuote(sandbox)} && ${shellCommand(['printf', '%s', s])}`], { encoding: 'utf8' });
        expect(out).toBe(s);
      }
      expect(fs.readFileSync(canary, 'utf8')).toBe('still here');
      expect(fs.existsSync(path.join(sandbox, 'x'))).toBe(false);
    } finally {
      fs.rmSync(sandbox, { recursive: true, force: true });
    }
  });
});

describe('known_hosts', () => {
  const keyA = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 1)]);
  const keyB = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 2)]);
  const a = keyA.toString('base64');
  const b = keyB.toString('base64');

  it('reads the key type and fingerprints as OpenSSH does', () => {
    expect(keyTypeOf(keyA)).toBe('ssh-ed25519');
    expect(fingerprintOf(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(normaliseFingerprint(`${fingerprintOf(keyA)}=`)).toBe(fingerprintOf(keyA));
    expect(normaliseFingerprint('MD5:aa:bb')).toBeUndefined();
  });
  it('matches plain hosts on port 22 and [host]:port otherwise', () => {
    const text = `# comment\n\nrpi4.lan ssh-ed25519 ${a}\n[rpi4.lan]:2222 ssh-ed25519 ${b} pi@rpi4\n`;
    expect(checkKnownHosts(text, 'rpi4.lan', 22, keyA)).toEqual({ status: 'known', line: 3 });
    expect(checkKnownHosts(text, 'RPI4.lan', 22, keyA)).toEqual({ status: 'known', line: 3 });
    expect(checkKnownHosts(text, 'rpi4.lan', 2222, keyB)).toEqual({ status: 'known', line: 4 });
    expect(checkKnownHosts(text, 'rpi4.lan', 2222, keyA)).toMatchObject({ status: 'changed', line: 4 });
    expect(checkKnownHosts(text, 'rpi4.lan', 2223, keyA)).toEqual({ status: 'unknown' });
    expect(checkKnownHosts(text, 'other', 22, keyA)).toEqual({ status: 'unknown' });
  });
  it('matches lists, wildcards and negations', () => {
    expect(hostsFieldMatches('a,rpi4.lan,10.0.0.7', '10.0.0.7')).toBe(true);
    expect(hostsFieldMatches('*.lan', 'rpi4.lan')).toBe(true);
    expect(hostsFieldMatches('*.lan,!bad.lan', 'bad.lan')).toBe(false);
    expect(hostsFieldMatches('rpi?.lan', 'rpi5.lan')).toBe(true);
    expect(hostsFieldMatches('rpi4.lan', '[rpi4.lan]:2222')).toBe(false);
  });
  it('matches hashed entries (HMAC-SHA1 of the host string keyed by the salt)', () => {
    const salt = Buffer.alloc(20, 7);
    const hashed = (name: string): string => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    const text = `${hashed('[10.0.0.7]:2222')} ssh-ed25519 ${a}\n`;
    expect(checkKnownHosts(text, '10.0.0.7', 2222, keyA)).toEqual({ status: 'known', line: 1 });
    expect(checkKnownHosts(text, '10.0.0.7', 22, keyA)).toEqual({ status: 'unknown' });
    expect(checkKnownHosts(text, '10.0.0.7', 2222, keyB)).toMatchObject({ status: 'changed', line: 1 });
  });
  it('refuses @revoked keys and ignores @cert-authority lines', () => {
    const text = `@cert-authority * ssh-ed25519 ${b}\n@revoked rpi4.lan ssh-ed25519 ${a}\nrpi4.lan ssh-ed25519 ${a}\n`;
    expect(checkKnownHosts(text, 'rpi4.lan', 22, keyA)).toEqual({ status: 'revoked', line: 2 });
    expect(checkKnownHosts(text, 'rpi4.lan', 22, keyB)).toMatchObject({ status: 'changed', line: 3 });
  });
});

describe('board facts', () => {
  it('names a Raspberry Pi 4 core and board', () => {
    const cpuinfo = 'processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd08\n\nprocessor\t: 1\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n';
    expect(cpuName(cpuinfo)).toBe('ARM Cortex-A72');
    const sep = '\n@@zcnas@@\n';
    const facts = parseFacts(['aarch64', 'Linux 6.6.31+rpt-rpi-v8', '4', cpuinfo, 'Raspberry Pi 4 Model B Rev 1.4', 'rpi4'].join(sep));
    expect(facts).toEqual({ arch: 'aarch64', os: 'Linux 6.6.31+rpt-rpi-v8', cores: 4, cpu: 'ARM Cortex-A72', model: 'Raspberry Pi 4 Model B Rev 1.4', hostname: 'rpi4' });
  });
  it('uses model name on x86 and does not take "model" for a board', () => {
    const cpuinfo = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7B13\n';
    const facts = parseFacts(['x86_64', 'Linux 6.1', '2', cpuinfo, '', 'vm'].join('\n@@zcnas@@\n'));
    expect(facts.cpu).toBe('AMD EPYC 7B13');
    expect(facts.model).toBe('');
  });
});

describe('result lines, setup commands and options', () => {
  it('takes the last marked JSON line', () => {
    const schema = z.object({ zcnas: z.literal(1), samples: z.array(z.number()) });
    expect(parseResultLine('noise\n{"zcnas":1,"samples":[1,2]}\n', schema)).toEqual({ zcnas: 1, samples: [1, 2] });
    expect(parseResultLine('{"samples":[1]}\n{broken\n', schema)).toBeUndefined();
  });
  it('prints one-line setup commands', () => {
    expect(setupCommand('node')).toBe('npm install --prefix ~/.zcnas onnxruntime-node');
    expect(setupCommand('auto')).toBe('npm install --prefix ~/.zcnas onnxruntime-node');
    expect(setupCommand('python')).toBe('python3 -m pip install --user onnxruntime');
  });
  it('fills defaults and refuses bad options by name', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({ connectTimeoutMs: 10_000, warmup: 5, repeats: 30, runtime: 'auto', trustNewHost: false, threads: undefined });
    expect(o.knownHosts).toBe(path.join(os.homedir(), '.ssh', 'known_hosts'));
    expect(() => resolveOptions({ repeats: 0 })).toThrow(/repeats must be an integer >= 1/);
    expect(() => resolveOptions({ trustFingerprint: 'ab:cd' })).toThrow(/SHA256:<43 base64 characters>/);
    expect(() => sshTarget('ssh:pi@rpi4', { runtime: 'java' as 'node' })).toThrow(/runtime must be auto, node or python/);
  });
  it('says when a key file cannot be read or is not a key', () => {
    expect(() => loadIdentity('/nonexistent/id_ed25519', undefined)).toThrow('cannot read the SSH key file /nonexistent/id_ed25519: no such file');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zcnas-key-'));
    try {
      const f = path.join(dir, 'id_bad');
      fs.writeFileSync(f, 'not a key\n');
      expect(() => loadIdentity(f, undefined)).toThrow(`the SSH key file ${f} is not a usable private key`);
      expect(() => loadIdentity(dir, undefined)).toThrow(`cannot read the SSH key file ${dir}: it is a folder`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
