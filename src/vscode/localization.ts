/**
 * The pure modules (src/api, src/core, src/image) cannot import 'vscode', so they translate with @vscode/l10n,
 * which must be handed VS Code's translations for this extension (`vscode.l10n.bundle`). It is bundled twice: in
 * dist/extension.js (the quick input's validation, settings errors) and in dist/generationJob.js (the pipeline's
 * progress and errors); each copy is configured here, lazily, before the pure modules' first message is shown.
 */
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { loadGenerationJob } from '../core/loadGenerationJob';

/** Configures the copy bundled with this layer; call it before a pure module produces a message (it is cheap). */
export function configurePureModulesL10n(): void {
  // The bundle is undefined in English, or when this extension has no translation for the display language.
  l10n.config({ contents: vscode.l10n.bundle ?? {} });
}

/** The generation pipeline, with its own copy of @vscode/l10n configured as well. */
export function loadLocalizedGenerationJob(): ReturnType<typeof loadGenerationJob> {
  configurePureModulesL10n();
  return loadGenerationJob(vscode.l10n.bundle);
}
