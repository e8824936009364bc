/** Model-file checks (src/core/modelFiles.ts) on models the tests make: is a download really the model asked for? */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkModelFile,
  type ModelFileCheck,
  MODEL_FILE_EXTENSIONS,
  modelFormatFromFileName,
  sniffModelFormat,
} from '../../src/core/modelFiles';
import {
  checkerPng,
  glbContainer,
  lathedVase,
  triangleCount,
  utf8,
  vertexCount,
  writeGlb,
  writeGltfEmbedded,
  writeGltfWithBin,
  writeObj,
  writePlyAscii,
  writePlyBinary,
  writeStlAscii,
  writeStlBinary,
} from '../support/modelFixtures';

const vase = lathedVase();
const TRIANGLES = triangleCount(vase);
const VERTICES = vertexCount(vase);

const HTML_PAGE = utf8('<!DOCTYPE html>\n<html><head><title>Link expired</title></head><body><h1>403 Forbidden</h1></body></html>\n');
const JSON_ERROR = utf8('{"status":"error","message":"Request expired, generate again"}');

function assertOk(check: ModelFileCheck): asserts check is Extract<ModelFileCheck, { ok: true }> {
  assert.equal(check.ok, true, check.ok ? '' : `rejected: ${check.reason} (${check.detail})`);
}

function assertRejected(check: ModelFileCheck, reason: string): Extract<ModelFileCheck, { ok: false }> {
  assert.equal(check.ok, false, 'the file is rejected');
  if (check.ok) throw new Error('unreachable');
  assert.equal(check.reason, reason, check.detail);
  assert.ok(check.detail.length > 0, 'it says what is wrong');
  return check;
}

test('the vase fixture is a real mesh of a few thousand triangles', () => {
  assert.equal(TRIANGLES, 4160);
  assert.ok(VERTICES > 2000);
});

describe('GLB', () => {
  const glb = writeGlb(vase);

  test('a valid GLB: format, triangle and vertex counts', () => {
    const check = checkModelFile(glb, 'glb');
    assertOk(check);
    assert.equal(check.format, 'glb');
    assert.equal(check.triangles, TRIANGLES);
    assert.equal(check.vertices, VERTICES);
    assert.deepEqual(check.externalFiles, []);
    assert.deepEqual(check.extensionsRequired, []);
  });

  test('a textured GLB (image in the BIN chunk) is valid too', () => {
    assertOk(checkModelFile(writeGlb(vase, { texture: true }), 'glb'));
  });

  test('a mesh used by two nodes is drawn, and counted, twice', () => {
    const json = {
      asset: { version: '2.0' },
      scenes: [{ nodes: [0, 1] }],
      nodes: [{ mesh: 0 }, { mesh: 0, translation: [1, 0, 0] }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      accessors: [{ count: 6, componentType: 5126, type: 'VEC3' }],
    };
    const check = checkModelFile(glbContainer(json), 'glb');
    assertOk(check);
    assert.equal(check.triangles, 4);
  });

  test('triangle strips and fans count n − 2 triangles', () => {
    const json = {
      asset: { version: '2.0' },
      meshes: [{ primitives: [{ attributes: { POSITION: 0 }, mode: 5 }, { attributes: { POSITION: 0 }, mode: 6 }] }],
      accessors: [{ count: 10, componentType: 5126, type: 'VEC3' }],
    };
    const check = checkModelFile(glbContainer(json), 'glb');
    assertOk(check);
    assert.equal(check.triangles, 16);
  });

  test('required extensions are reported (the viewer cannot decode Draco)', () => {
    const check = checkModelFile(writeGlb(vase, { extensionsRequired: ['KHR_draco_mesh_compression'] }), 'glb');
    assertOk(check);
    assert.deepEqual(check.extensionsRequired, ['KHR_draco_mesh_compression']);
  });

  test('an HTML page saved as .glb (an expired link) is not a model, and looks like HTML', () => {
    const check = assertRejected(checkModelFile(HTML_PAGE, 'glb'), 'not-a-model');
    assert.equal(check.looksLike, 'html');
  });

  test('a JSON error answer saved as .glb is not a model, and looks like JSON', () => {
    assert.equal(assertRejected(checkModelFile(JSON_ERROR, 'glb'), 'not-a-model').looksLike, 'json');
  });

  test('a PNG saved as .glb is not a model, and looks like an image', () => {
    assert.equal(assertRejected(checkModelFile(checkerPng(), 'glb'), 'not-a-model').looksLike, 'image');
  });

  test('an empty download', () => {
    assertRejected(checkModelFile(new Uint8Array(0), 'glb'), 'empty');
  });

  test('a download cut short is truncated (the length field is larger than the file)', () => {
    assertRejected(checkModelFile(glb.subarray(0, Math.floor(glb.length / 2)), 'glb'), 'truncated');
    assertRejected(checkModelFile(glb.subarray(0, 16), 'glb'), 'truncated');
  });

  test('extra bytes after the declared length are malformed', () => {
    const longer = new Uint8Array(glb.length + 8);
    longer.set(glb);
    assertRejected(checkModelFile(longer, 'glb'), 'malformed');
  });

  test('version 1 containers are not glTF 2.0', () => {
    const old = glb.slice();
    new DataView(old.buffer).setUint32(4, 1, true);
    assertRejected(checkModelFile(old, 'glb'), 'unsupported-version');
  });

  test('asset.version must be 2.x', () => {
    assertRejected(checkModelFile(glbContainer({ asset: { version: '1.0' } }), 'glb'), 'unsupported-version');
    assertRejected(checkModelFile(glbContainer({ asset: {} }), 'glb'), 'malformed');
  });

  test('the first chunk must be parseable JSON', () => {
    const broken = glb.slice();
    broken[20] = 0x5b; // '[' ... then the object's text: no longer JSON
    broken[21] = 0x5b;
    assertRejected(checkModelFile(broken, 'glb'), 'malformed');
    const binFirst = glb.slice();
    new DataView(binFirst.buffer).setUint32(16, 0x004e4942, true);
    assertRejected(checkModelFile(binFirst, 'glb'), 'malformed');
  });

  test('a chunk that runs past the end is malformed', () => {
    const long = glb.slice();
    new DataView(long.buffer).setUint32(12, glb.length, true);
    assertRejected(checkModelFile(long, 'glb'), 'malformed');
  });

  test('a BIN chunk smaller than buffer 0 is truncated; a buffer view outside its buffer is malformed', () => {
    const json = { asset: { version: '2.0' }, buffers: [{ byteLength: 64 }], meshes: [] };
    assertRejected(checkModelFile(glbContainer(json, new Uint8Array(32)), 'glb'), 'truncated');
    assertRejected(checkModelFile(glbContainer(json), 'glb'), 'malformed');
    const outside = { ...json, buffers: [{ byteLength: 32 }], bufferViews: [{ buffer: 0, byteOffset: 16, byteLength: 32 }] };
    assertRejected(checkModelFile(glbContainer(outside, new Uint8Array(32)), 'glb'), 'malformed');
  });

  test('a GLB whose scene draws nothing is an empty model', () => {
    assertRejected(checkModelFile(glbContainer({ asset: { version: '2.0' }, scenes: [{ nodes: [] }] }), 'glb'), 'empty-model');
  });

  test('a glTF JSON or another model under a .glb name is the wrong format, and says which', () => {
    const gltf = utf8(writeGltfEmbedded(vase));
    assert.equal(assertRejected(checkModelFile(gltf, 'glb'), 'wrong-format').actual, 'gltf');
    assert.equal(assertRejected(checkModelFile(writeStlBinary(vase), 'glb'), 'wrong-format').actual, 'stl');
    assert.equal(assertRejected(checkModelFile(utf8(writeObj(vase)), 'glb'), 'wrong-format').actual, 'obj');
  });
});

describe('glTF', () => {
  test('embedded buffer: valid, nothing external', () => {
    const check = checkModelFile(utf8(writeGltfEmbedded(vase)), 'gltf');
    assertOk(check);
    assert.equal(check.triangles, TRIANGLES);
    assert.deepEqual(check.externalFiles, []);
  });

  test('external .bin: valid, and the file it needs is named', () => {
    const check = checkModelFile(utf8(writeGltfWithBin(vase, 'vase.bin').gltf), 'gltf');
    assertOk(check);
    assert.deepEqual(check.externalFiles, ['vase.bin']);
  });

  test('a .gltf buffer without a uri is malformed (only a GLB stores a buffer in the file)', () => {
    const json = { asset: { version: '2.0' }, buffers: [{ byteLength: 12 }], meshes: [] };
    assertRejected(checkModelFile(utf8(JSON.stringify(json)), 'gltf'), 'malformed');
  });

  test('JSON that is not glTF', () => {
    assert.equal(assertRejected(checkModelFile(JSON_ERROR, 'gltf'), 'not-a-model').looksLike, 'json');
    assertRejected(checkModelFile(utf8('{"asset": {"version": "2.0"'), 'gltf'), 'malformed');
  });
});

describe('OBJ', () => {
  test('a valid OBJ: faces and v lines', () => {
    const check = checkModelFile(utf8(writeObj(vase)), 'obj');
    assertOk(check);
    assert.equal(check.triangles, TRIANGLES);
    assert.equal(check.vertices, VERTICES);
  });

  test('quads and n-gons count as fans of triangles; CRLF line ends and comments are fine', () => {
    const text = '# a cube side and a pentagon\r\nv 0 0 0\r\nv 1 0 0\r\nv 1 1 0\r\nv 0 1 0\r\nv 0.5 1.5 0\r\nf 1 2 3 4 # quad\r\nf 1 2 3 5 4\r\n';
    const check = checkModelFile(utf8(text), 'obj');
    assertOk(check);
    assert.equal(check.triangles, 5);
    assert.equal(check.vertices, 5);
  });

  test('vertices without faces is an empty model', () => {
    assertRejected(checkModelFile(utf8('v 0 0 0\nv 1 0 0\n'), 'obj'), 'empty-model');
  });

  test('an HTML page, or text that is no OBJ, is not a model', () => {
    assert.equal(assertRejected(checkModelFile(HTML_PAGE, 'obj'), 'not-a-model').looksLike, 'html');
    assert.equal(assertRejected(checkModelFile(utf8('Hello, this is a readme.\n'), 'obj'), 'not-a-model').looksLike, 'text');
  });

  test('an OBJ with a line that is not OBJ is malformed', () => {
    assertRejected(checkModelFile(utf8('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n<html>\n'), 'obj'), 'malformed');
    assertRejected(checkModelFile(utf8('v 0 0 0\nv 1 0 0\nf 1 2\n'), 'obj'), 'malformed');
  });
});

describe('STL', () => {
  test('binary STL: 84 + 50·n bytes', () => {
    const check = checkModelFile(writeStlBinary(vase), 'stl');
    assertOk(check);
    assert.equal(check.encoding, 'binary');
    assert.equal(check.triangles, TRIANGLES);
  });

  test('a binary STL whose header starts with "solid" is still binary', () => {
    const stl = writeStlBinary(vase);
    stl.set(utf8('solid vase exported by a CAD tool'));
    const check = checkModelFile(stl, 'stl');
    assertOk(check);
    assert.equal(check.encoding, 'binary');
  });

  test('ASCII STL: solid … facet … endsolid', () => {
    const check = checkModelFile(utf8(writeStlAscii(vase)), 'stl');
    assertOk(check);
    assert.equal(check.encoding, 'ascii');
    assert.equal(check.triangles, TRIANGLES);
  });

  test('cut short: binary (fewer bytes than the count says) and ASCII (no endsolid)', () => {
    const binary = writeStlBinary(vase);
    assertRejected(checkModelFile(binary.subarray(0, binary.length - 50), 'stl'), 'truncated');
    const ascii = utf8(writeStlAscii(vase));
    assertRejected(checkModelFile(ascii.subarray(0, Math.floor(ascii.length / 2)), 'stl'), 'truncated');
  });

  test('zero facets is an empty model', () => {
    assertRejected(checkModelFile(writeStlBinary({ ...vase, indices: new Uint32Array(0) }), 'stl'), 'empty-model');
  });

  test('an HTML page or JSON answer is not a model', () => {
    assert.equal(assertRejected(checkModelFile(HTML_PAGE, 'stl'), 'not-a-model').looksLike, 'html');
    assert.equal(assertRejected(checkModelFile(JSON_ERROR, 'stl'), 'not-a-model').looksLike, 'json');
  });
});

describe('PLY', () => {
  test('binary PLY with faces', () => {
    const check = checkModelFile(writePlyBinary(vase), 'ply');
    assertOk(check);
    assert.equal(check.encoding, 'binary');
    assert.equal(check.triangles, TRIANGLES);
    assert.equal(check.vertices, VERTICES);
  });

  test('ASCII PLY with faces', () => {
    const check = checkModelFile(utf8(writePlyAscii(vase)), 'ply');
    assertOk(check);
    assert.equal(check.encoding, 'ascii');
    assert.equal(check.triangles, TRIANGLES);
  });

  test('a point cloud (no faces) is valid with 0 triangles', () => {
    const check = checkModelFile(writePlyBinary(vase, { faces: false }), 'ply');
    assertOk(check);
    assert.equal(check.triangles, 0);
    assert.equal(check.vertices, VERTICES);
  });

  test('cut short: binary and ASCII', () => {
    const binary = writePlyBinary(vase);
    assertRejected(checkModelFile(binary.subarray(0, binary.length - 7), 'ply'), 'truncated');
    const ascii = utf8(writePlyAscii(vase));
    assertRejected(checkModelFile(ascii.subarray(0, Math.floor(ascii.length * 0.9)), 'ply'), 'truncated');
    assertRejected(checkModelFile(utf8('ply\nformat ascii 1.0\nelement vertex 3\n'), 'ply'), 'truncated');
  });

  test('a header without format or vertex element is malformed', () => {
    assertRejected(checkModelFile(utf8('ply\nelement vertex 1\nproperty float x\nend_header\n0\n'), 'ply'), 'malformed');
    assertRejected(checkModelFile(utf8('ply\nformat ascii 1.0\nelement face 0\nend_header\n'), 'ply'), 'malformed');
    assertRejected(checkModelFile(utf8('ply\nformat ascii 1.0\nelement vertex 1\nproperty quaternion q\nend_header\n1\n'), 'ply'), 'malformed');
  });

  test('not a model', () => {
    assert.equal(assertRejected(checkModelFile(HTML_PAGE, 'ply'), 'not-a-model').looksLike, 'html');
  });
});

describe('sniffModelFormat and file names', () => {
  test('each writer is recognised from its bytes', () => {
    assert.equal(sniffModelFormat(writeGlb(vase)), 'glb');
    assert.equal(sniffModelFormat(utf8(writeGltfEmbedded(vase))), 'gltf');
    assert.equal(sniffModelFormat(utf8(writeObj(vase))), 'obj');
    assert.equal(sniffModelFormat(writeStlBinary(vase)), 'stl');
    assert.equal(sniffModelFormat(utf8(writeStlAscii(vase))), 'stl');
    assert.equal(sniffModelFormat(writePlyBinary(vase)), 'ply');
    assert.equal(sniffModelFormat(utf8(writePlyAscii(vase))), 'ply');
  });

  test('things that are not models are not recognised', () => {
    for (const bytes of [HTML_PAGE, JSON_ERROR, checkerPng(), new Uint8Array(0), utf8('plain text\n')]) {
      assert.equal(sniffModelFormat(bytes), undefined);
    }
  });

  test('extensions', () => {
    assert.equal(MODEL_FILE_EXTENSIONS.glb, '.glb');
    assert.equal(modelFormatFromFileName('mug-multiview-abc-3d.GLB'), 'glb');
    assert.equal(modelFormatFromFileName('scene.gltf'), 'gltf');
    assert.equal(modelFormatFromFileName('notes.txt'), undefined);
  });
});
