/**
 * "Export Sprite Sheet": the views in turning order (azimuth 30° to 330°; the transparent ones when the result has
 * them), the input first when asked, packed into one PNG atlas with padding and extruded edges so texture filtering
 * does not bleed between frames: `<stem>-spritesheet.png`, its TexturePacker JSON Hash `.json` (Phaser, PixiJS) and a
 * Godot 4 SpriteFrames `.tres`, side by side. Packed in the image worker.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeNewFiles } from '../../outputFiles';
import { godotSpriteFrames, INPUT_FRAME_NAME, texturePackerJsonHash, viewFrameName } from '../formats/spriteSheetData';
import { derivedStem } from '../resultFiles';
import { viewsForExport } from '../resultViews';
import type { ResultExport } from './resultExport';
import { NoViewsError } from './transparentViews';

export interface SpriteSheetOptions {
  /** The input picture as the first frame. */
  includeInput: boolean;
  /** The Godot animation's speed (the panel's turntable speed). */
  framesPerSecond: number;
}

export const spriteSheetExport: ResultExport<SpriteSheetOptions> = {
  kind: 'sprite-sheet',
  async make(saved, options, { engine, signal }) {
    const { views, transparent } = await viewsForExport(saved);
    if (views.length === 0) {
      throw new NoViewsError(l10n.t('This result has no saved views to export.'));
    }
    const frames = await Promise.all(views.map(async (view) => ({ name: viewFrameName(view), png: new Uint8Array(await fs.readFile(view.path)) })));
    const sheet = await engine.encodeSpriteSheet({ frames, ...(options.includeInput ? { input: { path: saved.sourceImagePath, name: INPUT_FRAME_NAME } } : {}) }, signal);
    const stem = derivedStem(saved.sidecarPath, 'spriteSheet');
    const layout = (finalStem: string) => ({ imageFileName: `${finalStem}.png`, width: sheet.width, height: sheet.height, frames: sheet.frames });
    const paths = await writeNewFiles(
      path.dirname(saved.gridPath),
      stem,
      [
        { suffix: '.png', content: sheet.png },
        // The data files name the atlas by its final name (`…-spritesheet-2.png` when the first is taken).
        { suffix: '.json', content: (finalStem) => texturePackerJsonHash(layout(finalStem)) },
        { suffix: '.tres', content: (finalStem) => godotSpriteFrames(layout(finalStem), { framesPerSecond: options.framesPerSecond }) },
      ],
      signal,
    );
    const notes = sheet.inputSkipped ? [l10n.t('The input image could not be read: the sprite sheet holds the six views only.')] : [];
    return {
      paths,
      notes,
      details: { frames: sheet.frames.map((frame) => frame.name), width: sheet.width, height: sheet.height, transparent, includeInput: options.includeInput, formats: ['texturepacker-json-hash', 'godot-spriteframes'] },
    };
  },
};
