/**
 * Test workspace for the real-VS-Code host: real PNG/JPEG images (made with pngjs / jpeg-js,
 * deterministic), a text file and a text file that pretends to be a PNG.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
// jpeg-js ships its own index.d.ts
import * as jpeg from 'jpeg-js';
import { lathedVase, writeGlb } from '../support/modelFixtures';

/** RGBA pixels of a simple "product photo": a coloured disc on a light gradient. */
function productPixels(width: number, height: number, hue: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.min(width, height) * 0.35;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
      const bg = 220 + Math.round((35 * y) / height);
      data[i] = inside ? hue[0] : bg;
      data[i + 1] = inside ? hue[1] : bg;
      data[i + 2] = inside ? hue[2] : bg;
      data[i + 3] = 255;
    }
  }
  return data;
}

export function makePng(width: number, height: number, hue: [number, number, number] = [200, 60, 40]): Buffer {
  const png = new PNG({ width, height });
  productPixels(width, height, hue).copy(png.data);
  return PNG.sync.write(png);
}

export function makeJpeg(width: number, height: number, hue: [number, number, number] = [40, 90, 200]): Buffer {
  return jpeg.encode({ data: productPixels(width, height, hue), width, height }, 90).data;
}

export interface WorkspaceLayout {
  /** Absolute path of the workspace folder. */
  dir: string;
  /** Image files (relative path -> absolute path). */
  images: Record<string, string>;
}

/**
 * Creates the test workspace:
 *   mug.png              a real 96×128 PNG
 *   photos/shoe.jpg      a real 96×128 JPEG
 *   models/vase.glb      a real GLB (a lathed vase of about a thousand triangles), for the 3D viewer
 *   models/broken.glb    the same file cut short (the viewer must say it cannot read it)
 *   notes.txt            text (gives the explorer something safe to click for focus)
 *   fake.png             text with a .png name (the extension must refuse it gracefully)
 */
export function createWorkspace(dir: string): WorkspaceLayout {
  fs.mkdirSync(path.join(dir, 'photos'), { recursive: true });
  const images: Record<string, string> = {
    'mug.png': path.join(dir, 'mug.png'),
    'photos/shoe.jpg': path.join(dir, 'photos', 'shoe.jpg'),
  };
  fs.writeFileSync(images['mug.png'], makePng(96, 128));
  fs.writeFileSync(images['photos/shoe.jpg'], makeJpeg(96, 128));
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  const vase = writeGlb(lathedVase());
  fs.writeFileSync(path.join(dir, 'models', 'vase.glb'), vase);
  fs.writeFileSync(path.join(dir, 'models', 'broken.glb'), vase.subarray(0, 600));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'Test workspace of the Multiview real-VS-Code host.\n');
  fs.writeFileSync(path.join(dir, 'fake.png'), 'this is text, not a PNG\n');
  return { dir, images };
}
