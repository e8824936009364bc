/**
 * The download-side PNG check: fed a real grid in pieces of any size, it says "decodes" for a good PNG (interlaced
 * and 16-bit too) and damaged-grid, with a cause, for a flipped byte, a cut-short file, a corrupt deflate stream, a
 * wrong IDAT length, a bad filter byte, or something that is not a PNG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { createPngStreamVerifier, type PngStreamVerdict } from '../../src/image/pngStreamVerifier';
import { corpusFile, makeGrid, pngChunk } from '../support/imageCorpus';

async function verify(bytes: Uint8Array, pieceSize = 65536): Promise<PngStreamVerdict> {
  const verifier = createPngStreamVerifier();
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    verifier.push(bytes.subarray(offset, offset + pieceSize));
  }
  return verifier.end();
}

function cause(verdict: PngStreamVerdict): string {
  assert.ok(!verdict.ok, 'expected a damaged verdict');
  assert.equal(verdict.problem.reason, 'damaged-grid');
  return (verdict.problem.details as { cause: string }).cause;
}

/** A PNG of `raw` (already filtered rows) with a correct CRC everywhere, to build invalid-but-consistent files. */
function pngOf(width: number, height: number, raw: Buffer, colourType = 2): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colourType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

test('a good grid decodes, whatever the piece size; so do interlaced and 16-bit PNGs', async () => {
  const grid = new Uint8Array(await makeGrid(640, 960, 'png'));
  for (const pieceSize of [7, 4096, 1 << 20]) {
    const verdict = await verify(grid, pieceSize);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.deepEqual([verdict.width, verdict.height], [640, 960]);
  }
  const small = new Uint8Array(await makeGrid(128, 192, 'png'));
  assert.ok((await verify(small, 1)).ok, 'byte by byte');
  const interlaced = new Uint8Array(fs.readFileSync((await corpusFile('interlacedPng16')).file));
  const verdict = await verify(interlaced, 10_000);
  assert.ok(verdict.ok && verdict.interlaced && verdict.bitDepth === 16);
});

test('damage is found: flipped byte (CRC), cut short, not a PNG', async () => {
  const grid = Buffer.from(await makeGrid(640, 960, 'png'));
  const flipped = Buffer.from(grid);
  flipped[Math.floor(grid.length / 2)] ^= 0x01;
  assert.equal(cause(await verify(flipped)), 'chunk CRC mismatch');
  assert.match(cause(await verify(grid.subarray(0, grid.length - 100))), /truncated/);
  assert.equal(cause(await verify(Buffer.from('<html>503</html>'))), 'not a PNG signature');
});

test('consistent-looking but undecodable: short image data, a bad filter byte, a corrupt deflate stream', async () => {
  const width = 64;
  const height = 48;
  const rowBytes = 1 + width * 3;
  assert.match(cause(await verify(pngOf(width, height, Buffer.alloc(rowBytes * (height - 1))))), /the header says/);
  const badFilter = Buffer.alloc(rowBytes * height);
  badFilter[rowBytes * 5] = 9;
  assert.equal(cause(await verify(pngOf(width, height, badFilter))), 'invalid row filter');
  const good = pngOf(width, height, Buffer.alloc(rowBytes * height));
  // Rebuild with an IDAT whose deflate data is garbage but whose CRC is right.
  const idatStart = good.indexOf('IDAT') + 4;
  const length = good.readUInt32BE(idatStart - 8);
  const corrupt = Buffer.from(good);
  corrupt.fill(0xff, idatStart + 2, idatStart + length);
  corrupt.writeUInt32BE(zlib.crc32(corrupt.subarray(idatStart - 4, idatStart + length)) >>> 0, idatStart + length);
  assert.match(cause(await verify(corrupt)), /does not inflate|header says/);
  assert.ok((await verify(good)).ok);
});
