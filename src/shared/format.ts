/** Sizes and durations in messages, translated: the one formatter of each, for every layer. */
import * as l10n from '@vscode/l10n';

/** `512 bytes`, `12.3 KiB`, `4.8 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return l10n.t('{0} MiB', Math.round((bytes / (1024 * 1024)) * 10) / 10);
  if (bytes >= 1024) return l10n.t('{0} KiB', Math.round((bytes / 1024) * 10) / 10);
  return l10n.t('{0} bytes', bytes);
}

/** `4.2 s` under ten seconds, `42 s` under two minutes, `12 min` after. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return l10n.t('{0} s', Math.round(ms / 100) / 10);
  if (ms < 120_000) return l10n.t('{0} s', Math.round(ms / 1000));
  return l10n.t('{0} min', Math.round(ms / 60_000));
}
