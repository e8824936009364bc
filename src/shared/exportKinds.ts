/**
 * The kinds of file a saved result's free exports make, in one list for every layer: the sidecar records them, the
 * panel's buttons and messages name them, the commands run them.
 */
export const EXPORT_KINDS = ['transparent-views', 'turntable', 'sprite-sheet', 'camera-poses'] as const;

export type ExportKind = (typeof EXPORT_KINDS)[number];

export function isExportKind(value: unknown): value is ExportKind {
  return (EXPORT_KINDS as readonly unknown[]).includes(value);
}
