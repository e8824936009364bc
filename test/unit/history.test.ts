/** The history view's model: grouping, order and exactly which files a delete may remove. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { finishedAtLabel, groupBySourceImage, resultDescription, shorten } from '../../src/core/history';
import { ownedFiles, resultStem } from '../../src/core/results/resultFiles';
import type { SavedResult } from '../../src/core/readSidecar';
import type { Sidecar } from '../../src/core/sidecarSchema';

const OUT = '/ws/generated';

function result(stem: string, source: string, finishedAtMs: number, extra: Partial<SavedResult> = {}, seed: number | null = 1): SavedResult {
  return {
    sidecarPath: path.join(OUT, `${stem}.json`),
    sidecar: { jobId: stem.split('-multiview-')[1], seed, subject: null, models: [] } as unknown as Sidecar,
    gridPath: path.join(OUT, `${stem}.png`),
    viewPaths: ['az030-el+20', 'az090-el-10'].map((pose) => path.join(OUT, `${stem}-view-${pose}.png`)),
    sourceImagePath: source,
    finishedAtMs,
    ...extra,
  };
}

describe('grouping', () => {
  test('by source image, each group newest first, groups by their newest result', () => {
    const mugOld = result('mug-multiview-1', '/ws/mug.png', 1000);
    const mugNew = result('mug-multiview-3', '/ws/mug.png', 3000);
    const shoe = result('shoe-multiview-2', '/ws/photos/shoe.jpg', 2000);
    const groups = groupBySourceImage([mugOld, shoe, mugNew]);
    assert.deepEqual(
      groups.map((g) => [g.sourceImagePath, g.results.map((r) => r.sidecar.jobId)]),
      [
        ['/ws/mug.png', ['3', '1']],
        ['/ws/photos/shoe.jpg', ['2']],
      ],
    );
  });

  test('the same image written two ways is one group; equal times keep a stable order', () => {
    const a = result('mug-multiview-a', '/ws/./mug.png', 5);
    const b = result('mug-multiview-b', '/ws/mug.png', 5);
    const groups = groupBySourceImage([b, a]);
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0].results.map((r) => r.sidecar.jobId), ['a', 'b']);
    assert.deepEqual(groupBySourceImage([]), []);
  });

  test('a result without a readable time sorts last', () => {
    const groups = groupBySourceImage([result('mug-multiview-x', '/ws/mug.png', 0), result('mug-multiview-y', '/ws/mug.png', 10)]);
    assert.deepEqual(groups[0].results.map((r) => r.sidecar.jobId), ['y', 'x']);
  });
});

describe('what a delete removes', () => {
  const stem = 'mug-multiview-657';
  const own = [
    `${stem}.png`,
    `${stem}-view-az030-el+20.png`,
    `${stem}-view-az090-el-10.png`,
    `${stem}-subject.png`,
    `${stem}-turntable.gif`,
    `${stem}-turntable-2.gif`,
    `${stem}-turntable.png`,
    `${stem}-3d.glb`,
    `${stem}-3d-2.obj`,
    `${stem}-transparent.png`,
    `${stem}-transparent-view-az030-el+20.png`,
    `${stem}-transparent-2-view-az330-el-10.png`,
    `${stem}-spritesheet.png`,
    `${stem}-spritesheet.json`,
    `${stem}-spritesheet.tres`,
    `${stem}-transforms.json`,
    `${stem}-transforms-2.json`,
    `${stem}.json`,
  ];
  const others = [
    'mug.png',
    `${stem}-2.png`,
    `${stem}-2.json`,
    `${stem}-2-view-az030-el+20.png`,
    `${stem}-2-turntable.gif`,
    `${stem}-notes.txt`,
    `${stem}-turntable.gif.bak`,
    `${stem}-2-subject.png`,
    `${stem}-2-3d.glb`,
    `${stem}-3d.glb.bak`,
    `${stem}-3d-final.blend`,
    // Not a name the extension writes: a file the user made beside the result is theirs.
    `${stem}-turntable-fast.gif`,
    `${stem}-2-transparent.png`,
    `${stem}-2-transforms.json`,
    `${stem}-transforms.json.bak`,
    `${stem}-spritesheet.atlas`,
    'shoe-multiview-657.png',
  ];

  test('the grid, its views, its cut-out, its turntables, 3D models, transparent views, sprite sheets, camera poses and the sidecar (last), nothing else beside it', () => {
    const files = ownedFiles(result(stem, '/ws/mug.png', 1), [...others, ...own]);
    assert.deepEqual(files.map((f) => path.basename(f)).sort(), [...own].sort());
    assert.equal(path.basename(files[files.length - 1]), `${stem}.json`, 'the sidecar goes last');
    assert.ok(files.every((f) => path.dirname(f) === OUT));
  });

  test('only files that exist are listed', () => {
    const files = ownedFiles(result(stem, '/ws/mug.png', 1), [`${stem}.json`, `${stem}.png`]);
    assert.deepEqual(files.map((f) => path.basename(f)), [`${stem}.png`, `${stem}.json`]);
  });

  test('a sidecar naming someone else’s files deletes only its own', () => {
    const hostile = result(stem, '/ws/mug.png', 1, {
      gridPath: path.join(OUT, 'mug.png'),
      viewPaths: [path.join(OUT, 'shoe-multiview-657.png'), path.join('/ws', `${stem}-view-az030-el+20.png`), path.join(OUT, `${stem}-2-view-az030-el+20.png`)],
    });
    const files = ownedFiles(hostile, [...others, `${stem}.json`, `${stem}-view-az030-el+20.png`]);
    assert.deepEqual(files, [path.join(OUT, `${stem}.json`)]);
  });

  test('a stem with regular-expression characters matches only itself', () => {
    const odd = 'a.b+c-multiview-(1)';
    const files = ownedFiles(result(odd, '/ws/x.png', 1), [`${odd}.png`, `${odd}.json`, 'aXb+c-multiview-(1).png', 'a.bbc-multiview-(1).png']);
    assert.deepEqual(files.map((f) => path.basename(f)), [`${odd}.png`, `${odd}.json`]);
    assert.equal(resultStem(`/x/${odd}.json`), odd);
  });
});

describe('labels', () => {
  test('the finish time in the display language; a placeholder without one', () => {
    const ms = Date.UTC(2025, 0, 15, 12, 0, 0); // 15 January in every time zone
    assert.match(finishedAtLabel(ms, 'en-US'), /^1\/15\/25, /);
    assert.notEqual(finishedAtLabel(ms, 'de'), finishedAtLabel(ms, 'en'));
    assert.equal(finishedAtLabel(ms, 'not a locale!'), finishedAtLabel(ms, undefined));
    assert.equal(finishedAtLabel(0, 'en'), 'Unknown time');
  });

  test('the description tells results apart by seed and job', () => {
    assert.equal(resultDescription(result('mug-multiview-657', '/ws/mug.png', 1, {}, 4242)), 'seed 4242 · job 657');
    assert.equal(resultDescription(result('mug-multiview-657', '/ws/mug.png', 1, {}, null)), 'job 657');
  });

  test('a result with 3D models says so (the History view’s badge), with their number past one', () => {
    const withModels = (count: number) => {
      const base = result('mug-multiview-657', '/ws/mug.png', 1, {}, 4242);
      return { ...base, sidecar: { ...base.sidecar, models: Array.from({ length: count }, () => ({}) as Sidecar['models'][number]) } };
    };
    assert.equal(resultDescription(withModels(1)), '3D · seed 4242 · job 657');
    assert.equal(resultDescription(withModels(3)), '3D ×3 · seed 4242 · job 657');
  });

  test('shorten', () => {
    assert.equal(shorten('abc', 3), 'abc');
    assert.equal(shorten('abcdef', 4), 'abc…');
  });
});
