/**
 * The views' transforms.json (src/core/results/formats/transformsJson.ts), checked from the file alone as a reconstruction tool
 * reads it: each matrix's camera recovered (azimuth, elevation, distance), the origin projected through the inverse
 * of the matrix and the intrinsics onto the image centre, no roll, and the intrinsics against the published fields of
 * view of both layouts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transformsJson } from '../../src/core/results/formats/transformsJson';
import { CAMERA_LAYOUTS, viewFileSuffix, viewPoses, type CameraLayout } from '../../src/core/grid';

interface TransformsFile {
  camera_angle_x: number;
  camera_angle_y: number;
  fl_x: number;
  fl_y: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
  frames: Array<{ file_path: string; transform_matrix: number[][] }>;
  multiview: { layout: string; camera_distance: number; distance_rule: string; azimuth_zero: string; sources: string[] };
}

const PUBLISHED_FOV_DEGREES: Record<CameraLayout, number> = { 'zero123plus-v1.2': 30, 'zero123plus-v1.1': 49.13434264120263 };
const DEGREES = 180 / Math.PI;
const CLOSE = 1e-9;

function viewFiles(layout: CameraLayout): string[] {
  return viewPoses(layout).map((pose) => `mug${viewFileSuffix(pose)}.png`);
}

function load(layout: CameraLayout, width = 320, height = 320): TransformsFile {
  return JSON.parse(transformsJson({ layout, width, height, viewFiles: viewFiles(layout) }).json) as TransformsFile;
}

/** Gauss-Jordan inverse of a 4x4 matrix (no assumption that it is a rigid transform). */
function invert(matrix: number[][]): number[][] {
  const rows = matrix.map((row, i) => [...row, ...[0, 1, 2, 3].map((j) => (i === j ? 1 : 0))]);
  for (let column = 0; column < 4; column++) {
    let pivot = column;
    for (let r = column + 1; r < 4; r++) {
      if (Math.abs(rows[r][column]) > Math.abs(rows[pivot][column])) {
        pivot = r;
      }
    }
    [rows[column], rows[pivot]] = [rows[pivot], rows[column]];
    const scale = rows[column][column];
    assert.ok(Math.abs(scale) > 1e-12, 'the matrix is invertible');
    rows[column] = rows[column].map((value) => value / scale);
    for (let r = 0; r < 4; r++) {
      if (r !== column) {
        const factor = rows[r][column];
        rows[r] = rows[r].map((value, j) => value - factor * rows[column][j]);
      }
    }
  }
  return rows.map((row) => row.slice(4));
}

function transform(matrix: number[][], point: number[]): number[] {
  return matrix.map((row) => row[0] * point[0] + row[1] * point[1] + row[2] * point[2] + row[3] * point[3]);
}

function column(matrix: number[][], index: number): number[] {
  return [matrix[0][index], matrix[1][index], matrix[2][index]];
}

function length(vector: number[]): number {
  return Math.hypot(...vector);
}

function dot(a: number[], b: number[]): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Pixel coordinates (x right, y down) of a world point, OpenGL camera axes (looking down -Z, +Y up). */
function project(file: TransformsFile, matrix: number[][], point: number[]): { u: number; v: number; depth: number } {
  const [x, y, z] = transform(invert(matrix), [...point, 1]);
  return { u: file.cx + (file.fl_x * x) / -z, v: file.cy - (file.fl_y * y) / -z, depth: -z };
}

describe('transforms.json of the six views', () => {
  for (const layout of CAMERA_LAYOUTS) {
    test(`${layout}: intrinsics from the published field of view, principal point at the centre`, () => {
      const file = load(layout, 320, 320);
      const fov = PUBLISHED_FOV_DEGREES[layout];
      assert.equal(file.w, 320);
      assert.equal(file.h, 320);
      assert.equal(file.cx, 160);
      assert.equal(file.cy, 160);
      assert.ok(Math.abs(file.camera_angle_x * DEGREES - fov) < CLOSE);
      assert.ok(Math.abs(file.camera_angle_y * DEGREES - fov) < CLOSE);
      assert.ok(Math.abs(file.fl_x - 160 / Math.tan(file.camera_angle_x / 2)) < CLOSE);
      assert.ok(Math.abs(file.fl_y - 160 / Math.tan(file.camera_angle_y / 2)) < CLOSE);
      assert.equal(file.multiview.layout, layout);
      assert.match(file.multiview.distance_rule, /radius 1/);
    });

    test(`${layout}: each matrix is the view's pose, looking at the origin without roll`, () => {
      const file = load(layout);
      const poses = viewPoses(layout);
      assert.deepEqual(file.frames.map((frame) => frame.file_path), viewFiles(layout));
      file.frames.forEach((frame, index) => {
        const matrix = frame.transform_matrix;
        assert.deepEqual(matrix[3], [0, 0, 0, 1]);
        const [right, up, back, position] = [0, 1, 2, 3].map((i) => column(matrix, i));
        for (const axis of [right, up, back]) {
          assert.ok(Math.abs(length(axis) - 1) < CLOSE, 'unit axes');
        }
        assert.ok(Math.abs(dot(right, up)) < CLOSE && Math.abs(dot(up, back)) < CLOSE && Math.abs(dot(back, right)) < CLOSE, 'orthogonal axes');
        assert.ok(Math.abs(right[1]) < CLOSE, 'the right vector is level: no roll');
        assert.ok(up[1] > 0, 'the image is upright');

        const distance = length(position);
        assert.ok(Math.abs(distance - file.multiview.camera_distance) < 1e-6);
        // The rule: a sphere of radius 1 at the origin just fills the field of view.
        assert.ok(Math.abs(Math.asin(1 / distance) - file.camera_angle_x / 2) < 1e-9);
        const azimuth = (Math.atan2(position[0], position[2]) * DEGREES + 360) % 360;
        const elevation = Math.asin(position[1] / distance) * DEGREES;
        assert.ok(Math.abs(azimuth - poses[index].azimuthDegrees) < 1e-6, `azimuth ${azimuth} of view ${index}`);
        assert.ok(Math.abs(elevation - poses[index].elevationDegrees) < 1e-6, `elevation ${elevation} of view ${index}`);
        // The camera looks down its -Z, at the origin.
        assert.ok(Math.abs(dot(back, position) / distance - 1) < 1e-9);

        const origin = project(file, matrix, [0, 0, 0]);
        assert.ok(origin.depth > 0, 'the origin is in front of the camera');
        assert.ok(Math.abs(origin.u - file.cx) < 1e-6 && Math.abs(origin.v - file.cy) < 1e-6, 'the origin is at the image centre');
        const above = project(file, matrix, [0, 0.5, 0]);
        assert.ok(above.v < origin.v, 'a point above the object is higher in the picture');
      });
    });
  }

  test('azimuth 0 is the input camera on +Z; positive azimuth turns counter-clockwise seen from above (+Z towards +X)', () => {
    const file = load('zero123plus-v1.2');
    const positions = file.frames.map((frame) => column(frame.transform_matrix, 3));
    const at90 = positions[1];
    assert.ok(at90[0] > 0 && Math.abs(at90[2]) < 1e-9, 'the 90 degree view is on +X');
    const at30 = positions[0];
    assert.ok(at30[0] > 0 && at30[2] > 0);
    // Seen from +Y, the camera's heading turns by +60 degrees between consecutive views (counter-clockwise).
    const heading = (p: number[]): number => Math.atan2(p[0], p[2]);
    for (let i = 1; i < positions.length; i++) {
      const step = ((heading(positions[i]) - heading(positions[i - 1])) * DEGREES + 360) % 360;
      assert.ok(Math.abs(step - 60) < 1e-6);
    }
    assert.match(file.multiview.azimuth_zero, /input/);
  });

  test('a view that is not square: the same angle spans each side, so the focal lengths differ', () => {
    const file = load('zero123plus-v1.2', 320, 240);
    assert.equal(file.cx, 160);
    assert.equal(file.cy, 120);
    assert.ok(Math.abs(file.fl_x - 160 / Math.tan(Math.PI / 12)) < CLOSE);
    assert.ok(Math.abs(file.fl_y - 120 / Math.tan(Math.PI / 12)) < CLOSE);
  });

  test('six view files are required', () => {
    assert.throws(() => transformsJson({ layout: 'zero123plus-v1.2', width: 320, height: 320, viewFiles: ['a.png'] }), RangeError);
  });
});
