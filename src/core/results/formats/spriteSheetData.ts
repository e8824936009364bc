/**
 * The data files that go beside a sprite sheet (the atlas PNG made in the image worker, src/image/ops/spriteSheet.ts):
 * TexturePacker's "JSON Hash", which Phaser 3 (`this.load.atlas`) and PixiJS (`Assets.load`, `Spritesheet`) read,
 * and a Godot 4 `SpriteFrames` resource for AnimatedSprite2D/3D. Pure text: no pixels, no `vscode`.
 */
import { viewFileSuffix, type ViewPose } from '../../grid';

export interface SpriteSheetFrameRect {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SpriteSheetLayout {
  /** The atlas PNG's file name, as the data file refers to it (the two sit side by side). */
  imageFileName: string;
  width: number;
  height: number;
  /** In turning order: the animation plays them in this order. */
  frames: SpriteSheetFrameRect[];
}

/** The frame name of the input picture, when it leads the turntable. */
export const INPUT_FRAME_NAME = 'input';
/** The one animation both formats get: every frame, in turning order. */
export const TURNTABLE_ANIMATION = 'turntable';

/**
 * A view's frame name, e.g. `az030_el+20`: the view file's own suffix (src/core/grid.ts) without `-view-`, so a frame
 * and its PNG are recognisably the same view; only letters, digits, `_` and `+`/`-`, safe as a key anywhere.
 */
export function viewFrameName(pose: Pick<ViewPose, 'azimuthDegrees' | 'elevationDegrees'>): string {
  return viewFileSuffix(pose).replace(/^-view-/, '').replace('-el', '_el');
}

/**
 * TexturePacker's JSON Hash. Shape checked against TexturePacker's own output as found in public repositories
 * (`frames` keyed by name with frame/rotated/trimmed/spriteSourceSize/sourceSize; `meta` with app, version, image,
 * format "RGBA8888", size, scale as the string "1") and PixiJS v8's `SpritesheetData` (docs: pixijs.download/release/
 * docs/assets.SpritesheetData.html), whose optional top-level `animations` (name to frame names, as TexturePacker's
 * PixiJS exporter writes it) gives `sheet.animations.turntable`; Phaser 3's JSONHash parser ignores it. Frames are
 * never rotated or trimmed: each frame is the whole view. Cocos Creator imports only the cocos2d-x .plist format
 * (docs.cocos.com/creator/manual/en/asset/atlas.html), not this file.
 */
export function texturePackerJsonHash(sheet: SpriteSheetLayout): string {
  const frames: Record<string, unknown> = {};
  for (const { name, x, y, w, h } of sheet.frames) {
    frames[name] = {
      frame: { x, y, w, h },
      rotated: false,
      trimmed: false,
      spriteSourceSize: { x: 0, y: 0, w, h },
      sourceSize: { w, h },
    };
  }
  const data = {
    frames,
    animations: { [TURNTABLE_ANIMATION]: sheet.frames.map((frame) => frame.name) },
    meta: {
      app: 'Multiview',
      version: '1.0',
      image: sheet.imageFileName,
      format: 'RGBA8888',
      size: { w: sheet.width, h: sheet.height },
      scale: '1',
    },
  };
  return JSON.stringify(data, null, 2) + '\n';
}

/**
 * A Godot 4 text resource (`format=3`) holding a `SpriteFrames` with one looping animation, "turntable", of
 * AtlasTexture sub-resources cut from the atlas. The atlas is an ext_resource by a path relative to the .tres, which
 * Godot 4's text loader resolves against the .tres's own folder (scene/resources/resource_format_text.cpp: "path is
 * relative to file being loaded, so convert to a resource path"): where the project root is is unknown here, so the
 * .tres must stay beside the atlas (or `atlasPath` must say where the atlas is from the .tres). Godot adds a uid when
 * it imports the file.
 */
export function godotSpriteFrames(sheet: SpriteSheetLayout, options: { framesPerSecond: number; atlasPath?: string }): string {
  const atlasId = '1_atlas';
  const textureIds = sheet.frames.map((_, index) => `AtlasTexture_${index}`);
  const lines = [
    `[gd_resource type="SpriteFrames" load_steps=${sheet.frames.length + 2} format=3]`,
    '',
    `[ext_resource type="Texture2D" path=${godotString(options.atlasPath ?? sheet.imageFileName)} id="${atlasId}"]`,
    '',
  ];
  sheet.frames.forEach(({ x, y, w, h }, index) => {
    lines.push(`[sub_resource type="AtlasTexture" id="${textureIds[index]}"]`, `atlas = ExtResource("${atlasId}")`, `region = Rect2(${x}, ${y}, ${w}, ${h})`, '');
  });
  const frames = textureIds.map((id) => `{\n"duration": 1.0,\n"texture": SubResource("${id}")\n}`).join(', ');
  lines.push(
    '[resource]',
    `animations = [{\n"frames": [${frames}],\n"loop": true,\n"name": &"${TURNTABLE_ANIMATION}",\n"speed": ${godotFloat(options.framesPerSecond)}\n}]`,
    '',
  );
  return lines.join('\n');
}

/** A quoted string as Godot's variant parser reads it (the same escapes as JSON: `\"`, `\\`, `\n`, `\uXXXX`). */
function godotString(text: string): string {
  return JSON.stringify(text);
}

/** Godot writes floats with a decimal point (`8.0`); an integer literal would be read as an int. */
function godotFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}
