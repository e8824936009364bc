/**
 * 3D model files made by the tests: a real mesh (a vase lathed from a profile curve, a few thousand triangles, with
 * normals and texture coordinates) and small writers for GLB, glTF (with an external .bin or embedded), OBJ, STL
 * (binary and ASCII) and PLY (binary and ASCII, with faces or as a point cloud). Nothing is read from disk.
 */
import { PNG } from 'pngjs';

export interface Mesh {
  /** x, y, z per vertex; y is up. */
  readonly positions: Float32Array;
  readonly normals: Float32Array;
  /** u, v per vertex. */
  readonly uvs: Float32Array;
  /** Three vertex indices per triangle, counter-clockwise seen from outside. */
  readonly indices: Uint32Array;
}

export interface Bounds {
  readonly min: readonly [number, number, number];
  readonly max: readonly [number, number, number];
}

export interface VaseOptions {
  /** Vertices around (default 64). */
  readonly segments?: number;
  /** Rings from foot to lip (default 33). */
  readonly rings?: number;
  /** Height in model units (default 1.2); the widest radius is 0.4 of it. */
  readonly height?: number;
}

/**
 * A vase: a closed-bottom surface of revolution around the y axis, foot at y = 0. Triangles:
 * 2 · segments · (rings − 1) for the wall plus `segments` for the foot (4160 with the defaults).
 */
export function lathedVase(options: VaseOptions = {}): Mesh {
  const segments = options.segments ?? 64;
  const rings = options.rings ?? 33;
  const height = options.height ?? 1.2;
  const columns = segments + 1; // the seam column is doubled so the texture wraps once
  const wallVertices = columns * rings;
  const footVertices = columns + 1;
  const count = wallVertices + footVertices;
  const positions = new Float32Array(count * 3);
  const normals = new Float32Array(count * 3);
  const uvs = new Float32Array(count * 2);
  const radiusAt = (t: number) => height * (0.18 + 0.22 * Math.sin(Math.PI * (0.15 + 0.85 * t)) + 0.06 * t * t);
  const set = (vertex: number, x: number, y: number, z: number, nx: number, ny: number, nz: number, u: number, v: number) => {
    positions.set([x, y, z], vertex * 3);
    const length = Math.hypot(nx, ny, nz) || 1;
    normals.set([nx / length, ny / length, nz / length], vertex * 3);
    uvs.set([u, v], vertex * 2);
  };
  for (let ring = 0; ring < rings; ring++) {
    const t = ring / (rings - 1);
    const radius = radiusAt(t);
    const slope = (radiusAt(Math.min(1, t + 1e-3)) - radiusAt(Math.max(0, t - 1e-3))) / (2e-3 * height);
    for (let column = 0; column < columns; column++) {
      const angle = (2 * Math.PI * column) / segments;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      set(ring * columns + column, radius * cos, t * height, radius * sin, cos, -slope, sin, column / segments, t);
    }
  }
  const footRadius = radiusAt(0);
  for (let column = 0; column < columns; column++) {
    const angle = (2 * Math.PI * column) / segments;
    set(wallVertices + column, footRadius * Math.cos(angle), 0, footRadius * Math.sin(angle), 0, -1, 0, column / segments, 0);
  }
  const footCentre = wallVertices + columns;
  set(footCentre, 0, 0, 0, 0, -1, 0, 0.5, 0);

  const indices = new Uint32Array((2 * segments * (rings - 1) + segments) * 3);
  let next = 0;
  for (let ring = 0; ring < rings - 1; ring++) {
    for (let column = 0; column < segments; column++) {
      const a = ring * columns + column;
      const b = a + 1;
      const c = a + columns;
      const d = c + 1;
      indices.set([a, c, b, b, c, d], next);
      next += 6;
    }
  }
  for (let column = 0; column < segments; column++) {
    indices.set([footCentre, wallVertices + column, wallVertices + column + 1], next);
    next += 3;
  }
  return { positions, normals, uvs, indices };
}

export function triangleCount(mesh: Mesh): number {
  return mesh.indices.length / 3;
}

export function vertexCount(mesh: Mesh): number {
  return mesh.positions.length / 3;
}

export function meshBounds(mesh: Mesh): Bounds {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let index = 0; index < mesh.positions.length; index++) {
    const axis = index % 3;
    min[axis] = Math.min(min[axis], mesh.positions[index]);
    max[axis] = Math.max(max[axis], mesh.positions[index]);
  }
  return { min: [min[0], min[1], min[2]], max: [max[0], max[1], max[2]] };
}

// ------------------------------------------------------------------------------------------------------- glTF

export interface GltfOptions {
  /** Embed a small PNG texture (a terracotta-and-cream checker) as the base colour. */
  readonly texture?: boolean;
  /** Base colour factor (linear RGBA); default a terracotta. */
  readonly baseColor?: readonly [number, number, number, number];
  /** Extensions to list as required (to make a file the viewer must refuse, for example Draco). */
  readonly extensionsRequired?: readonly string[];
}

/** A checker PNG (for the texture test: it must reach the GPU through a blob: URL under the page's CSP). */
export function checkerPng(size = 64, squares = 8): Uint8Array {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const light = (Math.floor((x * squares) / size) + Math.floor((y * squares) / size)) % 2 === 0;
      png.data.set(light ? [236, 224, 200, 255] : [176, 84, 48, 255], (y * size + x) * 4);
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

interface GltfParts {
  readonly json: Record<string, unknown>;
  readonly bin: Uint8Array;
}

/** The glTF document and its one binary buffer (positions, normals, uvs, indices, then the texture if any). */
function gltfParts(mesh: Mesh, options: GltfOptions): GltfParts {
  const pieces: Uint8Array[] = [];
  let length = 0;
  const views: Record<string, unknown>[] = [];
  const addView = (bytes: Uint8Array, target?: number) => {
    pieces.push(bytes);
    views.push({ buffer: 0, byteOffset: length, byteLength: bytes.length, ...(target ? { target } : {}) });
    length += bytes.length;
    const padding = (4 - (length % 4)) % 4;
    if (padding) {
      pieces.push(new Uint8Array(padding));
      length += padding;
    }
    return views.length - 1;
  };
  const asBytes = (array: Float32Array | Uint32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const bounds = meshBounds(mesh);
  const vertices = vertexCount(mesh);
  const positionView = addView(asBytes(mesh.positions), 34962);
  const normalView = addView(asBytes(mesh.normals), 34962);
  const uvView = addView(asBytes(mesh.uvs), 34962);
  const indexView = addView(asBytes(mesh.indices), 34963);
  const accessors = [
    { bufferView: positionView, componentType: 5126, count: vertices, type: 'VEC3', min: [...bounds.min], max: [...bounds.max] },
    { bufferView: normalView, componentType: 5126, count: vertices, type: 'VEC3' },
    { bufferView: uvView, componentType: 5126, count: vertices, type: 'VEC2' },
    { bufferView: indexView, componentType: 5125, count: mesh.indices.length, type: 'SCALAR' },
  ];
  const material: Record<string, unknown> = {
    name: 'glaze',
    pbrMetallicRoughness: { baseColorFactor: [...(options.baseColor ?? [0.6, 0.22, 0.1, 1])], metallicFactor: 0, roughnessFactor: 0.55 },
  };
  const json: Record<string, unknown> = {
    asset: { version: '2.0', generator: 'multiview test fixtures' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ name: 'vase', mesh: 0 }],
    meshes: [{ name: 'vase', primitives: [{ attributes: { POSITION: 0, NORMAL: 1, TEXCOORD_0: 2 }, indices: 3, material: 0, mode: 4 }] }],
    materials: [material],
    accessors,
    bufferViews: views,
  };
  if (options.texture) {
    const imageView = addView(checkerPng());
    json.images = [{ bufferView: imageView, mimeType: 'image/png' }];
    json.samplers = [{ magFilter: 9729, minFilter: 9987, wrapS: 10497, wrapT: 10497 }];
    json.textures = [{ source: 0, sampler: 0 }];
    material.pbrMetallicRoughness = { baseColorTexture: { index: 0 }, metallicFactor: 0, roughnessFactor: 0.6 };
  }
  if (options.extensionsRequired?.length) {
    json.extensionsUsed = [...options.extensionsRequired];
    json.extensionsRequired = [...options.extensionsRequired];
  }
  const bin = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    bin.set(piece, offset);
    offset += piece.length;
  }
  json.buffers = [{ byteLength: bin.length }];
  return { json, bin };
}

/** A GLB (glTF 2.0 binary container): header, JSON chunk padded with spaces, BIN chunk padded with zeros. */
export function writeGlb(mesh: Mesh, options: GltfOptions = {}): Uint8Array {
  const { json, bin } = gltfParts(mesh, options);
  return glbContainer(json, bin);
}

/** A GLB of any JSON and BIN chunk (for malformed-file tests). */
export function glbContainer(json: unknown, bin?: Uint8Array): Uint8Array {
  const jsonBytes = padTo4(new TextEncoder().encode(JSON.stringify(json)), 0x20);
  const binBytes = bin ? padTo4(bin, 0) : undefined;
  const total = 12 + 8 + jsonBytes.length + (binBytes ? 8 + binBytes.length : 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonBytes.length, true);
  view.setUint32(16, 0x4e4f534a, true);
  out.set(jsonBytes, 20);
  if (binBytes) {
    const at = 20 + jsonBytes.length;
    view.setUint32(at, binBytes.length, true);
    view.setUint32(at + 4, 0x004e4942, true);
    out.set(binBytes, at + 8);
  }
  return out;
}

/** A .gltf whose buffer is the file `binName` beside it. */
export function writeGltfWithBin(mesh: Mesh, binName: string, options: GltfOptions = {}): { gltf: string; bin: Uint8Array } {
  const { json, bin } = gltfParts(mesh, options);
  json.buffers = [{ byteLength: bin.length, uri: binName }];
  return { gltf: JSON.stringify(json), bin };
}

/** A self-contained .gltf: the buffer is a base64 data: URI. */
export function writeGltfEmbedded(mesh: Mesh, options: GltfOptions = {}): string {
  const { json, bin } = gltfParts(mesh, options);
  json.buffers = [{ byteLength: bin.length, uri: `data:application/octet-stream;base64,${Buffer.from(bin).toString('base64')}` }];
  return JSON.stringify(json);
}

function padTo4(bytes: Uint8Array, fill: number): Uint8Array {
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4).fill(fill);
  padded.set(bytes);
  return padded;
}

// -------------------------------------------------------------------------------------------- OBJ, STL, PLY

/** Wavefront OBJ: `v`, `vt`, `vn` and `f v/vt/vn` lines (1-based). */
export function writeObj(mesh: Mesh): string {
  const lines = ['# lathed vase, multiview test fixtures', 'o vase'];
  const p = mesh.positions;
  const n = mesh.normals;
  for (let i = 0; i < p.length; i += 3) lines.push(`v ${fixed(p[i])} ${fixed(p[i + 1])} ${fixed(p[i + 2])}`);
  for (let i = 0; i < mesh.uvs.length; i += 2) lines.push(`vt ${fixed(mesh.uvs[i])} ${fixed(mesh.uvs[i + 1])}`);
  for (let i = 0; i < n.length; i += 3) lines.push(`vn ${fixed(n[i])} ${fixed(n[i + 1])} ${fixed(n[i + 2])}`);
  for (let i = 0; i < mesh.indices.length; i += 3) {
    const corner = (k: number) => {
      const index = mesh.indices[i + k] + 1;
      return `${index}/${index}/${index}`;
    };
    lines.push(`f ${corner(0)} ${corner(1)} ${corner(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The mesh with z up (x, y, z) → (x, −z, y): how STL files are usually written (3D printing and CAD). */
export function zUp(mesh: Mesh): Mesh {
  const turn = (array: Float32Array) => {
    const out = new Float32Array(array.length);
    for (let i = 0; i < array.length; i += 3) out.set([array[i], -array[i + 2], array[i + 1]], i);
    return out;
  };
  return { ...mesh, positions: turn(mesh.positions), normals: turn(mesh.normals) };
}

/** Binary STL: 80-byte header, facet count, then 50 bytes a facet (normal, three corners, attribute word). */
export function writeStlBinary(mesh: Mesh): Uint8Array {
  const facets = triangleCount(mesh);
  const out = new Uint8Array(84 + 50 * facets);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('binary STL, lathed vase, multiview test fixtures'));
  view.setUint32(80, facets, true);
  forEachTriangle(mesh, (normal, corners, facet) => {
    const at = 84 + facet * 50;
    [...normal, ...corners.flat()].forEach((value, k) => view.setFloat32(at + k * 4, value, true));
  });
  return out;
}

export function writeStlAscii(mesh: Mesh): string {
  const lines = ['solid vase'];
  forEachTriangle(mesh, (normal, corners) => {
    lines.push(`  facet normal ${normal.map(fixed).join(' ')}`, '    outer loop');
    for (const corner of corners) lines.push(`      vertex ${corner.map(fixed).join(' ')}`);
    lines.push('    endloop', '  endfacet');
  });
  lines.push('endsolid vase');
  return `${lines.join('\n')}\n`;
}

function forEachTriangle(mesh: Mesh, visit: (normal: number[], corners: number[][], index: number) => void): void {
  const p = mesh.positions;
  for (let t = 0; t < mesh.indices.length / 3; t++) {
    const corners = [0, 1, 2].map((k) => {
      const v = mesh.indices[t * 3 + k] * 3;
      return [p[v], p[v + 1], p[v + 2]];
    });
    const [a, b, c] = corners;
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const w = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const cross = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
    const length = Math.hypot(cross[0], cross[1], cross[2]) || 1;
    visit(cross.map((value) => value / length), corners, t);
  }
}

export interface PlyOptions {
  /** Write the faces (default); without them the file is a point cloud. */
  readonly faces?: boolean;
}

/** Binary little-endian PLY: float x y z nx ny nz, uchar red green blue; faces as `list uchar int`. */
export function writePlyBinary(mesh: Mesh, options: PlyOptions = {}): Uint8Array {
  const faces = options.faces === false ? 0 : triangleCount(mesh);
  const vertices = vertexCount(mesh);
  const header = new TextEncoder().encode(plyHeader('binary_little_endian', vertices, faces));
  const out = new Uint8Array(header.length + vertices * 27 + faces * 13);
  out.set(header);
  const view = new DataView(out.buffer);
  let at = header.length;
  for (let v = 0; v < vertices; v++) {
    for (let k = 0; k < 3; k++) view.setFloat32(at + k * 4, mesh.positions[v * 3 + k], true);
    for (let k = 0; k < 3; k++) view.setFloat32(at + 12 + k * 4, mesh.normals[v * 3 + k], true);
    out.set(vertexColour(mesh, v), at + 24);
    at += 27;
  }
  for (let f = 0; f < faces; f++) {
    view.setUint8(at, 3);
    for (let k = 0; k < 3; k++) view.setInt32(at + 1 + k * 4, mesh.indices[f * 3 + k], true);
    at += 13;
  }
  return out;
}

export function writePlyAscii(mesh: Mesh, options: PlyOptions = {}): string {
  const faces = options.faces === false ? 0 : triangleCount(mesh);
  const vertices = vertexCount(mesh);
  const lines = [plyHeader('ascii', vertices, faces).trimEnd()];
  for (let v = 0; v < vertices; v++) {
    const values = [...mesh.positions.subarray(v * 3, v * 3 + 3), ...mesh.normals.subarray(v * 3, v * 3 + 3)].map(fixed);
    lines.push([...values, ...vertexColour(mesh, v)].join(' '));
  }
  for (let f = 0; f < faces; f++) lines.push(`3 ${mesh.indices[f * 3]} ${mesh.indices[f * 3 + 1]} ${mesh.indices[f * 3 + 2]}`);
  return `${lines.join('\n')}\n`;
}

function plyHeader(format: string, vertices: number, faces: number): string {
  return [
    'ply',
    `format ${format} 1.0`,
    'comment lathed vase, multiview test fixtures',
    `element vertex ${vertices}`,
    'property float x', 'property float y', 'property float z',
    'property float nx', 'property float ny', 'property float nz',
    'property uchar red', 'property uchar green', 'property uchar blue',
    ...(faces > 0 ? [`element face ${faces}`, 'property list uchar int vertex_indices'] : []),
    'end_header',
    '',
  ].join('\n');
}

/** A glaze that darkens toward the foot, so vertex colours are visible. */
function vertexColour(mesh: Mesh, vertex: number): [number, number, number] {
  const t = mesh.uvs[vertex * 2 + 1];
  return [Math.round(120 + 100 * t), Math.round(60 + 60 * t), Math.round(40 + 30 * t)];
}

function fixed(value: number): string {
  return Number(value.toFixed(6)).toString();
}

/** Text as the bytes a download would give. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
