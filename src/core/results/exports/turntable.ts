/**
 * The turntable of a saved result (the input, then the six views by azimuth; the transparent views when the result
 * has them), looping, at the speed chosen in the panel, in two formats from one decoding: `<stem>-turntable.gif`
 * (plays everywhere, 256 colours, 1-bit transparency) and `<stem>-turntable.png`, an animated PNG (every colour and
 * soft edges; lossless, so larger). Animated WebP would be smaller, but nothing the extension ships can encode it
 * (src/image/codecs/apng.ts). Encoded in the image worker.
 */
import { promises as fs } from 'node:fs';
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { writeNewFiles } from '../../outputFiles';
import { derivedStem } from '../resultFiles';
import { viewsForExport } from '../resultViews';
import type { ResultExport } from './resultExport';

export interface TurntableOptions {
  framesPerSecond: number;
}

export const turntableExport: ResultExport<TurntableOptions> = {
  kind: 'turntable',
  async make(saved, { framesPerSecond }, { engine, signal }) {
    const { views, transparent } = await viewsForExport(saved);
    const bytes = await Promise.all(views.map(async (view) => new Uint8Array(await fs.readFile(view.path))));
    const turntable = await engine.encodeTurntable({ inputPath: saved.sourceImagePath, views: bytes, framesPerSecond, formats: ['gif', 'apng'] }, signal);
    const files = [
      { suffix: '.gif', content: turntable.gif },
      { suffix: '.png', content: turntable.apng },
    ];
    const paths = await writeNewFiles(path.dirname(saved.gridPath), derivedStem(saved.sidecarPath, 'turntable'), files, signal);
    const notes = turntable.inputSkipped ? [l10n.t('The input image could not be read: the turntable shows the six views only.')] : [];
    return { paths, notes, details: { framesPerSecond, frames: turntable.frames, width: turntable.width, height: turntable.height, transparent, formats: ['gif', 'apng'] } };
  },
};
