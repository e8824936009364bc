/** The 3D viewer's texts, translated here (the viewer itself has only the English defaults). No `vscode`. */
import * as l10n from '@vscode/l10n';
import type { ViewerTexts } from '../../shared/viewerMessages';

export function viewerTexts(): ViewerTexts {
  return {
    stageLabel: l10n.t(
      '3D view of {0}. Drag to orbit, right-drag or Shift-drag to pan, scroll to zoom. Arrow keys orbit, Shift+arrow keys pan, + and - zoom, R or Home resets the view, Space turns auto-rotate on or off.',
      '{0}',
    ),
    hint: l10n.t('Drag to orbit · right-drag or Shift-drag to pan · scroll to zoom · keys: arrows, Shift+arrows, + −, R, Space'),
    resetView: l10n.t('Reset View'),
    autoRotate: l10n.t('Auto-rotate'),
    zUp: l10n.t('Z Up'),
    loading: l10n.t('Loading {0}…', '{0}'),
    info: l10n.t('{0} × {1} × {2} units · {3} triangles · {4} vertices · {5}', '{0}', '{1}', '{2}', '{3}', '{4}', '{5}'),
    infoPoints: l10n.t('{0} × {1} × {2} units · {3} points · {4}', '{0}', '{1}', '{2}', '{3}', '{4}'),
    errorWebglUnavailable: l10n.t(
      'The 3D view needs WebGL, which is not available here. Check that hardware acceleration is not turned off for VS Code (the disable-hardware-acceleration runtime argument), or open the model in another 3D tool.',
    ),
    errorNotAModel: l10n.t('{0} is not a {1} model the viewer can read: the file may be damaged, incomplete, or a different kind of file with a model’s name.', '{0}', '{1}'),
    errorEmptyModel: l10n.t('{0} opened, but it contains no surfaces or points to show.', '{0}'),
    errorUnsupportedFeature: l10n.t(
      '{0} uses compression or a texture format that this viewer does not include (Draco, meshopt or KTX2). Open it in Blender or another 3D tool.',
      '{0}',
    ),
    errorResourceUnavailable: l10n.t('A file that {0} needs could not be read (for a .gltf: its .bin or texture files, which must sit beside it).', '{0}'),
  };
}
