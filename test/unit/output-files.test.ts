import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OutputLocationError, outputStem, resolveOutputFolder, safeNamePart, writeNewFiles } from '../../src/core/outputFiles';

let root: string;
before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-out-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('output folder', () => {
  const workspaceFolder = '/home/ada/project';
  const imageFolder = '/home/ada/project/assets/shoes';

  test('defaults to a multiview folder beside the image', () => {
    assert.equal(resolveOutputFolder('', { imageFolder, workspaceFolder }), '/home/ada/project/assets/shoes/multiview');
    assert.equal(resolveOutputFolder('${imageFolder}/multiview', { imageFolder, workspaceFolder }), '/home/ada/project/assets/shoes/multiview');
  });

  test('relative paths and ${workspaceFolder} are taken from the workspace folder', () => {
    assert.equal(resolveOutputFolder('renders/views', { imageFolder, workspaceFolder }), '/home/ada/project/renders/views');
    assert.equal(resolveOutputFolder('${workspaceFolder}/out', { imageFolder, workspaceFolder }), '/home/ada/project/out');
  });

  test('a folder outside the workspace is refused with a message naming the setting', () => {
    for (const template of ['../elsewhere', '/tmp/x', '${imageFolder}/../../../..', '${workspaceFolder}/../project-evil']) {
      assert.throws(() => resolveOutputFolder(template, { imageFolder, workspaceFolder }), (error: unknown) => {
        assert.ok(error instanceof OutputLocationError, template);
        assert.match((error as Error).message, /multiview\.outputFolder/);
        return true;
      });
    }
  });
});

describe('file names', () => {
  test('come from the image and the job id', () => {
    assert.equal(outputStem('red shoe.png', '657'), 'red-shoe-multiview-657');
  });

  test('server-provided or odd text never yields a path', () => {
    assert.equal(outputStem('photo.jpg', '../../etc/passwd'), 'photo-multiview-etc-passwd');
    assert.equal(outputStem('.hidden.png', '/abs'), 'hidden-multiview-abs');
    assert.equal(safeNamePart('<script>', 40, 'x'), 'script');
    assert.equal(safeNamePart('///', 40, 'fallback'), 'fallback');
    assert.ok(safeNamePart('a'.repeat(500), 60, 'x').length <= 60);
  });
});

describe('writing results', () => {
  test('writes the set under the stem and never overwrites: a second run gets -2', async () => {
    const folder = path.join(root, 'sets', 'multiview');
    const first = await writeNewFiles(folder, 'shoe-multiview-1', [
      { suffix: '.png', content: Buffer.from('grid one') },
      { suffix: '.json', content: (stem) => JSON.stringify({ stem }) },
    ]);
    assert.deepEqual(first.map((file) => path.basename(file)), ['shoe-multiview-1.png', 'shoe-multiview-1.json']);
    const second = await writeNewFiles(folder, 'shoe-multiview-1', [
      { suffix: '.png', content: Buffer.from('grid two') },
      { suffix: '.json', content: (stem) => JSON.stringify({ stem }) },
    ]);
    assert.deepEqual(second.map((file) => path.basename(file)), ['shoe-multiview-1-2.png', 'shoe-multiview-1-2.json']);
    assert.equal(await fs.readFile(first[0], 'utf8'), 'grid one', 'the first grid is untouched');
    assert.deepEqual(JSON.parse(await fs.readFile(second[1], 'utf8')), { stem: 'shoe-multiview-1-2' });
    assert.deepEqual((await fs.readdir(folder)).sort(), [
      'shoe-multiview-1-2.json',
      'shoe-multiview-1-2.png',
      'shoe-multiview-1.json',
      'shoe-multiview-1.png',
    ], 'no temporary file remains');
  });

  test('a user file with only the sidecar name also moves the set to the next stem', async () => {
    const folder = path.join(root, 'partial');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'a.json'), 'mine');
    const written = await writeNewFiles(folder, 'a', [
      { suffix: '.png', content: 'png' },
      { suffix: '.json', content: 'json' },
    ]);
    assert.deepEqual(written.map((file) => path.basename(file)), ['a-2.png', 'a-2.json']);
    assert.equal(await fs.readFile(path.join(folder, 'a.json'), 'utf8'), 'mine');
  });

  test('a failure midway leaves nothing behind, not even the first file', async () => {
    const folder = path.join(root, 'failing');
    await assert.rejects(
      writeNewFiles(folder, 'b', [
        { suffix: '.png', content: 'png' },
        {
          suffix: '.json',
          content: () => {
            throw new Error('disk full');
          },
        },
      ]),
      /disk full/,
    );
    assert.deepEqual(await fs.readdir(folder), []);
  });

  test('a cancelled save leaves nothing behind', async () => {
    const folder = path.join(root, 'cancelled');
    const abort = new AbortController();
    await assert.rejects(
      writeNewFiles(folder, 'c', [
        {
          suffix: '.png',
          content: () => {
            abort.abort();
            return 'png';
          },
        },
        { suffix: '.json', content: 'json' },
      ], abort.signal),
      { name: 'AbortError' },
    );
    assert.deepEqual(await fs.readdir(folder), []);
  });
});
