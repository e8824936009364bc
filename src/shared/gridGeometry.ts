/**
 * The result grid's geometry, for every layer that needs it (the pipeline names and labels the views, the image
 * worker checks and cuts the grid): 3 rows x 2 columns of views, row-major, split by the grid's measured size.
 */

export const GRID_ROWS = 3;
export const GRID_COLUMNS = 2;

/** A rectangle of pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A view smaller than this, on either side, is not a usable result. */
export const MIN_VIEW_SIDE = 64;
/** The model's native grid: 2 columns x 3 rows of square views (640 x 960 at 320 px a view). */
const NATIVE_ASPECT = GRID_COLUMNS / GRID_ROWS;
/** How far a grid's aspect may be from the expected one (the rounding of odd sizes). */
const ASPECT_TOLERANCE = 0.02;

/** Cut points of `length` into `parts` integer spans that differ by at most 1 and add up to `length`. */
function cuts(length: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.floor((i * length) / parts));
}

/**
 * The six views' rectangles in a grid of the given (measured) size, row-major. They tile the image exactly: when
 * a side does not divide evenly, the spare pixels are spread so that tiles differ by at most 1 px.
 */
export function viewRects(width: number, height: number): Rect[] {
  const xs = cuts(width, GRID_COLUMNS);
  const ys = cuts(height, GRID_ROWS);
  const rects: Rect[] = [];
  for (let row = 0; row < GRID_ROWS; row++) {
    for (let column = 0; column < GRID_COLUMNS; column++) {
      rects.push({ x: xs[column], y: ys[row], width: xs[column + 1] - xs[column], height: ys[row + 1] - ys[row] });
    }
  }
  return rects;
}

/**
 * True when a grid of this size is a result of the request: the requested aspect (a 1024 x 1024 grid has stretched
 * views) or the native 2:3 (a service may ignore the size asked for), with views of at least MIN_VIEW_SIDE.
 */
export function isGridShape(width: number, height: number, requested?: { width: number; height: number }): boolean {
  const aspect = width / height;
  const expected = [NATIVE_ASPECT, ...(requested ? [requested.width / requested.height] : [])];
  return (
    expected.some((candidate) => Math.abs(aspect / candidate - 1) <= ASPECT_TOLERANCE) &&
    Math.floor(width / GRID_COLUMNS) >= MIN_VIEW_SIDE &&
    Math.floor(height / GRID_ROWS) >= MIN_VIEW_SIDE
  );
}
