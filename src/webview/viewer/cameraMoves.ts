// Camera arithmetic for the viewer: framing a model on load and the keyboard's orbit, pan and zoom steps. The
// world's up is +y (a Z-up file is turned before it gets here), so orbiting is spherical around the target.
import { MathUtils, type PerspectiveCamera, Spherical, Vector3 } from 'three';

/** The home view's direction: a three-quarter view from the front right, a little from above. */
const HOME_AZIMUTH_DEGREES = 35;
const HOME_ELEVATION_DEGREES = 20;
/** Space left around the bounding sphere when framing (1 = the sphere touches the view's edges). */
const FRAME_MARGIN = 1.15;
/** Polar limits, so orbiting never flips over a pole. */
export const MIN_POLAR_ANGLE = 0.01;
export const MAX_POLAR_ANGLE = Math.PI - 0.01;

export interface CameraPose {
  readonly position: Vector3;
  readonly target: Vector3;
}

export interface Framing {
  readonly home: CameraPose;
  /** How close and how far the camera may get from the target. */
  readonly minDistance: number;
  readonly maxDistance: number;
  readonly near: number;
  readonly far: number;
}

/** The distance at which a sphere of `radius` fills the view of a camera with this field of view and aspect. */
export function fittingDistance(radius: number, verticalFovDegrees: number, aspect: number): number {
  const vertical = MathUtils.degToRad(verticalFovDegrees);
  const horizontal = 2 * Math.atan(Math.tan(vertical / 2) * aspect);
  return (radius * FRAME_MARGIN) / Math.sin(Math.min(vertical, horizontal) / 2);
}

/** The home view and limits for a model centred on the origin with a bounding sphere of `radius`. */
export function frameSphere(radius: number, verticalFovDegrees: number, aspect: number): Framing {
  const safeRadius = radius > 0 && Number.isFinite(radius) ? radius : 1;
  const distance = fittingDistance(safeRadius, verticalFovDegrees, aspect);
  const direction = new Vector3().setFromSpherical(
    new Spherical(1, MathUtils.degToRad(90 - HOME_ELEVATION_DEGREES), MathUtils.degToRad(HOME_AZIMUTH_DEGREES)),
  );
  return {
    home: { position: direction.multiplyScalar(distance), target: new Vector3() },
    minDistance: safeRadius * 0.05,
    maxDistance: distance * 20,
    near: safeRadius * 0.01,
    far: distance * 20 + safeRadius * 2,
  };
}

/**
 * Turns the view as a drag would: the model turns right by `right` and tips up by `up` (radians), the camera going
 * around the target the other way; never past a pole.
 */
export function orbit(camera: PerspectiveCamera, target: Vector3, right: number, up: number): void {
  const offset = camera.position.clone().sub(target);
  const spherical = new Spherical().setFromVector3(offset);
  spherical.theta -= right;
  spherical.phi = MathUtils.clamp(spherical.phi + up, MIN_POLAR_ANGLE, MAX_POLAR_ANGLE);
  camera.position.copy(target).add(offset.setFromSpherical(spherical));
  camera.lookAt(target);
}

/** Slides the model on screen right and up by fractions of the visible height at the target (camera and target move). */
export function pan(camera: PerspectiveCamera, target: Vector3, right: number, up: number): void {
  const distance = camera.position.distanceTo(target);
  const visibleHeight = 2 * distance * Math.tan(MathUtils.degToRad(camera.fov) / 2);
  camera.updateMatrix();
  const move = new Vector3()
    .setFromMatrixColumn(camera.matrix, 0)
    .multiplyScalar(-right * visibleHeight)
    .add(new Vector3().setFromMatrixColumn(camera.matrix, 1).multiplyScalar(-up * visibleHeight));
  camera.position.add(move);
  target.add(move);
}

/** Moves the camera toward the target (factor < 1) or away (> 1), within the distance limits. */
export function dolly(camera: PerspectiveCamera, target: Vector3, factor: number, minDistance: number, maxDistance: number): void {
  const offset = camera.position.clone().sub(target);
  const distance = MathUtils.clamp(offset.length() * factor, minDistance, maxDistance);
  camera.position.copy(target).add(offset.setLength(distance));
}
