/** The grid's geometry and camera poses (src/core/grid.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCameraLayout, signedDegrees, VIEW_FILE_SUFFIX_PATTERN, viewFileSuffix, viewPoses } from '../../src/core/grid';
import { type Rect, viewRects } from '../../src/shared/gridGeometry';

/** Every pixel of the image is in exactly one rect. */
function assertTiles(rects: Rect[], width: number, height: number): void {
  const covered = new Uint8Array(width * height);
  for (const rect of rects) {
    assert.ok(Number.isInteger(rect.x) && Number.isInteger(rect.y) && Number.isInteger(rect.width) && Number.isInteger(rect.height));
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let x = rect.x; x < rect.x + rect.width; x++) {
        assert.ok(x >= 0 && x < width && y >= 0 && y < height, `(${x}, ${y}) is inside the image`);
        covered[y * width + x]++;
      }
    }
  }
  assert.ok(covered.every((count) => count === 1), 'each pixel is in exactly one view');
}

describe('viewRects', () => {
  test('640 x 960: six 320 x 320 views, row-major', () => {
    assert.deepEqual(viewRects(640, 960), [
      { x: 0, y: 0, width: 320, height: 320 },
      { x: 320, y: 0, width: 320, height: 320 },
      { x: 0, y: 320, width: 320, height: 320 },
      { x: 320, y: 320, width: 320, height: 320 },
      { x: 0, y: 640, width: 320, height: 320 },
      { x: 320, y: 640, width: 320, height: 320 },
    ]);
  });

  test('1024 x 1024: rows differ by at most 1 px and nothing is lost', () => {
    const rects = viewRects(1024, 1024);
    assert.deepEqual(rects.map((rect) => rect.width), [512, 512, 512, 512, 512, 512]);
    assert.deepEqual(new Set(rects.map((rect) => rect.height)), new Set([341, 342]));
    assert.equal(rects[0].height + rects[2].height + rects[4].height, 1024);
    assertTiles(rects, 1024, 1024);
  });

  for (const [width, height] of [[641, 961], [641, 960], [5, 7], [2, 3], [1023, 1022]] as const) {
    test(`${width} x ${height}: tiles cover the image exactly, sizes within 1 px`, () => {
      const rects = viewRects(width, height);
      assert.equal(rects.length, 6);
      assertTiles(rects, width, height);
      const widths = rects.map((rect) => rect.width);
      const heights = rects.map((rect) => rect.height);
      assert.ok(Math.max(...widths) - Math.min(...widths) <= 1);
      assert.ok(Math.max(...heights) - Math.min(...heights) <= 1);
      // row-major: x alternates by column, y grows by row
      rects.forEach((rect, index) => {
        assert.equal(rect.x === 0, index % 2 === 0);
        if (index >= 2) assert.ok(rect.y > rects[index - 2].y);
      });
    });
  }
});

describe('viewPoses', () => {
  test('v1.2: azimuth 30..330 every 60°, elevation +20/-10 alternating, row-major', () => {
    assert.deepEqual(viewPoses('zero123plus-v1.2'), [
      { index: 0, row: 0, column: 0, azimuthDegrees: 30, elevationDegrees: 20 },
      { index: 1, row: 0, column: 1, azimuthDegrees: 90, elevationDegrees: -10 },
      { index: 2, row: 1, column: 0, azimuthDegrees: 150, elevationDegrees: 20 },
      { index: 3, row: 1, column: 1, azimuthDegrees: 210, elevationDegrees: -10 },
      { index: 4, row: 2, column: 0, azimuthDegrees: 270, elevationDegrees: 20 },
      { index: 5, row: 2, column: 1, azimuthDegrees: 330, elevationDegrees: -10 },
    ]);
  });

  test('v1.1: same azimuths, elevation +30/-20 alternating', () => {
    const poses = viewPoses('zero123plus-v1.1');
    assert.deepEqual(poses.map((pose) => pose.azimuthDegrees), [30, 90, 150, 210, 270, 330]);
    assert.deepEqual(poses.map((pose) => pose.elevationDegrees), [30, -20, 30, -20, 30, -20]);
  });

  test('an unknown layout setting falls back to v1.2', () => {
    assert.equal(parseCameraLayout('zero123plus-v1.1'), 'zero123plus-v1.1');
    assert.equal(parseCameraLayout('zero123plus-v9'), 'zero123plus-v1.2');
    assert.equal(parseCameraLayout(undefined), 'zero123plus-v1.2');
  });
});

describe('viewFileSuffix', () => {
  test('says the pose, zero-padded, with the elevation sign', () => {
    assert.deepEqual(viewPoses('zero123plus-v1.2').map(viewFileSuffix), [
      '-view-az030-el+20',
      '-view-az090-el-10',
      '-view-az150-el+20',
      '-view-az210-el-10',
      '-view-az270-el+20',
      '-view-az330-el-10',
    ]);
    assert.equal(viewFileSuffix({ azimuthDegrees: 30, elevationDegrees: 30 }), '-view-az030-el+30');
    assert.equal(viewFileSuffix({ azimuthDegrees: 90, elevationDegrees: -20 }), '-view-az090-el-20');
    assert.equal(viewFileSuffix({ azimuthDegrees: 0, elevationDegrees: 0 }), '-view-az000-el+00');
  });

  test('VIEW_FILE_SUFFIX_PATTERN (how History recognises a result’s views) matches every suffix and nothing more', () => {
    const whole = new RegExp(`^${VIEW_FILE_SUFFIX_PATTERN}$`);
    for (const layout of ['zero123plus-v1.2', 'zero123plus-v1.1'] as const) {
      for (const suffix of viewPoses(layout).map(viewFileSuffix)) assert.match(suffix, whole);
    }
    for (const other of ['-view-az30-el+20', '-view-az030-el20', '-view-az030-el+20-2', '-turntable']) assert.doesNotMatch(other, whole);
  });

  for (const layout of ['zero123plus-v1.2', 'zero123plus-v1.1'] as const) {
    test(`${layout}: file names sort by azimuth`, () => {
      const poses = viewPoses(layout);
      const names = poses.map((pose) => `mug-multiview-657${viewFileSuffix(pose)}.png`);
      const byName = [...names].sort();
      assert.deepEqual(byName, names, 'plain string sort');
      assert.deepEqual([...names].sort((a, b) => a.localeCompare(b)), names, 'locale sort, as file managers do');
      assert.deepEqual(poses.map((pose) => pose.azimuthDegrees), [...poses.map((pose) => pose.azimuthDegrees)].sort((a, b) => a - b));
    });
  }

  test('signedDegrees', () => {
    assert.equal(signedDegrees(20), '+20');
    assert.equal(signedDegrees(-10), '-10');
    assert.equal(signedDegrees(0), '+0');
  });
});
