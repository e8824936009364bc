/**
 * The one home of a result's files: what a file made from a result is called (never a name another result could
 * own), which JSON files beside the sidecars are not sidecars, how a sidecar lists what was made from it (and what a
 * hostile list is reduced to), and which views the exports use.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { maybeSidecar } from '../../src/core/history';
import { savedResultFromText } from '../../src/core/readSidecar';
import { derivedStem, isDerivedJson, plannedFileName } from '../../src/core/results/resultFiles';
import { listedTransparentViews, viewsByAzimuth } from '../../src/core/results/resultViews';

const WORKSPACE = '/home/ada/project';
const SIDECAR = '/home/ada/project/assets/multiview/mug-multiview-657.json';
const OUT = path.dirname(SIDECAR);
const STEM = 'mug-multiview-657';
const AZIMUTHS = [30, 90, 150, 210, 270, 330];
const viewName = (prefix: string, index: number) => `${prefix}-view-az${String(AZIMUTHS[index]).padStart(3, '0')}-el${index % 2 ? '-10' : '+20'}.png`;

function sidecarWith(exports: unknown): Record<string, unknown> {
  return {
    schema: 'multiview-sidecar/1',
    sourceImage: 'assets/mug.png',
    grid: `${STEM}.png`,
    jobId: '657',
    parameters: { prompt: 'a mug' },
    timings: { finishedAt: '2025-01-02T03:04:05.000Z' },
    cameraLayout: 'zero123plus-v1.2',
    // Listed out of azimuth order on purpose: exports pair files with views by position, then sort by azimuth.
    views: [5, 0, 1, 2, 3, 4].map((index) => ({ index, azimuthDegrees: AZIMUTHS[index], elevationDegrees: index % 2 ? -10 : 20, file: viewName(STEM, index) })),
    exports,
  };
}

const read = (json: unknown) => savedResultFromText(JSON.stringify(json), SIDECAR, WORKSPACE);

describe('names of files made from a result', () => {
  test('each kind adds its infix to the result’s stem, before any number writeNewFiles adds', () => {
    assert.equal(derivedStem(SIDECAR, 'transparentViews'), `${STEM}-transparent`);
    assert.equal(plannedFileName(SIDECAR, 'model', '.glb'), `${STEM}-3d.glb`);
    assert.equal(plannedFileName(SIDECAR, 'cameraPoses', '.json'), `${STEM}-transforms.json`);
    assert.equal(plannedFileName(SIDECAR, 'spriteSheet', '.tres'), `${STEM}-spritesheet.tres`);
  });

  test('the JSON made from a result is not taken for a sidecar by the History, the palette or the agent tools', () => {
    for (const name of [`${STEM}-transforms.json`, `${STEM}-transforms-2.json`, `${STEM}-spritesheet.json`, `${STEM}-spritesheet-12.json`]) {
      assert.equal(isDerivedJson(name), true, name);
      assert.equal(maybeSidecar(path.join(OUT, name)), false, name);
    }
    for (const name of [`${STEM}.json`, `${STEM}-2.json`, 'transforms-multiview-1.json', `${STEM}-transforms.json.json`.replace('.json.json', '-old.json')]) {
      assert.equal(maybeSidecar(path.join(OUT, name)), true, name);
    }
  });
});

describe('what a sidecar lists as made from the result', () => {
  test('no exports in an older sidecar reads as none', () => {
    assert.deepEqual(read(sidecarWith(undefined)).sidecar.exports, []);
  });

  test('every file is reduced to a name beside the sidecar; unknown kinds and entries naming nothing are dropped', () => {
    const { exports } = read(
      sidecarWith([
        { kind: 'turntable', files: ['../../../etc/passwd.gif', 'C:\\Users\\x\\a.png'], createdAt: '2025', details: { framesPerSecond: 4 } },
        { kind: 'exfiltrate', files: ['a.png'] },
        { kind: 'camera-poses', files: [] },
        { kind: 'camera-poses', files: ['..'] },
        { kind: 'sprite-sheet', files: 'a.png' },
        { kind: 'camera-poses', files: [`${STEM}-transforms.json`], details: 'not an object' },
      ]),
    ).sidecar;
    assert.deepEqual(exports, [
      { kind: 'turntable', files: ['passwd.gif', 'a.png'], createdAt: '2025', details: { framesPerSecond: 4 } },
      { kind: 'camera-poses', files: [`${STEM}-transforms.json`], createdAt: '', details: {} },
    ]);
  });

  test('the newest transparent views are paired with the views they were cut from, in azimuth order', () => {
    const set = (prefix: string) => ({ kind: 'transparent-views', files: [`${prefix}.png`, ...[5, 0, 1, 2, 3, 4].map((index) => viewName(prefix, index))] });
    const result = read(sidecarWith([set(`${STEM}-transparent`), { kind: 'turntable', files: ['t.gif'] }, set(`${STEM}-transparent-2`)]));
    const listed = listedTransparentViews(result);
    assert.ok(listed);
    assert.equal(listed.gridPath, path.join(OUT, `${STEM}-transparent-2.png`));
    assert.deepEqual(
      listed.views.map((view) => [view.azimuthDegrees, path.basename(view.path)]),
      AZIMUTHS.map((azimuth, index) => [azimuth, viewName(`${STEM}-transparent-2`, index)]),
    );
    assert.deepEqual(
      viewsByAzimuth(result).map((view) => path.basename(view.path)),
      AZIMUTHS.map((_, index) => viewName(STEM, index)),
    );
  });

  test('a transparent-views entry that does not have a file for every view is not used', () => {
    const result = read(sidecarWith([{ kind: 'transparent-views', files: [`${STEM}-transparent.png`, viewName(`${STEM}-transparent`, 0)] }]));
    assert.equal(listedTransparentViews(result), undefined);
  });
});
