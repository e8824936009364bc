/**
 * "Make Views Transparent": the result's six views cut out of the model's grey backdrop, locally (no credit spent),
 * written beside the views and never over them: `<stem>-transparent.png` (the grid) and
 * `<stem>-transparent-view-az030-el+20.png` … in the order of the sidecar's views. The other exports, the panel and
 * Make 3D Model (`multi_image`) use them from then on.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { viewFileSuffix } from '../../grid';
import { writeNewFiles } from '../../outputFiles';
import { derivedStem } from '../resultFiles';
import type { ResultExport } from './resultExport';

export class NoViewsError extends Error {
  override name = 'NoViewsError';
}

export const transparentViewsExport: ResultExport<void> = {
  kind: 'transparent-views',
  async make(saved, _options, { engine, signal }) {
    const { views } = saved.sidecar;
    if (views.length === 0) {
      throw new NoViewsError(l10n.t('This result has no saved views to make transparent.'));
    }
    const made = await engine.makeViewsTransparent(new Uint8Array(await fs.readFile(saved.gridPath)), signal);
    // The worker cuts the grid as the views were cut (viewRects of its measured size): pair them by rectangle.
    const files = [
      { suffix: '.png', content: made.grid },
      ...views.map((view) => ({ suffix: `${viewFileSuffix(view)}.png`, content: made.views[view.index] })),
    ];
    if (files.some((file) => file.content === undefined)) {
      throw new NoViewsError(l10n.t('The grid no longer matches the views its sidecar lists.'));
    }
    const paths = await writeNewFiles(path.dirname(saved.gridPath), derivedStem(saved.sidecarPath, 'transparentViews'), files, signal);
    const backdrops = views.map((view) => made.stats[view.index]);
    return { paths, notes: [], details: { method: 'backdrop-key', views: backdrops } };
  },
};
