/**
 * The sprite sheet (src/image/ops/spriteSheet.ts) and its data files (src/core/results/formats/spriteSheetData.ts), read by
 * real consumers: the atlas PNG decoded by pngjs, the JSON Hash loaded by PixiJS's own Spritesheet parser, every
 * frame's pixels compared with the view it came from; the extrusion and the gutters; the Godot .tres checked
 * structurally (sections, unique ids, references that resolve, regions that are the frames).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { godotSpriteFrames, INPUT_FRAME_NAME, texturePackerJsonHash, TURNTABLE_ANIMATION, viewFrameName, type SpriteSheetLayout } from '../../src/core/results/formats/spriteSheetData';
import { viewPoses } from '../../src/core/grid';
import { encodeSpriteSheet, type SpriteSheet, type SpriteSheetFrame } from '../../src/image/ops/spriteSheet';
import { testCodecs } from '../support/imageEngine';

const codecs = testCodecs();
const VIEW_SIDE = 96;

interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * A view like a cut-out result: a disc of per-pixel varying colour (so a shifted or swapped frame shows) on full
 * transparency, with an opaque top row and a half-transparent left column so the extrusion has colour to repeat.
 */
function drawView(index: number, width = VIEW_SIDE, height = VIEW_SIDE): Pixels {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inDisc = Math.hypot(x - width / 2, y - height / 2) < Math.min(width, height) / 3;
      data[o] = (x * 7 + index * 40) & 255;
      data[o + 1] = (y * 5 + index * 20) & 255;
      data[o + 2] = (x ^ y) & 255;
      data[o + 3] = y === 0 ? 255 : x === 0 ? 128 : inDisc ? 255 : 0;
    }
  }
  return { width, height, data };
}

/** A photo-like input: every pixel opaque. */
function opaque(image: Pixels): Pixels {
  const data = image.data.slice();
  for (let i = 3; i < data.length; i += 4) {
    data[i] = 255;
  }
  return { ...image, data };
}

function encode(image: Pixels): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data);
  return new Uint8Array(PNG.sync.write(png));
}

function decode(bytes: Uint8Array): Pixels {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

function pixel(image: Pixels, x: number, y: number): number[] {
  const o = (y * image.width + x) * 4;
  return [...image.data.subarray(o, o + 4)];
}

function region(image: Pixels, x: number, y: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let row = 0; row < h; row++) {
    const start = ((y + row) * image.width + x) * 4;
    out.set(image.data.subarray(start, start + w * 4), row * w * 4);
  }
  return out;
}

const views = viewPoses('zero123plus-v1.2').map((pose, index) => ({ name: viewFrameName(pose), pixels: drawView(index) }));

function layoutOf(sheet: SpriteSheet, imageFileName = 'mug-sprites.png'): SpriteSheetLayout {
  return { imageFileName, width: sheet.width, height: sheet.height, frames: sheet.frames };
}

/** PixiJS v8 in Node: it reads `navigator` while loading (Node 21+ defines it; Node 20 does not). */
async function loadPixi(): Promise<typeof import('pixi.js')> {
  (globalThis as { navigator?: unknown }).navigator ??= { userAgent: `Node.js/${process.versions.node}` };
  return import('pixi.js');
}

describe('sprite sheet of the six views and the input', () => {
  const input = opaque(drawView(9, 150, 100));
  let sheet: SpriteSheet;
  let atlas: Pixels;

  before(async () => {
    const frames = [{ name: INPUT_FRAME_NAME, png: encode(input) }, ...views.map((view) => ({ name: view.name, png: encode(view.pixels) }))];
    sheet = await encodeSpriteSheet({ frames }, codecs);
    atlas = decode(sheet.png);
  });

  test('a near-square grid (3 columns for 7 frames), RGBA, every frame the views\' size', () => {
    assert.equal(PNG.sync.read(Buffer.from(sheet.png)).colorType, 6);
    assert.deepEqual([atlas.width, atlas.height], [sheet.width, sheet.height]);
    // 3 columns x 3 rows of (96 + 2 x 1 extrude) cells, 2 px gutters between and around.
    assert.deepEqual([sheet.width, sheet.height], [2 + 3 * 100, 2 + 3 * 100]);
    assert.deepEqual(sheet.frames.map((frame) => frame.name), [INPUT_FRAME_NAME, ...views.map((view) => view.name)]);
    assert.deepEqual(sheet.frames[4], { name: 'az210_el-10', x: 103, y: 103, w: VIEW_SIDE, h: VIEW_SIDE });
    for (const frame of sheet.frames) {
      assert.deepEqual([frame.w, frame.h], [VIEW_SIDE, VIEW_SIDE]);
    }
  });

  test('PixiJS\'s Spritesheet parses the JSON Hash; each of its frames is exactly the view it came from', async () => {
    const { Spritesheet, Texture, TextureSource } = await loadPixi();
    const data = JSON.parse(texturePackerJsonHash(layoutOf(sheet)));
    const texture = new Texture({ source: new TextureSource({ width: sheet.width, height: sheet.height }) });
    const spritesheet = new Spritesheet(texture, data);
    await spritesheet.parse();
    assert.deepEqual(Object.keys(spritesheet.textures), sheet.frames.map((frame) => frame.name));
    for (const view of views) {
      const { frame, orig } = spritesheet.textures[view.name];
      assert.deepEqual([frame.width, frame.height, orig.width, orig.height], [VIEW_SIDE, VIEW_SIDE, VIEW_SIDE, VIEW_SIDE]);
      assert.ok(Buffer.from(region(atlas, frame.x, frame.y, frame.width, frame.height)).equals(Buffer.from(view.pixels.data)), `${view.name}'s pixels`);
    }
    assert.equal(spritesheet.animations[TURNTABLE_ANIMATION].length, 7);
    spritesheet.animations[TURNTABLE_ANIMATION].forEach((t, index) => assert.equal(t, spritesheet.textures[sheet.frames[index].name]));
  });

  test('the JSON Hash: TexturePacker\'s fields, the frames at the atlas rects, the image and its size', () => {
    const data = JSON.parse(texturePackerJsonHash(layoutOf(sheet)));
    assert.deepEqual(data.meta, { app: 'Multiview', version: '1.0', image: 'mug-sprites.png', format: 'RGBA8888', size: { w: sheet.width, h: sheet.height }, scale: '1' });
    for (const { name, x, y, w, h } of sheet.frames) {
      assert.deepEqual(data.frames[name], { frame: { x, y, w, h }, rotated: false, trimmed: false, spriteSourceSize: { x: 0, y: 0, w, h }, sourceSize: { w, h } });
    }
    assert.deepEqual(data.animations, { [TURNTABLE_ANIMATION]: sheet.frames.map((frame) => frame.name) });
  });

  test('the input, of another shape, is fitted into the views\' size on transparency', () => {
    const frame = sheet.frames[0];
    // 150 x 100 fitted into 96 x 96 is 96 x 64, centred: 16 transparent rows above and below.
    for (const y of [0, 15, 80, 95]) {
      assert.equal(pixel(atlas, frame.x + 40, frame.y + y)[3], 0, `row ${y} is transparent`);
    }
    for (const y of [16, 79]) {
      assert.equal(pixel(atlas, frame.x + 40, frame.y + y)[3], 255, `row ${y} is the (opaque) input`);
    }
  });

  test('transparent pixels stay transparent, half-transparent ones keep their alpha', () => {
    for (const [index, view] of views.entries()) {
      const frame = sheet.frames[index + 1];
      assert.deepEqual(pixel(atlas, frame.x + 5, frame.y + 5), pixel(view.pixels, 5, 5));
      assert.equal(pixel(atlas, frame.x + 5, frame.y + 5)[3], 0);
      assert.equal(pixel(atlas, frame.x, frame.y + 5)[3], 128);
    }
  });

  test('each frame\'s edge is repeated 1 px outward (the default extrude), then 2 px of transparent gutter', () => {
    for (const frame of sheet.frames.slice(1)) {
      assertExtruded(atlas, frame, 1, 2);
    }
  });
});

/** Every edge pixel is repeated `extrude` px outward, then `padding` px are fully transparent (the next frame's too). */
function assertExtruded(atlas: Pixels, frame: SpriteSheetFrame, extrude: number, padding: number): void {
  const { x, y, w, h } = frame;
  const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));
  for (let dy = -extrude - padding; dy < h + extrude + padding; dy++) {
    for (let dx = -extrude - padding; dx < w + extrude + padding; dx++) {
      const outside = Math.max(-dx, dx - (w - 1), -dy, dy - (h - 1));
      if (outside <= 0) {
        continue;
      }
      const at = pixel(atlas, x + dx, y + dy);
      if (outside <= extrude) {
        assert.deepEqual(at, pixel(atlas, x + clamp(dx, 0, w - 1), y + clamp(dy, 0, h - 1)), `extruded (${dx}, ${dy}) of ${frame.name}`);
      } else {
        assert.deepEqual(at, [0, 0, 0, 0], `gutter (${dx}, ${dy}) of ${frame.name}`);
      }
    }
  }
}

describe('sprite sheet options', () => {
  test('one row, 3 px of extrusion, 4 px of padding: the frames side by side, each edge repeated 3 px', async () => {
    const frames = views.map((view) => ({ name: view.name, png: encode(view.pixels) }));
    const sheet = await encodeSpriteSheet({ frames, layout: 'row', extrude: 3, padding: 4 }, codecs);
    const atlas = decode(sheet.png);
    assert.deepEqual([sheet.width, sheet.height], [4 + 6 * (VIEW_SIDE + 6 + 4), 4 + VIEW_SIDE + 6 + 4]);
    sheet.frames.forEach((frame, index) => {
      assert.deepEqual([frame.x, frame.y], [4 + index * (VIEW_SIDE + 10) + 3, 4 + 3]);
      assert.ok(Buffer.from(region(atlas, frame.x, frame.y, frame.w, frame.h)).equals(Buffer.from(views[index].pixels.data)));
      assertExtruded(atlas, frame, 3, 4);
    });
  });

  test('no padding and no extrusion: the frames touch', async () => {
    const frames = views.slice(0, 4).map((view) => ({ name: view.name, png: encode(view.pixels) }));
    const sheet = await encodeSpriteSheet({ frames, padding: 0, extrude: 0 }, codecs);
    assert.deepEqual([sheet.width, sheet.height], [2 * VIEW_SIDE, 2 * VIEW_SIDE]);
    assert.deepEqual(sheet.frames.map(({ x, y }) => [x, y]), [[0, 0], [VIEW_SIDE, 0], [0, VIEW_SIDE], [VIEW_SIDE, VIEW_SIDE]]);
  });

  test('refused: no frames, a negative or fractional padding', async () => {
    const png = encode(views[0].pixels);
    await assert.rejects(encodeSpriteSheet({ frames: [] }, codecs), RangeError);
    await assert.rejects(encodeSpriteSheet({ frames: [{ name: 'a', png }], padding: -1 }, codecs), RangeError);
    await assert.rejects(encodeSpriteSheet({ frames: [{ name: 'a', png }], extrude: 0.5 }, codecs), RangeError);
  });
});

describe('frame names', () => {
  test('each view\'s name is its pose, readable and safe as a key', () => {
    assert.deepEqual(views.map((view) => view.name), ['az030_el+20', 'az090_el-10', 'az150_el+20', 'az210_el-10', 'az270_el+20', 'az330_el-10']);
  });
});

interface GodotSection {
  kind: string;
  attributes: Record<string, string>;
  properties: Record<string, string>;
}

/**
 * A small reader of Godot's text resource format: `[kind key=value ...]` headers, each followed by `key = value`
 * properties (a value may span lines until its brackets close).
 */
function readGodotText(text: string): GodotSection[] {
  const sections: GodotSection[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') {
      continue;
    }
    const header = /^\[(\w+)((?:\s+\w+=(?:"(?:[^"\\]|\\.)*"|[^\s\]]+))*)\]$/.exec(line);
    if (header) {
      const attributes: Record<string, string> = {};
      for (const [, key, value] of header[2].matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)/g)) {
        assert.ok(!(key in attributes), `attribute ${key} once`);
        attributes[key] = value.startsWith('"') ? JSON.parse(value) : value;
      }
      sections.push({ kind: header[1], attributes, properties: {} });
      continue;
    }
    const property = /^(\w+) = (.*)$/.exec(line);
    assert.ok(property && sections.length > 0, `line ${i + 1} is a property of a section: ${line}`);
    let value = property[2];
    while (depth(value) > 0) {
      i++;
      assert.ok(i < lines.length, `${property[1]}'s brackets close`);
      value += '\n' + lines[i];
    }
    sections[sections.length - 1].properties[property[1]] = value;
  }
  return sections;
}

function depth(value: string): number {
  let open = 0;
  for (const char of value.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
    open += char === '[' || char === '{' ? 1 : char === ']' || char === '}' ? -1 : 0;
  }
  return open;
}

describe('Godot SpriteFrames (.tres)', () => {
  test('sections in order, unique ids, every reference declared before use, the regions are the frames', async () => {
    const frames = [{ name: INPUT_FRAME_NAME, png: encode(drawView(9)) }, ...views.map((view) => ({ name: view.name, png: encode(view.pixels) }))];
    const sheet = await encodeSpriteSheet({ frames }, codecs);
    const text = godotSpriteFrames(layoutOf(sheet, 'my "mug" sprites.png'), { framesPerSecond: 8 });
    const sections = readGodotText(text);

    const [head, ...rest] = sections;
    assert.equal(head.kind, 'gd_resource');
    assert.equal(head.attributes.type, 'SpriteFrames');
    assert.equal(head.attributes.format, '3');
    assert.equal(Number(head.attributes.load_steps), sections.length - 1, 'load_steps: every resource, the main one included');
    assert.equal(rest[rest.length - 1].kind, 'resource', 'the main resource comes last');
    assert.equal(rest.filter((section) => section.kind === 'resource').length, 1);

    const ext = rest.filter((section) => section.kind === 'ext_resource');
    assert.equal(ext.length, 1);
    assert.deepEqual(ext[0].attributes, { type: 'Texture2D', path: 'my "mug" sprites.png', id: ext[0].attributes.id });

    const declared = { ExtResource: new Set<string>(), SubResource: new Set<string>() };
    const subRegions: string[] = [];
    for (const section of rest) {
      for (const value of Object.values(section.properties)) {
        for (const [, kind, id] of value.matchAll(/(ExtResource|SubResource)\("([^"]+)"\)/g)) {
          assert.ok(declared[kind as keyof typeof declared].has(id), `${kind}("${id}") is declared before it is used`);
        }
      }
      if (section.kind === 'ext_resource' || section.kind === 'sub_resource') {
        const set = section.kind === 'ext_resource' ? declared.ExtResource : declared.SubResource;
        assert.ok(!set.has(section.attributes.id), `id ${section.attributes.id} is unique`);
        set.add(section.attributes.id);
      }
      if (section.kind === 'sub_resource') {
        assert.equal(section.attributes.type, 'AtlasTexture');
        assert.equal(section.properties.atlas, `ExtResource("${ext[0].attributes.id}")`);
        subRegions.push(section.properties.region);
      }
    }
    assert.deepEqual(subRegions, sheet.frames.map(({ x, y, w, h }) => `Rect2(${x}, ${y}, ${w}, ${h})`));

    // The animations value read as data: Godot's SubResource("id") and &"name" (a StringName) made JSON.
    const animations = JSON.parse(rest[rest.length - 1].properties.animations.replace(/SubResource\(("[^"]+")\)/g, '$1').replace(/&"/g, '"'));
    assert.deepEqual(animations, [{ frames: [...declared.SubResource].map((id) => ({ duration: 1, texture: id })), loop: true, name: TURNTABLE_ANIMATION, speed: 8 }]);
    assert.match(text, /"speed": 8\.0/, 'the speed is a float');
  });
});
