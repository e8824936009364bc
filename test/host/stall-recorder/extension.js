'use strict';
/**
 * Test-only: records the extension host's event-loop stalls between "Stall Recorder: Start" and "Stop".
 * A 10 ms interval timer that fires late means the thread was busy for that long; perf_hooks' event-loop delay
 * histogram is kept beside it as a second opinion. Both commands write a JSON file (setting stallRecorder.outputFile).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { monitorEventLoopDelay, performance } = require('perf_hooks');
const vscode = require('vscode');

const TICK_MS = 10;
/** Lateness below this is timer jitter, not a stall worth listing. */
const LISTED_STALL_MS = 20;
const MAX_LISTED = 20000;
const THRESHOLDS_MS = [50, 100, 250, 1000];
const LONGEST_REPORTED = 10;
const HISTOGRAM_RESOLUTION_MS = 10;

function outputFile() {
  const configured = vscode.workspace.getConfiguration('stallRecorder').get('outputFile');
  return typeof configured === 'string' && configured ? configured : path.join(os.tmpdir(), 'stall-recorder.json');
}

/** Writes whole or not at all: a reader never sees half a file. */
function writeJson(file, value) {
  const partial = `${file}.partial-${process.pid}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(partial, JSON.stringify(value, null, 2));
  fs.renameSync(partial, file);
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}

/** One recording: the interval that measures lateness, and the histogram. */
function startRecording() {
  const startedAt = Date.now();
  const t0 = performance.now();
  const stalls = [];
  let ticks = 0;
  let worstMs = 0;
  let previous = t0;
  // Event-loop utilisation tells work from starvation: a late tick whose loop was idle means the thread was not
  // scheduled (a busy machine), one whose loop was active means code held it.
  let previousActiveMs = performance.eventLoopUtilization().active;
  let worstBusyMs = 0;
  const histogram = monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS });
  histogram.enable();
  const timer = setInterval(() => {
    const now = performance.now();
    const lateMs = now - previous - TICK_MS;
    const activeMs = performance.eventLoopUtilization().active;
    const busyMs = Math.min(lateMs, activeMs - previousActiveMs);
    ticks++;
    if (lateMs > worstMs) worstMs = lateMs;
    if (busyMs > worstBusyMs) worstBusyMs = busyMs;
    if (lateMs >= LISTED_STALL_MS && stalls.length < MAX_LISTED) {
      // The thread was held from about when this tick was due until now.
      const dueMs = previous + TICK_MS - t0;
      stalls.push({ ms: round(lateMs), busyMs: round(Math.max(0, busyMs)), fromMs: round(dueMs), at: new Date(startedAt + dueMs).toISOString() });
    }
    previous = now;
    previousActiveMs = activeMs;
  }, TICK_MS);

  return {
    startedAt,
    stop() {
      clearInterval(timer);
      histogram.disable();
      const over = {};
      for (const threshold of THRESHOLDS_MS) over[`${threshold}ms`] = stalls.filter((s) => s.ms > threshold).length;
      // The histogram records each whole interval between its timer's runs; lateness is what exceeds the resolution.
      const lateMs = (ns) => round(Number.isFinite(ns) ? Math.max(0, ns / 1e6 - HISTOGRAM_RESOLUTION_MS) : 0);
      return {
        state: 'stopped',
        pid: process.pid,
        startedAt: new Date(startedAt).toISOString(),
        durationMs: Math.round(performance.now() - t0),
        tickMs: TICK_MS,
        ticks,
        maxStallMs: round(Math.max(0, worstMs)),
        maxBusyStallMs: round(Math.max(0, worstBusyMs)),
        over,
        longest: [...stalls].sort((a, b) => b.ms - a.ms).slice(0, LONGEST_REPORTED),
        listedStallsOverMs: LISTED_STALL_MS,
        stalls,
        histogram: {
          maxLateMs: lateMs(histogram.max),
          meanLateMs: lateMs(histogram.mean),
          p99LateMs: lateMs(histogram.percentile(99)),
        },
      };
    },
  };
}

function activate(context) {
  let recording;
  context.subscriptions.push(
    vscode.commands.registerCommand('stallRecorder.start', () => {
      recording?.stop();
      recording = startRecording();
      writeJson(outputFile(), { state: 'recording', pid: process.pid, startedAt: new Date(recording.startedAt).toISOString() });
    }),
    vscode.commands.registerCommand('stallRecorder.stop', () => {
      const report = recording ? recording.stop() : { state: 'stopped', pid: process.pid, error: 'Stop without Start' };
      recording = undefined;
      writeJson(outputFile(), report);
    }),
    { dispose: () => recording?.stop() },
  );
}

module.exports = { activate, deactivate() {} };
