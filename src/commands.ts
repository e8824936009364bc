/**
 * Every command id of the extension, in one place. Each is declared in package.json's `contributes.commands` (a unit
 * test holds the two equal) and handled in main.ts, whose handler map must cover all of them (a type checks it).
 */
import type { ExportKind } from './shared/exportKinds';

export const COMMANDS = {
  generate: 'multiview.generate',
  generateFromExplorer: 'multiview.generateFromExplorer',
  /** Runs a saved result's parameters again (History's "Generate Again" items); argument: RegenerateArgument. */
  regenerate: 'multiview.regenerate',
  setApiKey: 'multiview.setApiKey',
  clearApiKey: 'multiview.clearApiKey',
  showRunningJobs: 'multiview.showRunningJobs',
  tryWithSample: 'multiview.tryWithSample',
  openResult: 'multiview.openResult',
  /** A 3D model of a saved result (argument: its sidecar's Uri; without one, the user picks a result). */
  makeModel: 'multiview.makeModel',
  /** The photo's subject alone, on a transparent background (Explorer and editor-tab context menus on images). */
  removeBackground: 'multiview.removeBackground',
  /** A .glb/.gltf/.obj/.stl/.ply file in the 3D model viewer (Explorer context menu). */
  openModel: 'multiview.openModel',
  historyRefresh: 'multiview.history.refresh',
  historyGenerateAgain: 'multiview.history.generateAgain',
  historyGenerateAgainWithNewSeed: 'multiview.history.generateAgainWithNewSeed',
  historyReveal: 'multiview.history.revealInExplorer',
  historyDelete: 'multiview.history.delete',
  historyMakeModel: 'multiview.history.makeModel',
  /**
   * The free exports of a saved result (src/vscode/exports/exportCommands.ts). Arguments: a sidecar's Uri and the
   * panel's options (the panel), the clicked row and the selection (the History view), or none (a pick).
   */
  makeViewsTransparent: 'multiview.makeViewsTransparent',
  exportTurntable: 'multiview.exportTurntable',
  exportSpriteSheet: 'multiview.exportSpriteSheet',
  exportCameraPoses: 'multiview.exportCameraPoses',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** The command of each free export (the panel's buttons run them too). */
export const EXPORT_COMMANDS = {
  'transparent-views': COMMANDS.makeViewsTransparent,
  turntable: COMMANDS.exportTurntable,
  'sprite-sheet': COMMANDS.exportSpriteSheet,
  'camera-poses': COMMANDS.exportCameraPoses,
} as const satisfies Record<ExportKind, CommandId>;

/** A handler for every command: the arguments are whatever VS Code (a menu, a keybinding, another extension) passes. */
export type CommandHandlers = Record<CommandId, (...args: unknown[]) => unknown>;
