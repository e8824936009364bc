/**
 * The turntable export (src/image/animation.ts, encodeTurntableGif in src/image/codecs.ts) and the result panel's
 * message and state guards (src/shared/messages.ts). GIFs are read back with omggif, an independent decoder.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { GifReader } from 'omggif';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { encodeAnimatedGif, fitInto, gifDelayCentiseconds } from '../../src/image/animation';
import { NEUTRAL_GREY } from '../../src/image/pixels';
import { encodeTurntableGif } from '../../src/image/codecs';
import type { RgbaImage } from '../../src/image/pixels';
import {
  clampFramesPerSecond,
  DEFAULT_FRAMES_PER_SECOND,
  isFromPanelMessage,
  isToPanelMessage,
  MAX_FRAMES_PER_SECOND,
  MIN_FRAMES_PER_SECOND,
  parsePanelState,
} from '../../src/shared/messages';

type Rgb = [number, number, number];

/** A "rendered view": a coloured disc on a light gradient, with some noise so the palette has work to do. */
function viewPixels(width: number, height: number, disc: Rgb, seed = 1): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let state = seed;
  const noise = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) % 9;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 <= (Math.min(width, height) * 0.3) ** 2;
      const bg = 200 + Math.round((40 * y) / height);
      const n = noise();
      data[i] = inside ? disc[0] : bg - n;
      data[i + 1] = inside ? disc[1] : bg - n;
      data[i + 2] = inside ? disc[2] : bg - n;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

function png(image: RgbaImage): Uint8Array {
  const out = new PNG({ width: image.width, height: image.height });
  Buffer.from(image.data).copy(out.data);
  return PNG.sync.write(out);
}

const VIEW_COLOURS: Rgb[] = [
  [220, 40, 40],
  [40, 200, 40],
  [40, 60, 220],
  [220, 200, 40],
  [200, 40, 200],
  [40, 200, 200],
];
const INPUT_COLOUR: Rgb = [250, 140, 0];
const views320 = VIEW_COLOURS.map((colour, index) => png(viewPixels(320, 320, colour, index + 2)));

interface DecodedGif {
  width: number;
  height: number;
  loopCount: number | null;
  frames: { delay: number; pixels: Uint8Array }[];
}

function decodeGif(bytes: Uint8Array): DecodedGif {
  const reader = new GifReader(Buffer.from(bytes));
  const frames = Array.from({ length: reader.numFrames() }, (_, index) => {
    const pixels = new Uint8Array(reader.width * reader.height * 4);
    reader.decodeAndBlitFrameRGBA(index, pixels);
    return { delay: reader.frameInfo(index).delay, pixels };
  });
  return { width: reader.width, height: reader.height, loopCount: reader.loopCount(), frames };
}

const NEUTRAL_BACKGROUND = [NEUTRAL_GREY.r, NEUTRAL_GREY.g, NEUTRAL_GREY.b];

function pixelAt(pixels: Uint8Array, width: number, x: number, y: number): Rgb {
  const i = (y * width + x) * 4;
  return [pixels[i], pixels[i + 1], pixels[i + 2]];
}

function assertClose(actual: Rgb, expected: readonly number[], tolerance: number, what: string): void {
  assert.ok(
    actual.every((value, c) => Math.abs(value - expected[c]) <= tolerance),
    `${what}: ${actual.join(',')} is within ${tolerance} of ${expected.join(',')}`,
  );
}

describe('encodeTurntableGif', () => {
  test('input + six 320x320 views: a looping GIF89a of 7 frames, 320x320, input first, at the chosen speed', (t) => {
    const input = png(viewPixels(96, 128, INPUT_COLOUR));
    const started = performance.now();
    const turntable = encodeTurntableGif({ input, views: views320, framesPerSecond: 5 });
    t.diagnostic(`7 frames of 320x320: ${Math.round(performance.now() - started)} ms, ${turntable.gif.length} bytes`);
    assert.equal(Buffer.from(turntable.gif.subarray(0, 6)).toString('latin1'), 'GIF89a');
    assert.equal(turntable.inputSkipped, undefined);
    const gif = decodeGif(turntable.gif);
    assert.equal(gif.frames.length, 7);
    assert.deepEqual([gif.width, gif.height], [320, 320]);
    assert.equal(gif.loopCount, 0, 'NETSCAPE2.0 loop extension: loop forever');
    assert.deepEqual(gif.frames.map((frame) => frame.delay), Array(7).fill(20), '5 fps = 20 hundredths of a second a frame');
    // Frame 0 is the 96x128 input, enlarged to 240x320 and centred: grey bands left and right, the input's disc in the middle.
    assertClose(pixelAt(gif.frames[0].pixels, 320, 10, 160), NEUTRAL_BACKGROUND, 6, 'left of the input');
    assertClose(pixelAt(gif.frames[0].pixels, 320, 310, 160), NEUTRAL_BACKGROUND, 6, 'right of the input');
    assertClose(pixelAt(gif.frames[0].pixels, 320, 160, 160), INPUT_COLOUR, 12, 'centre of the input');
    // Then the views, in the order given (azimuth order), each its own colour.
    VIEW_COLOURS.forEach((colour, index) => assertClose(pixelAt(gif.frames[index + 1].pixels, 320, 160, 160), colour, 12, `view ${index + 1}`));
  });

  test('the fastest speed gives the shortest delay; the slowest the longest', () => {
    const fast = decodeGif(encodeTurntableGif({ input: undefined, views: views320.slice(0, 2), framesPerSecond: MAX_FRAMES_PER_SECOND }).gif);
    const slow = decodeGif(encodeTurntableGif({ input: undefined, views: views320.slice(0, 2), framesPerSecond: MIN_FRAMES_PER_SECOND }).gif);
    assert.equal(fast.frames[0].delay, gifDelayCentiseconds(MAX_FRAMES_PER_SECOND));
    assert.equal(fast.frames[0].delay, 8);
    assert.equal(slow.frames[0].delay, 100);
  });

  test('a JPEG input is decoded and fitted too', () => {
    const input = jpeg.encode({ width: 64, height: 64, data: Buffer.from(viewPixels(64, 64, INPUT_COLOUR).data) }, 90).data;
    const turntable = encodeTurntableGif({ input, views: views320, framesPerSecond: 4 });
    const gif = decodeGif(turntable.gif);
    assert.equal(gif.frames.length, 7);
    assertClose(pixelAt(gif.frames[0].pixels, 320, 160, 160), INPUT_COLOUR, 16, 'centre of the JPEG input');
  });

  test('a WebP input, a missing input or an unreadable one: the six views only, and why', () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([30, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(22)]);
    const cases: [Uint8Array | undefined, string][] = [
      [webp, 'webp'],
      [undefined, 'missing'],
      [Buffer.from('not an image at all'), 'unreadable'],
      [Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40)]), 'unreadable'],
    ];
    for (const [input, reason] of cases) {
      const turntable = encodeTurntableGif({ input, views: views320, framesPerSecond: 4 });
      assert.equal(turntable.inputSkipped, reason);
      assert.equal(decodeGif(turntable.gif).frames.length, 6, `${reason}: six frames`);
    }
  });

  test('no views: refused', () => {
    assert.throws(() => encodeTurntableGif({ input: undefined, views: [], framesPerSecond: 4 }), RangeError);
  });
});

describe('fitInto / encodeAnimatedGif', () => {
  test('a wide image is shrunk to the width, centred vertically, transparency over the neutral grey', () => {
    const image = viewPixels(400, 200, [10, 20, 30]);
    image.data[3] = 0; // top-left pixel transparent
    const fitted = fitInto(image, 100, 100);
    assert.deepEqual([fitted.width, fitted.height], [100, 100]);
    assertClose(pixelAt(fitted.data, 100, 50, 10), NEUTRAL_BACKGROUND, 0, 'above the image');
    assertClose(pixelAt(fitted.data, 100, 50, 90), NEUTRAL_BACKGROUND, 0, 'below the image');
    assertClose(pixelAt(fitted.data, 100, 50, 50), [10, 20, 30], 4, 'the image centre');
    assert.ok(fitted.data.every((value, index) => index % 4 !== 3 || value === 255), 'opaque');
  });

  test('frames of different sizes are refused', () => {
    assert.throws(() => encodeAnimatedGif([viewPixels(10, 10, [0, 0, 0]), viewPixels(12, 10, [0, 0, 0])], 4), RangeError);
  });
});

describe('panel messages and state', () => {
  test('isFromPanelMessage accepts the panel’s messages and nothing else', () => {
    assert.ok(isFromPanelMessage({ type: 'reveal' }));
    assert.ok(isFromPanelMessage({ type: 'open', file: 'grid' }));
    assert.ok(isFromPanelMessage({ type: 'open', file: 'sidecar' }));
    assert.ok(isFromPanelMessage({ type: 'exportAnimation', framesPerSecond: 4 }));
    assert.ok(isFromPanelMessage({ type: 'exportAnimation', framesPerSecond: 1000 }), 'out of range is accepted, then clamped');
    for (const bad of [
      null,
      'reveal',
      [],
      { type: 'open', file: '../../etc/passwd' },
      { type: 'exportAnimation' },
      { type: 'exportAnimation', framesPerSecond: '5' },
      { type: 'exportAnimation', framesPerSecond: Number.NaN },
      { type: 'exportAnimation', framesPerSecond: Number.POSITIVE_INFINITY },
      { type: 'delete' },
    ]) {
      assert.equal(isFromPanelMessage(bad), false, JSON.stringify(bad));
    }
    assert.ok(isToPanelMessage({ type: 'exportFinished' }));
    assert.equal(isToPanelMessage({ type: 'other' }), false);
  });

  test('clampFramesPerSecond keeps the speed in range, whole, and defaults what is not a number', () => {
    assert.equal(clampFramesPerSecond(0), MIN_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond(-3), MIN_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond(1000), MAX_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond(4.6), 5);
    assert.equal(clampFramesPerSecond(Number.NaN), DEFAULT_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond('7'), DEFAULT_FRAMES_PER_SECOND);
  });

  test('parsePanelState: an absolute .json path and a clamped speed, or nothing', () => {
    assert.deepEqual(parsePanelState({ sidecarPath: '/ws/out/mug-multiview-1.json', framesPerSecond: 99 }), {
      sidecarPath: '/ws/out/mug-multiview-1.json',
      framesPerSecond: MAX_FRAMES_PER_SECOND,
    });
    assert.deepEqual(parsePanelState({ sidecarPath: 'C:\\ws\\mug-multiview-1.json' }), {
      sidecarPath: 'C:\\ws\\mug-multiview-1.json',
      framesPerSecond: DEFAULT_FRAMES_PER_SECOND,
    });
    for (const bad of [undefined, null, {}, { sidecarPath: 'relative/mug.json' }, { sidecarPath: '/ws/mug.png' }, { sidecarPath: 42 }]) {
      assert.equal(parsePanelState(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('bundles', () => {
  const meta = path.join(__dirname, '..', '..', '..', 'dist', 'meta.json');
  test('the GIF encoder is in dist/codecs.js, not in dist/extension.js', { skip: !fs.existsSync(meta) && 'dist/ not built (npm run bundle)' }, () => {
    const outputs = (JSON.parse(fs.readFileSync(meta, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs;
    const inputsOf = (name: string) => Object.keys(outputs[name]?.inputs ?? {});
    assert.ok(inputsOf('dist/codecs.js').some((input) => input.includes('gifenc')), 'gifenc is in dist/codecs.js');
    assert.ok(!inputsOf('dist/extension.js').some((input) => /gifenc|animation/.test(input)), 'and not in dist/extension.js');
  });
});
