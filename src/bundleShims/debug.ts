// Bundle-time stand-in for `debug`, used by axios's redirect and proxy helpers for tracing we never enable.
function createDebug(): ((...args: unknown[]) => void) & { enabled: boolean } {
  return Object.assign(() => undefined, { enabled: false });
}
export = createDebug;
