/**
 * The result grid's camera poses and the names of its views: 3 rows x 2 columns (src/shared/gridGeometry.ts), in the Zero123++ camera
 * layout (azimuths 30°, 90°, …, 330° relative to the input; elevations alternating up and down). Pure: no
 * `vscode`, no image decoding; the pixels are cut in the image worker (src/image/ops/gridOps.ts).
 */
import { GRID_COLUMNS } from '../shared/gridGeometry';

export type CameraLayout = 'zero123plus-v1.2' | 'zero123plus-v1.1';

export const CAMERA_LAYOUTS: readonly CameraLayout[] = ['zero123plus-v1.2', 'zero123plus-v1.1'];
export const DEFAULT_CAMERA_LAYOUT: CameraLayout = 'zero123plus-v1.2';


export interface ViewPose {
  /** 0–5, row-major. */
  index: number;
  row: number;
  column: number;
  azimuthDegrees: number;
  elevationDegrees: number;
}


const AZIMUTHS = [30, 90, 150, 210, 270, 330] as const;
/** [up, down], alternating from the first view. */
const ELEVATIONS: Record<CameraLayout, readonly [number, number]> = {
  'zero123plus-v1.2': [20, -10],
  'zero123plus-v1.1': [30, -20],
};

/** A known layout, or the default for anything else (a hand-edited setting). */
export function parseCameraLayout(value: unknown): CameraLayout {
  return CAMERA_LAYOUTS.includes(value as CameraLayout) ? (value as CameraLayout) : DEFAULT_CAMERA_LAYOUT;
}

/** The six poses in the grid's row-major order (which is also azimuth order). */
export function viewPoses(layout: CameraLayout): ViewPose[] {
  const elevations = ELEVATIONS[layout];
  return AZIMUTHS.map((azimuthDegrees, index) => ({
    index,
    row: Math.floor(index / GRID_COLUMNS),
    column: index % GRID_COLUMNS,
    azimuthDegrees,
    elevationDegrees: elevations[index % 2],
  }));
}

/** `+20`, `-10`, `+0`. */
export function signedDegrees(degrees: number): string {
  return degrees < 0 ? `-${Math.abs(degrees)}` : `+${degrees}`;
}

/**
 * The file-name suffix of a view, e.g. `-view-az030-el+20`: the azimuth zero-padded to three digits so names sort
 * by azimuth, and the elevation with its sign.
 */
export function viewFileSuffix(pose: Pick<ViewPose, 'azimuthDegrees' | 'elevationDegrees'>): string {
  const azimuth = String(Math.round(pose.azimuthDegrees)).padStart(3, '0');
  const elevation = Math.round(pose.elevationDegrees);
  const sign = elevation < 0 ? '-' : '+';
  return `-view-az${azimuth}-el${sign}${String(Math.abs(elevation)).padStart(2, '0')}`;
}

/** What viewFileSuffix produces, as a regular expression source (to recognise a result's own view files). */
export const VIEW_FILE_SUFFIX_PATTERN = '-view-az\\d{3}-el[+-]\\d+';
