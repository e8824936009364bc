/**
 * STAND-IN for the generic worker runtime (another helper builds the real one in src/image/worker/; the lead takes
 * theirs over this when merging). Only the interface in the brief, implemented plainly, so the image engine can be
 * built and tested against it.
 */
export type ToWorker = { id: number; op: string; payload: unknown };
export type FromWorker = { id: number; type: 'event'; event: unknown } | { id: number; type: 'result'; result: unknown } | { id: number; type: 'failed'; data: unknown };
