/**
 * Is this download really the 3D model that was asked for? Checks the bytes of a GLB, glTF, OBJ, STL or PLY file
 * structurally (headers, declared lengths, chunk bounds, counts) without decoding the mesh, and answers in plain
 * data: the facts a person would want (triangles, vertices) or the reason it is not usable, which the extension host
 * words for the user (an HTML page saved under a .glb name is `not-a-model` with `looksLike: 'html'`).
 *
 * Pure TypeScript over Uint8Array (no Node, no vscode, no three.js; images are recognised by src/image's sniffer). Work is linear in the file's size and touches
 * each byte at most once; text formats are scanned as bytes, never decoded whole.
 */

import { sniffImageMime } from '../image/imageFormat';
import { isRecord } from '../shared/isRecord';
import { type ModelFormat, MODEL_FORMATS } from '../shared/viewerMessages';

export type ModelFileProblem =
  /** No bytes at all. */
  | 'empty'
  /** Not a 3D model: see `looksLike` (an HTML or JSON answer, an image, an archive, other text or binary). */
  | 'not-a-model'
  /** A model, but in another format than the one asked for: see `actual`. */
  | 'wrong-format'
  /** Shorter than its own header says: the download stopped early. */
  | 'truncated'
  /** The structure is broken (bad chunk, unparseable JSON, bad counts). */
  | 'malformed'
  /** A format version this product does not read (glTF 1.0). */
  | 'unsupported-version'
  /** Well-formed but with nothing to show (no faces and no points). */
  | 'empty-model';

export type LooksLike = 'html' | 'xml' | 'json' | 'image' | 'archive' | 'text' | 'binary';

export interface ModelFileFacts {
  readonly ok: true;
  readonly format: ModelFormat;
  /** STL and PLY come as text or binary. */
  readonly encoding?: 'ascii' | 'binary';
  /** Triangles drawn (faces with more corners count as a fan of triangles); 0 for a point cloud. */
  readonly triangles: number;
  /** Vertices (glTF: POSITION entries of the drawn primitives; OBJ: `v` lines; STL: 3 per facet; PLY: `element vertex`). */
  readonly vertices: number;
  /** glTF/GLB: `extensionsRequired` (for example KHR_draco_mesh_compression, which the viewer cannot decode). */
  readonly extensionsRequired?: readonly string[];
  /** glTF/GLB: the relative files it refers to (buffers and images that are not embedded). */
  readonly externalFiles?: readonly string[];
}

export interface ModelFileRejection {
  readonly ok: false;
  readonly reason: ModelFileProblem;
  /** For `not-a-model`: what the bytes look like instead. */
  readonly looksLike?: LooksLike;
  /** For `wrong-format`: the format the bytes are in. */
  readonly actual?: ModelFormat;
  /** English, for a log or the sidecar: what exactly is wrong. Never contains the file's content. */
  readonly detail: string;
}

export type ModelFileCheck = ModelFileFacts | ModelFileRejection;

/** The file extension (with the dot) a model of each format is saved with. */
export const MODEL_FILE_EXTENSIONS: Readonly<Record<ModelFormat, string>> = {
  glb: '.glb',
  gltf: '.gltf',
  obj: '.obj',
  stl: '.stl',
  ply: '.ply',
};

/** The format of a model file from its name, if its extension is one of ours. */
export function modelFormatFromFileName(name: string): ModelFormat | undefined {
  const extension = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  return MODEL_FORMATS.find((format) => format === extension);
}

/**
 * The format the bytes are in, judged from their first bytes and their size, or undefined when they are none of
 * ours. Cheap (reads at most the first 64 KiB): pick a file extension with it, then `checkModelFile` the bytes.
 */
export function sniffModelFormat(bytes: Uint8Array): ModelFormat | undefined {
  if (bytes.length >= 4 && readUint32(bytes, 0) === GLB_MAGIC) {
    return 'glb';
  }
  if (startsWithLine(bytes, 'ply')) {
    return 'ply';
  }
  if (looksLikeAsciiStl(bytes)) {
    return 'stl';
  }
  if (bytes.length >= 84 && bytes.length === binaryStlLength(readUint32(bytes, 80))) {
    return 'stl';
  }
  const first = firstNonSpaceByte(bytes);
  if (first === BRACE && looksLikeGltfJson(bytes)) {
    return 'gltf';
  }
  if (looksLikeText(bytes) && firstObjKeyword(bytes) !== undefined && hasObjVertexLine(bytes)) {
    return 'obj';
  }
  return undefined;
}

/** Whether `bytes` are a usable model of the `expected` format, with its facts, or why not. */
export function checkModelFile(bytes: Uint8Array, expected: ModelFormat): ModelFileCheck {
  if (bytes.length === 0) {
    return reject('empty', 'the file has no bytes');
  }
  const actual = sniffModelFormat(bytes);
  if (actual !== undefined && actual !== expected) {
    return { ok: false, reason: 'wrong-format', actual, detail: `the bytes are ${actual.toUpperCase()}, not ${expected.toUpperCase()}` };
  }
  switch (expected) {
    case 'glb':
      return checkGlb(bytes);
    case 'gltf':
      return checkGltf(bytes);
    case 'obj':
      return checkObj(bytes);
    case 'stl':
      return checkStl(bytes);
    case 'ply':
      return checkPly(bytes);
  }
}

// ------------------------------------------------------------------------------------------------ GLB and glTF

const GLB_MAGIC = 0x46546c67; // 'glTF'
const GLB_CHUNK_JSON = 0x4e4f534a; // 'JSON'
const GLB_CHUNK_BIN = 0x004e4942; // 'BIN\0'
const GLB_HEADER_BYTES = 12;
const GLB_CHUNK_HEADER_BYTES = 8;

function checkGlb(bytes: Uint8Array): ModelFileCheck {
  if (bytes.length < 4 || readUint32(bytes, 0) !== GLB_MAGIC) {
    return notAModel(bytes, 'GLB');
  }
  if (bytes.length < GLB_HEADER_BYTES + GLB_CHUNK_HEADER_BYTES) {
    return reject('truncated', `only ${bytes.length} bytes: shorter than a GLB header`);
  }
  const version = readUint32(bytes, 4);
  if (version !== 2) {
    return reject('unsupported-version', `GLB container version ${version} (only version 2 is glTF 2.0)`);
  }
  const declaredLength = readUint32(bytes, 8);
  if (declaredLength > bytes.length) {
    return reject('truncated', `the header says ${declaredLength} bytes, the file has ${bytes.length}`);
  }
  if (declaredLength !== bytes.length) {
    return reject('malformed', `the header says ${declaredLength} bytes, the file has ${bytes.length}`);
  }
  const chunks: { type: number; start: number; length: number }[] = [];
  for (let offset = GLB_HEADER_BYTES; offset < declaredLength; ) {
    if (offset + GLB_CHUNK_HEADER_BYTES > declaredLength) {
      return reject('malformed', `a chunk header at byte ${offset} runs past the end`);
    }
    const length = readUint32(bytes, offset);
    const type = readUint32(bytes, offset + 4);
    const start = offset + GLB_CHUNK_HEADER_BYTES;
    if (start + length > declaredLength) {
      return reject('malformed', `chunk ${chunks.length} (${length} bytes at byte ${start}) runs past the end`);
    }
    chunks.push({ type, start, length });
    offset = start + length;
  }
  if (chunks.length === 0 || chunks[0].type !== GLB_CHUNK_JSON) {
    return reject('malformed', 'the first chunk is not the JSON chunk');
  }
  const json = parseJson(bytes.subarray(chunks[0].start, chunks[0].start + chunks[0].length));
  if (json === undefined) {
    return reject('malformed', 'the JSON chunk is not valid UTF-8 JSON');
  }
  const binChunk = chunks[1]?.type === GLB_CHUNK_BIN ? chunks[1] : undefined;
  return describeGltf(json, 'glb', binChunk?.length);
}

function checkGltf(bytes: Uint8Array): ModelFileCheck {
  if (firstNonSpaceByte(bytes) !== BRACE) {
    return notAModel(bytes, 'glTF');
  }
  const json = parseJson(bytes);
  if (json === undefined) {
    return reject('malformed', 'the file is not valid UTF-8 JSON');
  }
  if (!isRecord(json.asset)) {
    return { ok: false, reason: 'not-a-model', looksLike: 'json', detail: 'JSON without a glTF "asset" object' };
  }
  return describeGltf(json, 'gltf', undefined);
}

/** The facts of a parsed glTF document; `binLength` is the GLB's BIN chunk size (undefined: none, or a .gltf). */
function describeGltf(json: Record<string, unknown>, format: 'glb' | 'gltf', binLength: number | undefined): ModelFileCheck {
  const asset = json.asset;
  if (!isRecord(asset) || typeof asset.version !== 'string') {
    return reject('malformed', 'no asset.version');
  }
  if (!/^2\.\d+$/.test(asset.version)) {
    return reject('unsupported-version', `glTF asset.version "${asset.version.slice(0, 20)}" (only 2.x is read)`);
  }
  const buffers = arrayOfRecords(json.buffers);
  const bufferViews = arrayOfRecords(json.bufferViews);
  const accessors = arrayOfRecords(json.accessors);
  const meshes = arrayOfRecords(json.meshes);
  if (!buffers || !bufferViews || !accessors || !meshes) {
    return reject('malformed', 'buffers, bufferViews, accessors or meshes is not a list of objects');
  }
  const bufferLengths: number[] = [];
  for (const [index, buffer] of buffers.entries()) {
    if (!isCount(buffer.byteLength)) {
      return reject('malformed', `buffer ${index} has no valid byteLength`);
    }
    bufferLengths.push(buffer.byteLength);
  }
  const storedIndex = buffers.findIndex((buffer, index) => buffer.uri === undefined && (format === 'gltf' || index > 0));
  if (storedIndex >= 0) {
    return reject('malformed', `buffer ${storedIndex} has no uri (only a GLB's first buffer may be stored in the file)`);
  }
  if (format === 'glb' && buffers.length > 0 && buffers[0].uri === undefined) {
    if (binLength === undefined) {
      return reject('malformed', 'buffer 0 is the GLB-stored buffer, but there is no BIN chunk');
    }
    if (bufferLengths[0] > binLength) {
      return reject('truncated', `buffer 0 needs ${bufferLengths[0]} bytes, the BIN chunk has ${binLength}`);
    }
  }
  for (const [index, view] of bufferViews.entries()) {
    const offset = view.byteOffset ?? 0;
    if (!isCount(view.buffer) || view.buffer >= buffers.length || !isCount(offset) || !isCount(view.byteLength)) {
      return reject('malformed', `bufferView ${index} has no valid buffer, byteOffset or byteLength`);
    }
    if (offset + view.byteLength > bufferLengths[view.buffer]) {
      return reject('malformed', `bufferView ${index} runs past the end of buffer ${view.buffer}`);
    }
  }
  const countOf = (accessor: unknown): number | undefined => {
    const entry = isCount(accessor) ? accessors[accessor] : undefined;
    return entry && isCount(entry.count) ? entry.count : undefined;
  };
  // What each mesh draws, then what the scene draws: a mesh used by two nodes is drawn (and counted) twice.
  const meshCounts: { triangles: number; vertices: number }[] = [];
  for (const [index, mesh] of meshes.entries()) {
    const primitives = arrayOfRecords(mesh.primitives);
    if (!primitives) {
      return reject('malformed', `mesh ${index} has no list of primitives`);
    }
    let triangles = 0;
    let vertices = 0;
    for (const primitive of primitives) {
      const positions = isRecord(primitive.attributes) ? countOf(primitive.attributes.POSITION) : undefined;
      if (positions === undefined) {
        return reject('malformed', `a primitive of mesh ${index} has no valid POSITION accessor`);
      }
      const corners = primitive.indices === undefined ? positions : countOf(primitive.indices);
      if (corners === undefined) {
        return reject('malformed', `a primitive of mesh ${index} has an invalid indices accessor`);
      }
      triangles += trianglesOfPrimitive(primitive.mode ?? 4, corners);
      vertices += positions;
    }
    meshCounts.push({ triangles, vertices });
  }
  const drawn = countDrawnMeshes(json, meshCounts.length);
  const totals = drawn.reduce(
    (sum, meshIndex) => ({ triangles: sum.triangles + meshCounts[meshIndex].triangles, vertices: sum.vertices + meshCounts[meshIndex].vertices }),
    { triangles: 0, vertices: 0 },
  );
  if (totals.triangles === 0 && totals.vertices === 0) {
    return reject('empty-model', 'the scene draws no mesh');
  }
  const externalFiles = [...buffers, ...(arrayOfRecords(json.images) ?? [])]
    .map((entry) => entry.uri)
    .filter((uri): uri is string => typeof uri === 'string' && !uri.startsWith('data:'));
  const extensionsRequired = Array.isArray(json.extensionsRequired)
    ? json.extensionsRequired.filter((name): name is string => typeof name === 'string')
    : [];
  return { ok: true, format, ...totals, extensionsRequired, externalFiles };
}

/** glTF primitive modes: 4 triangles, 5 strip, 6 fan; 0–3 are points and lines. */
function trianglesOfPrimitive(mode: unknown, corners: number): number {
  if (mode === 4) return Math.floor(corners / 3);
  if (mode === 5 || mode === 6) return Math.max(0, corners - 2);
  return 0;
}

/**
 * The mesh index of every node of the default scene (or the first) that draws one, children included, each node
 * once; a file without scenes draws each mesh once (as three.js does).
 */
function countDrawnMeshes(json: Record<string, unknown>, meshCount: number): number[] {
  const scenes = arrayOfRecords(json.scenes) ?? [];
  const nodes = arrayOfRecords(json.nodes) ?? [];
  const scene = scenes[isCount(json.scene) ? json.scene : 0];
  if (!scene) {
    return Array.from({ length: meshCount }, (_, index) => index);
  }
  const drawn: number[] = [];
  const visited = new Set<number>();
  const pending = Array.isArray(scene.nodes) ? [...scene.nodes] : [];
  while (pending.length > 0) {
    const index = pending.pop();
    if (!isCount(index) || index >= nodes.length || visited.has(index)) {
      continue;
    }
    visited.add(index);
    const node = nodes[index];
    if (isCount(node.mesh) && node.mesh < meshCount) {
      drawn.push(node.mesh);
    }
    if (Array.isArray(node.children)) {
      pending.push(...node.children);
    }
  }
  return drawn;
}

function looksLikeGltfJson(bytes: Uint8Array): boolean {
  // Only the first bytes: a glTF's "asset" object is usually first, and always near the top when written by a tool.
  const head = asciiText(bytes, 0, Math.min(bytes.length, 4096));
  return /"asset"\s*:\s*\{/.test(head) || (/"(accessors|bufferViews|meshes)"\s*:\s*\[/.test(head) && isRecord(parseJson(bytes)?.asset));
}

// ---------------------------------------------------------------------------------------------------- OBJ

const OBJ_KEYWORDS = new Set([
  'v', 'vt', 'vn', 'vp', 'f', 'l', 'p', 'o', 'g', 's', 'mtllib', 'usemtl', 'cstype', 'deg', 'curv', 'curv2', 'surf',
  'parm', 'trim', 'hole', 'scrv', 'sp', 'end', 'con', 'mg', 'bevel', 'c_interp', 'd_interp', 'lod', 'shadow_obj',
  'trace_obj', 'ctech', 'stech', 'call', 'csh',
]);

function checkObj(bytes: Uint8Array): ModelFileCheck {
  if (!looksLikeText(bytes) || firstObjKeyword(bytes) === undefined) {
    return notAModel(bytes, 'OBJ');
  }
  let vertices = 0;
  let triangles = 0;
  let points = 0;
  let badLine: number | undefined;
  let lineNumber = 0;
  forEachLine(bytes, 0, (start, end) => {
    lineNumber++;
    const keywordEnd = tokenEnd(bytes, start, end);
    const keywordLength = keywordEnd - start;
    if (keywordLength === 0 || bytes[start] === HASH) {
      return true;
    }
    if (keywordLength === 1 && bytes[start] === V) {
      vertices++;
    } else if (keywordLength === 1 && bytes[start] === F) {
      const corners = countTokens(bytes, keywordEnd, end);
      if (corners < 3) {
        badLine = lineNumber;
        return false;
      }
      triangles += corners - 2;
    } else if (keywordLength === 1 && bytes[start] === P) {
      points += countTokens(bytes, keywordEnd, end);
    } else if (keywordLength > 16 || !OBJ_KEYWORDS.has(asciiText(bytes, start, keywordEnd))) {
      badLine = lineNumber;
      return false;
    }
    return true;
  });
  if (badLine !== undefined) {
    return reject('malformed', `line ${badLine} is not an OBJ statement (or a face with fewer than 3 corners)`);
  }
  if (vertices === 0 || (triangles === 0 && points === 0)) {
    return reject('empty-model', `${vertices} vertices and no faces`);
  }
  return { ok: true, format: 'obj', triangles, vertices };
}

/** The first statement's keyword if it is an OBJ keyword (comments and blank lines skipped). */
function firstObjKeyword(bytes: Uint8Array): string | undefined {
  let keyword: string | undefined;
  forEachLine(bytes, 0, (start, end) => {
    const keywordEnd = tokenEnd(bytes, start, end);
    if (keywordEnd === start || bytes[start] === HASH) {
      return start < SNIFF_BYTES;
    }
    const candidate = asciiText(bytes, start, Math.min(keywordEnd, start + 16));
    keyword = OBJ_KEYWORDS.has(candidate) ? candidate : undefined;
    return false;
  });
  return keyword;
}

function hasObjVertexLine(bytes: Uint8Array): boolean {
  let found = false;
  forEachLine(bytes, 0, (start, end) => {
    found = tokenEnd(bytes, start, end) === start + 1 && bytes[start] === V;
    return !found && start < SNIFF_BYTES;
  });
  return found;
}

// ---------------------------------------------------------------------------------------------------- STL

const STL_HEADER_BYTES = 84;
const STL_FACET_BYTES = 50;

function binaryStlLength(facets: number): number {
  return STL_HEADER_BYTES + STL_FACET_BYTES * facets;
}

function checkStl(bytes: Uint8Array): ModelFileCheck {
  if (looksLikeAsciiStl(bytes)) {
    return checkAsciiStl(bytes);
  }
  if (startsWithWord(bytes, 'solid') && looksLikeText(bytes)) {
    // "solid" then text without facets: an ASCII STL cut short (or empty); a binary one would not be all text.
    return checkAsciiStl(bytes);
  }
  const describedAs = describeBytes(bytes);
  if (bytes.length < STL_HEADER_BYTES) {
    return describedAs === 'binary' ? reject('truncated', `only ${bytes.length} bytes: shorter than a binary STL header`) : notAModel(bytes, 'STL');
  }
  const facets = readUint32(bytes, 80);
  const expected = binaryStlLength(facets);
  if (bytes.length === expected) {
    return facets === 0 ? reject('empty-model', 'a binary STL with 0 facets') : { ok: true, format: 'stl', encoding: 'binary', triangles: facets, vertices: facets * 3 };
  }
  if (describedAs !== 'binary') {
    return notAModel(bytes, 'STL');
  }
  if (bytes.length < expected) {
    return reject('truncated', `the header promises ${facets} facets (${expected} bytes), the file has ${bytes.length} bytes`);
  }
  return reject('malformed', `the header promises ${facets} facets (${expected} bytes), the file has ${bytes.length} bytes`);
}

function checkAsciiStl(bytes: Uint8Array): ModelFileCheck {
  let facets = 0;
  let vertices = 0;
  let ended = false;
  forEachLine(bytes, 0, (start, end) => {
    const wordEnd = tokenEnd(bytes, start, end);
    if (isWord(bytes, start, wordEnd, 'vertex')) vertices++;
    else if (isWord(bytes, start, wordEnd, 'facet')) facets++;
    else if (isWord(bytes, start, wordEnd, 'endsolid')) ended = true;
    return true;
  });
  if (!ended) {
    return reject('truncated', `an ASCII STL without "endsolid" (${facets} facets read)`);
  }
  if (facets === 0) {
    return reject('empty-model', 'an ASCII STL with no facets');
  }
  if (vertices < facets * 3) {
    return reject('malformed', `${facets} facets but only ${vertices} vertices`);
  }
  return { ok: true, format: 'stl', encoding: 'ascii', triangles: vertices - facets * 2, vertices };
}

function looksLikeAsciiStl(bytes: Uint8Array): boolean {
  if (!startsWithWord(bytes, 'solid')) {
    return false;
  }
  // A binary STL's 80-byte header may begin with "solid" too; a text one has "facet" soon after.
  return /\bfacet\b/i.test(asciiText(bytes, 0, Math.min(bytes.length, 1024))) && looksLikeText(bytes);
}

// ---------------------------------------------------------------------------------------------------- PLY

const PLY_TYPE_BYTES: Readonly<Record<string, number>> = {
  char: 1, uchar: 1, int8: 1, uint8: 1,
  short: 2, ushort: 2, int16: 2, uint16: 2,
  int: 4, uint: 4, int32: 4, uint32: 4, float: 4, float32: 4,
  double: 8, float64: 8,
};

interface PlyProperty {
  readonly name: string;
  /** Fixed-size property: its bytes. */
  readonly bytes?: number;
  /** List property: the count's and each item's bytes. */
  readonly list?: { readonly countBytes: number; readonly itemBytes: number };
}

interface PlyElement {
  readonly name: string;
  readonly count: number;
  readonly properties: PlyProperty[];
}

function checkPly(bytes: Uint8Array): ModelFileCheck {
  if (!startsWithLine(bytes, 'ply')) {
    return notAModel(bytes, 'PLY');
  }
  const headerEnd = findHeaderEnd(bytes);
  if (headerEnd === undefined) {
    return bytes.length < SNIFF_BYTES ? reject('truncated', 'the PLY header has no end_header') : reject('malformed', 'no end_header in the first 64 KiB');
  }
  let encoding: string | undefined;
  const elements: PlyElement[] = [];
  let headerError: string | undefined;
  forEachLine(bytes.subarray(0, headerEnd.lineStart), 0, (start, end) => {
    const words = asciiText(bytes, start, end).trim().split(/\s+/);
    if (words[0] === 'format') {
      encoding = words[1];
      if (words[2] !== '1.0') headerError = `PLY format version "${words[2] ?? ''}"`;
    } else if (words[0] === 'element') {
      const count = Number(words[2]);
      if (words.length !== 3 || !Number.isSafeInteger(count) || count < 0) headerError = `element line "${words.join(' ').slice(0, 60)}"`;
      else elements.push({ name: words[1], count, properties: [] });
    } else if (words[0] === 'property') {
      const property = parsePlyProperty(words);
      const element = elements[elements.length - 1];
      if (!property || !element) headerError = `property line "${words.join(' ').slice(0, 60)}"`;
      else element.properties.push(property);
    } else if (!['ply', 'comment', 'obj_info', ''].includes(words[0])) {
      headerError = `header line "${words.join(' ').slice(0, 60)}"`;
    }
    return headerError === undefined;
  });
  if (headerError !== undefined) {
    return reject('malformed', `unreadable PLY header: ${headerError}`);
  }
  if (encoding !== 'ascii' && encoding !== 'binary_little_endian' && encoding !== 'binary_big_endian') {
    return reject('malformed', encoding === undefined ? 'the PLY header has no format line' : `unknown PLY format "${encoding.slice(0, 40)}"`);
  }
  const vertexElement = elements.find((element) => element.name === 'vertex');
  if (!vertexElement) {
    return reject('malformed', 'the PLY header declares no vertex element');
  }
  const body = headerEnd.bodyStart;
  const counted =
    encoding === 'ascii' ? countAsciiPlyFaces(bytes, body, elements) : countBinaryPlyFaces(bytes, body, elements, encoding === 'binary_little_endian');
  if (typeof counted === 'string') {
    return reject(counted.startsWith('truncated') ? 'truncated' : 'malformed', counted);
  }
  if (vertexElement.count === 0) {
    return reject('empty-model', 'a PLY with 0 vertices');
  }
  return {
    ok: true,
    format: 'ply',
    encoding: encoding === 'ascii' ? 'ascii' : 'binary',
    triangles: counted,
    vertices: vertexElement.count,
  };
}

function parsePlyProperty(words: string[]): PlyProperty | undefined {
  if (words[1] === 'list') {
    const countBytes = PLY_TYPE_BYTES[words[2]];
    const itemBytes = PLY_TYPE_BYTES[words[3]];
    return words.length === 5 && countBytes && itemBytes ? { name: words[4], list: { countBytes, itemBytes } } : undefined;
  }
  const size = PLY_TYPE_BYTES[words[1]];
  return words.length === 3 && size ? { name: words[2], bytes: size } : undefined;
}

/** Where `end_header` is: the start of its line and of the body after it. */
function findHeaderEnd(bytes: Uint8Array): { lineStart: number; bodyStart: number } | undefined {
  let found: { lineStart: number; bodyStart: number } | undefined;
  forEachLine(bytes, 0, (start, end, next) => {
    if (asciiText(bytes, start, Math.min(end, start + 11)).trim() === 'end_header' && end - start <= 12) {
      found = { lineStart: start, bodyStart: next };
      return false;
    }
    return next < SNIFF_BYTES;
  });
  return found;
}

/** Triangles in a binary PLY body, walking the list records; or a reason (starting "truncated" when short). */
function countBinaryPlyFaces(bytes: Uint8Array, bodyStart: number, elements: PlyElement[], littleEndian: boolean): number | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = bodyStart;
  let triangles = 0;
  for (const element of elements) {
    const fixedBytes = element.properties.every((property) => property.bytes !== undefined)
      ? element.properties.reduce((sum, property) => sum + (property.bytes ?? 0), 0)
      : undefined;
    if (fixedBytes !== undefined) {
      offset += fixedBytes * element.count;
      if (offset > bytes.length) {
        return `truncated: the ${element.name} element needs ${offset - bodyStart} body bytes, the file has ${bytes.length - bodyStart}`;
      }
      continue;
    }
    const isFace = element.name === 'face';
    const only = element.properties.length === 1 ? element.properties[0].list : undefined;
    if (only && only.countBytes === 1) {
      // The usual face element (one `list uchar int vertex_indices`): a tight walk, byte by byte.
      const countsCorners = isFace && ['vertex_indices', 'vertex_index'].includes(element.properties[0].name);
      for (let record = 0; record < element.count; record++) {
        if (offset >= bytes.length) {
          return `truncated: ${element.name} ${record} of ${element.count} is cut off`;
        }
        const corners = bytes[offset];
        offset += 1 + corners * only.itemBytes;
        if (countsCorners && corners > 2) triangles += corners - 2;
      }
      if (offset > bytes.length) {
        return `truncated: the last ${element.name} is cut off`;
      }
      continue;
    }
    for (let record = 0; record < element.count; record++) {
      for (const property of element.properties) {
        if (property.bytes !== undefined) {
          offset += property.bytes;
          continue;
        }
        const list = property.list;
        if (!list || offset + list.countBytes > bytes.length) {
          return `truncated: ${element.name} ${record} of ${element.count} is cut off`;
        }
        const count = readPlyCount(view, offset, list.countBytes, littleEndian);
        offset += list.countBytes + count * list.itemBytes;
        if (isFace && (property.name === 'vertex_indices' || property.name === 'vertex_index')) {
          triangles += Math.max(0, count - 2);
        }
      }
      if (offset > bytes.length) {
        return `truncated: ${element.name} ${record} of ${element.count} is cut off`;
      }
    }
  }
  return triangles;
}

function readPlyCount(view: DataView, offset: number, size: number, littleEndian: boolean): number {
  if (size === 1) return view.getUint8(offset);
  if (size === 2) return view.getUint16(offset, littleEndian);
  return view.getUint32(offset, littleEndian);
}

/** Triangles in an ASCII PLY body: one record a line, in the header's element order. */
function countAsciiPlyFaces(bytes: Uint8Array, bodyStart: number, elements: PlyElement[]): number | string {
  let element = 0;
  let record = 0;
  let triangles = 0;
  let problem: string | undefined;
  const skipFinished = () => {
    while (element < elements.length && record >= elements[element].count) {
      element++;
      record = 0;
    }
  };
  skipFinished();
  forEachLine(bytes, bodyStart, (start, end) => {
    if (element >= elements.length) {
      return false;
    }
    if (tokenEnd(bytes, start, end) === start) {
      return true;
    }
    if (elements[element].name === 'face') {
      const corners = Number(asciiText(bytes, start, tokenEnd(bytes, start, end)));
      if (!Number.isSafeInteger(corners) || corners < 0) {
        problem = `face ${record} does not start with its corner count`;
        return false;
      }
      triangles += Math.max(0, corners - 2);
    }
    record++;
    skipFinished();
    return true;
  });
  if (problem !== undefined) {
    return problem;
  }
  if (element < elements.length) {
    return `truncated: ${record} of ${elements[element].count} ${elements[element].name} records`;
  }
  return triangles;
}

// ------------------------------------------------------------------------------------------- bytes and text

/** How far the quick looks (sniffing, headers) read. */
const SNIFF_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const BRACE = 0x7b;
const BRACKET = 0x5b;
const LESS_THAN = 0x3c;
const V = 0x76;
const F = 0x66;
const P = 0x70;

function reject(reason: ModelFileProblem, detail: string): ModelFileRejection {
  return { ok: false, reason, detail };
}

function notAModel(bytes: Uint8Array, formatName: string): ModelFileRejection {
  const looksLike = describeBytes(bytes);
  return { ok: false, reason: 'not-a-model', looksLike, detail: `not ${formatName}: the bytes look like ${looksLike === 'image' || looksLike === 'archive' ? `an ${looksLike}` : looksLike}` };
}

/** What bytes that are not a model look like, for the message the user gets. */
export function describeBytes(bytes: Uint8Array): LooksLike {
  const startsWith = (...signature: number[]) => signature.every((value, index) => bytes[index] === value);
  if (sniffImageMime(bytes) !== undefined || asciiText(bytes, 0, 4) === 'GIF8') {
    return 'image';
  }
  if (startsWith(0x50, 0x4b, 0x03, 0x04) || startsWith(0x1f, 0x8b)) {
    return 'archive';
  }
  if (!looksLikeText(bytes)) {
    return 'binary';
  }
  const first = firstNonSpaceByte(bytes);
  if (first === LESS_THAN) {
    const head = asciiText(bytes, 0, Math.min(bytes.length, 512)).trimStart().toLowerCase();
    return /^<(!doctype html|html|head|body|!--)/.test(head) ? 'html' : head.startsWith('<?xml') ? 'xml' : 'html';
  }
  if (first === BRACE || first === BRACKET) {
    return 'json';
  }
  return 'text';
}

/** No NUL and few control bytes in the first 64 KiB (UTF-8 text passes; float data does not). */
function looksLikeText(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  let control = 0;
  for (let index = 0; index < end; index++) {
    const byte = bytes[index];
    if (byte === 0) return false;
    if (byte < SPACE && byte !== LF && byte !== CR && byte !== TAB && byte !== 0x0c) control++;
  }
  return control <= end / 100;
}

function firstNonSpaceByte(bytes: Uint8Array): number | undefined {
  let index = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) index = 3; // UTF-8 byte order mark
  while (index < bytes.length && isSpace(bytes[index])) index++;
  return bytes[index];
}

function isSpace(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === LF || byte === CR;
}

/** Calls `visit(start, end, next)` for each line from `from`: [start, end) without leading blanks or the line break. */
function forEachLine(bytes: Uint8Array, from: number, visit: (start: number, end: number, next: number) => boolean): void {
  let lineStart = from;
  while (lineStart < bytes.length) {
    let lineEnd = bytes.indexOf(LF, lineStart);
    const next = lineEnd === -1 ? bytes.length : lineEnd + 1;
    if (lineEnd === -1) lineEnd = bytes.length;
    let end = lineEnd;
    if (end > lineStart && bytes[end - 1] === CR) end--;
    let start = lineStart;
    while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
    if (!visit(start, end, next)) return;
    lineStart = next;
  }
}

/** Whether bytes [start, end) are `word` (lower-case ASCII), in any case. */
function isWord(bytes: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let index = 0; index < word.length; index++) {
    if ((bytes[start + index] | 0x20) !== word.charCodeAt(index)) return false;
  }
  return true;
}

function tokenEnd(bytes: Uint8Array, start: number, end: number): number {
  let index = start;
  while (index < end && bytes[index] !== SPACE && bytes[index] !== TAB) index++;
  return index;
}

function countTokens(bytes: Uint8Array, from: number, end: number): number {
  let tokens = 0;
  let inToken = false;
  for (let index = from; index < end; index++) {
    const blank = bytes[index] === SPACE || bytes[index] === TAB;
    if (bytes[index] === HASH && !inToken) break;
    if (!blank && !inToken) tokens++;
    inToken = !blank;
  }
  return tokens;
}

/** Bytes as text, one character per byte (for keywords and headers, which are ASCII). */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let index = start; index < end && index < bytes.length; index++) text += String.fromCharCode(bytes[index]);
  return text;
}

function startsWithLine(bytes: Uint8Array, word: string): boolean {
  const next = bytes[word.length];
  return asciiText(bytes, 0, word.length) === word && (next === LF || next === CR);
}

function startsWithWord(bytes: Uint8Array, word: string): boolean {
  let index = 0;
  while (index < bytes.length && isSpace(bytes[index])) index++;
  const next = bytes[index + word.length];
  return asciiText(bytes, index, index + word.length).toLowerCase() === word && (next === undefined || isSpace(next));
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function parseJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    // GLB pads the JSON chunk with spaces; some writers pad with NULs, which JSON.parse refuses.
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end)));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function arrayOfRecords(value: unknown): Record<string, unknown>[] | undefined {
  if (value === undefined) return [];
  return Array.isArray(value) && value.every(isRecord) ? value : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
