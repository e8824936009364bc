/** The shape check of a downloaded grid, as a problem: used in the worker (gridOps.ts) and on the host (a PNG checked as it downloads). */
import { isGridShape, MIN_VIEW_SIDE } from '../shared/gridGeometry';
import type { ImageProblem } from './problems';

/** `wrong-size-grid` when a grid of this size is not a result of the request (see `isGridShape`). */
export function gridShapeProblem(width: number, height: number, requested?: { width: number; height: number }): ImageProblem | undefined {
  if (isGridShape(width, height, requested)) {
    return undefined;
  }
  const expected = requested ?? { width: 640, height: 960 };
  return { reason: 'wrong-size-grid', details: { width, height, expectedWidth: expected.width, expectedHeight: expected.height, minViewSide: MIN_VIEW_SIDE } };
}
