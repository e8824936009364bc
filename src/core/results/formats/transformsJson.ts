/**
 * The six views' cameras as a `transforms.json` in the instant-ngp / nerfstudio convention, so a reconstruction
 * (NeRF, Gaussian splatting) can start from the views without estimating poses. Pure: no pixels, no `vscode`.
 *
 * What is published (SUDO-AI-3D/zero123plus README, "Camera Poses", and its issues #47 and #68):
 * - azimuths 30, 90, …, 330 degrees relative to the input view; elevations absolute (src/core/grid.ts);
 * - v1.2: elevations 20/-10, field of view 30 degrees;
 * - v1.1: elevations 30/-20, field of view that of Zero-1-to-3, 2·atan(16/35) = 49.13 degrees (#68);
 * - principal point at the image centre (#47).
 * What is not published, and decided here:
 * - World: Y up, the object at the origin, the input camera (azimuth 0) on +Z looking at it. Positive azimuth turns
 *   the camera counter-clockwise seen from above (from +Z towards +X), the direction TencentARC/InstantMesh, a
 *   reconstructor trained on Zero123++ v1.2's views, uses (src/utils/camera_util.py `spherical_camera_pose`:
 *   x = cos(el)·cos(az), y = cos(el)·sin(az) with Z up, rotated here to Y up).
 * - No roll: every camera's right vector is level (the views are rendered with a level up vector).
 * - Distance: the object normalized to fit a sphere of radius 1 at the origin, and that sphere just filling the view:
 *   d = 1 / sin(fov / 2) (3.86 for v1.2, where InstantMesh uses 4.0; 2.41 for v1.1). Only the scale of the scene
 *   depends on it; directions and intrinsics do not.
 * - Cameras: OpenGL axes (the camera looks down its -Z, +Y up, +X right), camera-to-world, as both tools read them.
 * nerfstudio and instant-ngp ignore keys they do not know, so the decisions travel in a `multiview` object.
 */
import { viewPoses, type CameraLayout } from '../../grid';

export interface TransformsJsonInput {
  layout: CameraLayout;
  /** One view's size in pixels (all six share it). */
  width: number;
  height: number;
  /** Six paths relative to the JSON file, in azimuth order (the grid's row-major order). */
  viewFiles: string[];
}

export interface TransformsJson {
  /** The file's text. */
  json: string;
  cameraDistance: number;
  fieldOfViewDegrees: number;
}

type Matrix4 = [number[], number[], number[], number[]];

const FIELD_OF_VIEW_DEGREES: Record<CameraLayout, number> = {
  'zero123plus-v1.2': 30,
  'zero123plus-v1.1': (2 * Math.atan(16 / 35) * 180) / Math.PI,
};

const DISTANCE_RULE =
  'The object is normalized to fit a sphere of radius 1 at the origin; the camera is at the distance where that sphere just fills the field of view: 1 / sin(fov / 2).';
const AZIMUTH_RULE =
  'Azimuth 0 is the input picture\'s camera, on +Z looking at the origin; positive azimuth turns the camera counter-clockwise seen from above (+Y), from +Z towards +X. Elevation is positive above the horizon. No roll.';
const SOURCES = [
  'https://github.com/SUDO-AI-3D/zero123plus#camera-poses',
  'https://github.com/SUDO-AI-3D/zero123plus/issues/68',
  'https://github.com/SUDO-AI-3D/zero123plus/issues/47',
  'https://github.com/TencentARC/InstantMesh/blob/main/src/utils/camera_util.py',
];

export function transformsJson(input: TransformsJsonInput): TransformsJson {
  const { layout, width, height, viewFiles } = input;
  const poses = viewPoses(layout);
  if (viewFiles.length !== poses.length) {
    throw new RangeError(`${poses.length} view files expected, got ${viewFiles.length}`);
  }
  const fieldOfViewDegrees = FIELD_OF_VIEW_DEGREES[layout];
  const halfAngle = (fieldOfViewDegrees * Math.PI) / 360;
  const cameraDistance = 1 / Math.sin(halfAngle);
  const angle = (fieldOfViewDegrees * Math.PI) / 180;
  // The model renders square views; a view of another shape is that render stretched, so the field of view spans
  // both sides and the focal lengths differ.
  const data = {
    camera_model: 'OPENCV',
    camera_angle_x: angle,
    camera_angle_y: angle,
    fl_x: width / 2 / Math.tan(halfAngle),
    fl_y: height / 2 / Math.tan(halfAngle),
    cx: width / 2,
    cy: height / 2,
    w: width,
    h: height,
    frames: poses.map((pose, index) => ({
      file_path: viewFiles[index],
      transform_matrix: cameraToWorld(pose.azimuthDegrees, pose.elevationDegrees, cameraDistance).map((row) => row.map(tidy)),
    })),
    multiview: {
      layout,
      field_of_view_degrees: fieldOfViewDegrees,
      camera_distance: cameraDistance,
      distance_rule: DISTANCE_RULE,
      azimuth_zero: 'the input picture\'s view',
      azimuth_rule: AZIMUTH_RULE,
      world: 'Y up, object at the origin, OpenGL camera axes (looks down -Z), camera-to-world matrices',
      views: poses.map((pose) => ({ azimuth_degrees: pose.azimuthDegrees, elevation_degrees: pose.elevationDegrees })),
      sources: SOURCES,
    },
  };
  return { json: JSON.stringify(data, null, 2) + '\n', cameraDistance, fieldOfViewDegrees };
}

/** A camera at (azimuth, elevation, distance) looking at the origin with a level right vector, camera-to-world. */
function cameraToWorld(azimuthDegrees: number, elevationDegrees: number, distance: number): Matrix4 {
  const azimuth = (azimuthDegrees * Math.PI) / 180;
  const elevation = (elevationDegrees * Math.PI) / 180;
  // Camera +Z points from the origin to the camera (it looks down -Z, at the origin).
  const back = [Math.cos(elevation) * Math.sin(azimuth), Math.sin(elevation), Math.cos(elevation) * Math.cos(azimuth)];
  // right = normalize(worldUp x back): level by construction.
  const right = [Math.cos(azimuth), 0, -Math.sin(azimuth)];
  const up = cross(back, right);
  const position = back.map((component) => component * distance);
  return [
    [right[0], up[0], back[0], position[0]],
    [right[1], up[1], back[1], position[1]],
    [right[2], up[2], back[2], position[2]],
    [0, 0, 0, 1],
  ];
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** 12 decimals: exact to far below a pixel, and `6.1e-17` noise from cos(90°) written as 0. */
function tidy(value: number): number {
  const rounded = Math.round(value * 1e12) / 1e12;
  return rounded === 0 ? 0 : rounded;
}
