/**
 * A strict APNG reader for tests and the bench, independent of the encoder: chunks and CRCs checked with node:zlib,
 * acTL/fcTL read, each frame rebuilt as a still PNG (the file's IHDR, the frame's data as IDAT) and decoded by pngjs.
 */
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../../src/image/raster';

export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

export interface ApngRead {
  colourType: number;
  plays: number;
  frames: { delayNumerator: number; delayDenominator: number; dispose: number; blend: number; image: RgbaImage }[];
}

/**
 * An APNG read strictly: the signature, every CRC, acTL before the first IDAT, one sequence (0, 1, 2...) across
 * fcTL and fdAT, whole-canvas frames, the first frame's data in IDAT (the default image is frame 0).
 */
export function readApng(bytes: Uint8Array): ApngRead {
  const file = Buffer.from(bytes);
  assert.deepEqual([...file.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  let ihdr: Buffer | undefined;
  let declaredFrames = -1;
  let plays = -1;
  let expectedSequence = 0;
  const controls: Buffer[] = [];
  const data: Buffer[][] = [];
  let pos = 8;
  let ended = false;
  while (!ended) {
    const length = file.readUInt32BE(pos);
    const type = file.toString('latin1', pos + 4, pos + 8);
    const payload = file.subarray(pos + 8, pos + 8 + length);
    assert.equal(file.readUInt32BE(pos + 8 + length), zlib.crc32(file.subarray(pos + 4, pos + 8 + length)) >>> 0, `${type} CRC`);
    pos += 12 + length;
    switch (type) {
      case 'IHDR':
        ihdr = payload;
        break;
      case 'acTL':
        assert.equal(data.length, 0, 'acTL before the image data');
        declaredFrames = payload.readUInt32BE(0);
        plays = payload.readUInt32BE(4);
        break;
      case 'fcTL':
        assert.equal(payload.readUInt32BE(0), expectedSequence++, 'fcTL sequence');
        controls.push(payload);
        data.push([]);
        break;
      case 'IDAT':
        assert.equal(controls.length, 1, 'IDAT belongs to the first frame');
        data[0].push(payload);
        break;
      case 'fdAT':
        assert.equal(payload.readUInt32BE(0), expectedSequence++, 'fdAT sequence');
        assert.ok(controls.length > 1, 'fdAT after the second fcTL');
        data[controls.length - 1].push(payload.subarray(4));
        break;
      case 'IEND':
        ended = true;
        break;
    }
  }
  assert.ok(ihdr);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(declaredFrames, controls.length, 'acTL num_frames');
  const frames = controls.map((control, index) => {
    assert.deepEqual([control.readUInt32BE(4), control.readUInt32BE(8), control.readUInt32BE(12), control.readUInt32BE(16)], [width, height, 0, 0], 'a whole-canvas frame');
    // The frame as a still PNG: the file's IHDR, the frame's data as IDAT; pngjs inflates and unfilters it.
    const still = Buffer.concat([file.subarray(0, 8), pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.concat(data[index])), pngChunk('IEND', Buffer.alloc(0))]);
    return { delayNumerator: control.readUInt16BE(20), delayDenominator: control.readUInt16BE(22), dispose: control[24], blend: control[25], image: decodePng(still) };
  });
  return { colourType: ihdr[9], plays, frames };
}

function pngChunk(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), payload])) >>> 0, 0);
  return Buffer.concat([head, payload, crc]);
}
