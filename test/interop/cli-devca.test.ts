/**
 * The development CA of `puretls serve` (issue 8): kept in the user's own
 * ~/.puretls/dev, never in a shared temporary directory; reused only when the
 * directories are the user's and 0700 and the keys 0600; refused otherwise
 * with a message that says what to do.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devDir, makePki } from '../../src/cli/devca.js';
import { CLI, killAll, run } from './helpers/net.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'puretls-devca-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));
afterAll(() => killAll());

const mode = (p: string) => statSync(p).mode & 0o777;

describe('development CA directory', () => {
  it('is ~/.puretls/dev, made 0700, with 0600 keys, and reused on the next start', async () => {
    const dir = devDir(home);
    expect(dir).toBe(join(home, '.puretls', 'dev'));
    expect(mode(join(home, '.puretls'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    const a = await makePki(dir);
    for (const f of [a.ca.keyFile, a.server.keyFile]) expect(mode(f)).toBe(0o600);
    for (const d of [join(dir, 'ca'), join(dir, 'localhost')]) expect(mode(d)).toBe(0o700);
    const b = await makePki(devDir(home));
    expect(b.ca.cert).toBe(a.ca.cert);
    expect(b.server.cert).toBe(a.server.cert);
  });

  it('refuses a directory other users can read, saying how to fix it', async () => {
    const dir = devDir(home);
    await makePki(dir);
    chmodSync(dir, 0o755);
    expect(() => devDir(home)).toThrow(new RegExp(`${dir} is accessible to other users \\(mode 0755\\).*chmod 700 ${dir}`));
    chmodSync(dir, 0o700);
    chmodSync(join(dir, 'ca'), 0o750);
    await expect(makePki(devDir(home))).rejects.toThrow(/ca is accessible to other users \(mode 0750\)/);
  });

  it('refuses a key file other users can read, or one that is a symbolic link', async () => {
    const dir = devDir(home);
    const pki = await makePki(dir);
    chmodSync(pki.ca.keyFile, 0o644);
    await expect(makePki(dir)).rejects.toThrow(new RegExp(`${pki.ca.keyFile} is accessible to other users \\(mode 0644\\).*chmod 600`));
    chmodSync(pki.ca.keyFile, 0o600);
    // A key planted as a link to a file elsewhere is not reused.
    const elsewhere = join(home, 'elsewhere.pem');
    writeFileSync(elsewhere, readFileSync(pki.server.keyFile), { mode: 0o600 });
    unlinkSync(pki.server.keyFile);
    symlinkSync(elsewhere, pki.server.keyFile);
    await expect(makePki(dir)).rejects.toThrow(/is a symbolic link/);
  });

  it('never falls back to a shared temporary directory when home is unusable', () => {
    const notADir = join(home, 'file');
    writeFileSync(notADir, '');
    const before = existsSync(join(tmpdir(), `puretls-dev-${process.getuid?.()}`));
    expect(() => devDir(notADir)).toThrow(/cannot create .*\.puretls\/dev.*set HOME/);
    expect(existsSync(join(tmpdir(), `puretls-dev-${process.getuid?.()}`))).toBe(before);
  });

  it.runIf(process.getuid?.() === 0)('refuses a directory that belongs to another user (needs root to chown)', () => {
    const dir = devDir(home);
    chownSync(dir, 12345, 12345);
    expect(() => devDir(home)).toThrow(/belongs to uid 12345, not to you \(uid 0\)/);
  });

  it('puretls serve without --cert refuses a shared development CA directory (exit 1, clear message)', async () => {
    const dir = join(home, '.puretls', 'dev');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o777);
    const c = run(process.execPath, [CLI, 'serve', '--port', '0'], { env: { HOME: home } });
    expect(await c.exit).toBe(1);
    expect(c.stderr()).toMatch(/accessible to other users \(mode 0777\).*chmod 700/);
    expect(c.stdout()).not.toMatch(/listening/);
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });
});
