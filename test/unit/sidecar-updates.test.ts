/**
 * Two windows on one workspace (two code-server tabs) add to one result's sidecar at the same moment: every entry
 * survives, every other field too. Real processes, the product's own update path (recordExport), a real sidecar.
 * And the lock itself: a live holder keeps it, a dead one's is taken over.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { tryLock } from '../../src/core/fileLock';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'support', 'appendExports.js');
const COUNTER = path.join(__dirname, '..', 'support', 'lockedCounter.js');
let folder: string;

before(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-sidecar-'));
});
after(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

describe('sidecar updates from two processes', () => {
  test('two processes appending 25 exports each to one sidecar lose none, and keep every other field', async () => {
    const sidecar = path.join(folder, 'mug-multiview-1.json');
    await fs.writeFile(sidecar, JSON.stringify({ schema: 'multiview-sidecar/1', sourceImage: 'mug.png', grid: 'mug-multiview-1.png', jobId: '1', parameters: {}, handEdited: 'kept' }));
    await Promise.all(['a', 'b'].map((tag) => run(process.execPath, [SCRIPT, sidecar, tag, '25'])));
    const json = JSON.parse(await fs.readFile(sidecar, 'utf8')) as { exports: { files: string[] }[]; handEdited: string };
    const files = json.exports.map((entry) => entry.files[0]).sort();
    const expected = ['a', 'b'].flatMap((tag) => Array.from({ length: 25 }, (_, i) => `${tag}-${i}.json`)).sort();
    assert.deepEqual(files, expected);
    assert.equal(json.handEdited, 'kept');
    assert.deepEqual((await fs.readdir(folder)).filter((name) => name.startsWith('.')), [], 'no lock or temporary file left');
  });

  test('four processes taking the lock as fast as they can: every update under it is kept (none holds it at once)', async () => {
    // A lock released and taken again between another process's "already taken" and its look at the file once made
    // that process remove the new holder's lock: two holders, lost updates (2 of 50 appends under load, most here).
    const counter = path.join(folder, 'counter.txt');
    await fs.writeFile(counter, '0');
    await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [COUNTER, counter, '150'])));
    assert.equal(Number(await fs.readFile(counter, 'utf8')), 600);
    assert.deepEqual((await fs.readdir(folder)).filter((name) => name.startsWith('counter.txt.')), [], 'no lock left');
  });

  test('a lock a live holder touches is not taken; one left by a dead process is', async () => {
    const lockPath = path.join(folder, '.job.lock');
    const held = await tryLock(lockPath, { staleMs: 300 });
    assert.ok(held);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await tryLock(lockPath, { staleMs: 300 }), undefined, 'the holder touched it: still held');
    await held.release();
    await fs.writeFile(lockPath, 'a process that died');
    const old = new Date(Date.now() - 10_000);
    await fs.utimes(lockPath, old, old);
    const taken = await tryLock(lockPath, { staleMs: 300 });
    assert.ok(taken, 'a stale lock is taken over');
    await taken.release();
  });

  test('a lock just touched by a process of this machine that was killed is taken at once (a reload after a crash)', async () => {
    const lockPath = path.join(folder, '.killed.lock');
    const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await fs.writeFile(lockPath, `${stdout}@${os.hostname()} ${new Date().toISOString()}\n`);
    const taken = await tryLock(lockPath, { staleMs: 60_000 });
    assert.ok(taken, 'its holder is gone: no need to wait for it to go stale');
    await taken.release();
    await fs.writeFile(lockPath, `${process.pid}@${os.hostname()} ${new Date().toISOString()}\n`);
    assert.equal(await tryLock(lockPath, { staleMs: 60_000 }), undefined, 'a live holder keeps it');
    await fs.unlink(lockPath);
  });
});
