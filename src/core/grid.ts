/**
 * The result grid's geometry and camera poses: 3 rows x 2 columns of views, row-major, in the Zero123++ camera
 * layout (azimuths 30°, 90°, …, 330° relative to the input; elevations alternating up and down). Pure: no
 * `vscode`, no image decoding; the pixels are cut in image/codecs.ts.
 */

export type CameraLayout = 'zero123plus-v1.2' | 'zero123plus-v1.1';

export const CAMERA_LAYOUTS: readonly CameraLayout[] = ['zero123plus-v1.2', 'zero123plus-v1.1'];
export const DEFAULT_CAMERA_LAYOUT: CameraLayout = 'zero123plus-v1.2';

export const GRID_ROWS = 3;
export const GRID_COLUMNS = 2;

export interface ViewPose {
  /** 0–5, row-major. */
  index: number;
  row: number;
  column: number;
  azimuthDegrees: number;
  elevationDegrees: number;
}

export interface ViewRect {
  x: number;
  y: number;
  width: number;
  height: number;
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

/** Cut points of `length` into `parts` integer spans that differ by at most 1 and add up to `length`. */
function cuts(length: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.floor((i * length) / parts));
}

/**
 * The six views' rectangles in a grid of the given (measured) size, row-major. They tile the image exactly: when
 * a side does not divide evenly, the spare pixels are spread so that tiles differ by at most 1 px.
 */
export function viewRects(width: number, height: number): ViewRect[] {
  const xs = cuts(width, GRID_COLUMNS);
  const ys = cuts(height, GRID_ROWS);
  const rects: ViewRect[] = [];
  for (let row = 0; row < GRID_ROWS; row++) {
    for (let column = 0; column < GRID_COLUMNS; column++) {
      rects.push({ x: xs[column], y: ys[row], width: xs[column + 1] - xs[column], height: ys[row + 1] - ys[row] });
    }
  }
  return rects;
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
