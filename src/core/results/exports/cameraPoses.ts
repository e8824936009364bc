/**
 * "Export Camera Poses": the six views' cameras as `<stem>-transforms.json` (instant-ngp / nerfstudio), in the camera
 * layout the result was labelled with (`multiview.cameraLayout`, recorded in its sidecar), each frame's file_path the
 * view file beside it (the transparent one when the result has them). No pixels: nothing runs in the worker.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { writeNewFiles } from '../../outputFiles';
import { transformsJson } from '../formats/transformsJson';
import { derivedStem } from '../resultFiles';
import { viewsForExport } from '../resultViews';
import type { ResultExport } from './resultExport';
import { NoViewsError } from './transparentViews';

export const cameraPosesExport: ResultExport<void> = {
  kind: 'camera-poses',
  async make(saved, _options, { signal }) {
    const { views, transparent } = await viewsForExport(saved);
    if (views.length === 0) {
      throw new NoViewsError(l10n.t('This result has no saved views to export.'));
    }
    const layout = saved.sidecar.cameraLayout;
    const { width, height } = views[0].rect;
    const poses = transformsJson({ layout, width, height, viewFiles: views.map((view) => path.basename(view.path)) });
    const paths = await writeNewFiles(path.dirname(saved.gridPath), derivedStem(saved.sidecarPath, 'cameraPoses'), [{ suffix: '.json', content: poses.json }], signal);
    return { paths, notes: [], details: { layout, cameraDistance: poses.cameraDistance, fieldOfViewDegrees: poses.fieldOfViewDegrees, transparent } };
  },
};
