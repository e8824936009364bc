/**
 * Real 3D model files, for the contract server's image-to-3D answers and for tests that need model files of their
 * own. One small mesh (a vase-like solid of revolution with smooth normals and UVs, about a thousand triangles) is
 * written in the four formats the service offers (docs/api-contract.md §12): binary glTF 2.0 (GLB: one mesh, one
 * material, a tiny embedded PNG texture), Wavefront OBJ (text), binary STL and binary little-endian PLY.
 * The encoders take any Mesh, so a test can write a mesh of its own shape or size. Pure functions; pngjs only.
 */
import { PNG } from 'pngjs';

export const MODEL_FORMATS = ['glb', 'obj', 'stl', 'ply'] as const;

export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** The Content-Type a storage bucket gives each format (STL and PLY have no type it knows). */
export const MODEL_CONTENT_TYPES: Readonly<Record<ModelFormat, string>> = {
  glb: 'model/gltf-binary',
  obj: 'text/plain; charset=utf-8',
  stl: 'application/octet-stream',
  ply: 'application/octet-stream',
};

export function isModelFormat(value: unknown): value is ModelFormat {
  return typeof value === 'string' && (MODEL_FORMATS as readonly string[]).includes(value);
}

/** Indexed triangles, wound counter-clockwise seen from outside (glTF's front face). */
export interface Mesh {
  /** x, y, z per vertex; y is up, as in glTF. */
  positions: Float32Array;
  /** A unit normal per vertex. */
  normals: Float32Array;
  /** u, v per vertex. */
  uvs: Float32Array;
  /** Three vertex indices per triangle. */
  indices: Uint32Array;
}

/** A profile point of a solid of revolution: distance from the axis, then height. */
export type ProfilePoint = readonly [radius: number, height: number];

/** A closed vase: from the centre of its foot, up the belly and the neck, to the centre of its lid. */
export const VASE_PROFILE: readonly ProfilePoint[] = [
  [0, 0],
  [0.3, 0],
  [0.34, 0.02],
  [0.36, 0.08],
  [0.42, 0.3],
  [0.44, 0.45],
  [0.4, 0.62],
  [0.3, 0.78],
  [0.22, 0.88],
  [0.21, 0.96],
  [0.25, 1],
  [0.23, 1.02],
  [0, 1.02],
];

export interface LatheOptions {
  /** Steps around the axis; default 48 (1056 triangles with the vase profile). */
  segments?: number;
  /** Default VASE_PROFILE. A point on the axis (radius 0) closes the solid there. */
  profile?: readonly ProfilePoint[];
}

/** Turns a profile around the y axis, centred on the origin. Points on the axis get no degenerate triangles. */
export function latheMesh(options: LatheOptions = {}): Mesh {
  const segments = Math.max(3, Math.round(options.segments ?? 48));
  const profile = options.profile ?? VASE_PROFILE;
  if (profile.length < 2) throw new Error('a lathe profile needs at least two points');
  const columns = segments + 1; // the seam is duplicated so that u runs from 0 to 1
  const vertexCount = profile.length * columns;
  const positions = new Float32Array(vertexCount * 3);
  const normals = new Float32Array(vertexCount * 3);
  const uvs = new Float32Array(vertexCount * 2);
  const heights = profile.map(([, y]) => y);
  const centreY = (Math.min(...heights) + Math.max(...heights)) / 2;
  const lengthAlong = profileLengths(profile);
  const totalLength = lengthAlong[lengthAlong.length - 1] || 1;

  profile.forEach(([radius, height], row) => {
    const [normalRadial, normalY] = profileNormal(profile, row);
    for (let column = 0; column < columns; column++) {
      const angle = (2 * Math.PI * column) / segments;
      const sin = Math.sin(angle);
      const cos = Math.cos(angle);
      const vertex = row * columns + column;
      positions.set([radius * sin, height - centreY, radius * cos], vertex * 3);
      normals.set([normalRadial * sin, normalY, normalRadial * cos], vertex * 3);
      uvs.set([column / segments, lengthAlong[row] / totalLength], vertex * 2);
    }
  });

  const triangles: number[] = [];
  for (let row = 0; row + 1 < profile.length; row++) {
    for (let column = 0; column < segments; column++) {
      const a = row * columns + column;
      const b = a + 1;
      const d = a + columns;
      const c = d + 1;
      if (profile[row][0] > 0) triangles.push(a, b, d);
      if (profile[row + 1][0] > 0) triangles.push(b, c, d);
    }
  }
  return { positions, normals, uvs, indices: Uint32Array.from(triangles) };
}

export function vertexCountOf(mesh: Mesh): number {
  return mesh.positions.length / 3;
}

export function triangleCountOf(mesh: Mesh): number {
  return mesh.indices.length / 3;
}

export function boundsOf(mesh: Mesh): { min: [number, number, number]; max: [number, number, number] } {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let offset = 0; offset < mesh.positions.length; offset += 3) {
    for (let axis = 0; axis < 3; axis++) {
      // Math.fround: glTF wants the bounds exactly as the float32 data holds them.
      const value = Math.fround(mesh.positions[offset + axis]);
      if (value < min[axis]) min[axis] = value;
      if (value > max[axis]) max[axis] = value;
    }
  }
  return { min, max };
}

let defaultMesh: Mesh | undefined;
const defaultFiles = new Map<ModelFormat, Buffer>();

/** The server's model in one format: the default lathe, encoded once per format and then cached. */
export function modelFile(format: ModelFormat): Buffer {
  let bytes = defaultFiles.get(format);
  if (!bytes) {
    defaultMesh ??= latheMesh();
    bytes = encodeModel(defaultMesh, format);
    defaultFiles.set(format, bytes);
  }
  return bytes;
}

export function encodeModel(mesh: Mesh, format: ModelFormat): Buffer {
  switch (format) {
    case 'glb':
      return encodeGlb(mesh);
    case 'obj':
      return encodeObj(mesh);
    case 'stl':
      return encodeStl(mesh);
    case 'ply':
      return encodePly(mesh);
  }
}

// ---- GLB ------------------------------------------------------------------------------------------

const GLB_MAGIC = 0x46546c67; // "glTF"
const GLB_VERSION = 2;
const CHUNK_JSON = 0x4e4f534a; // "JSON"
const CHUNK_BIN = 0x004e4942; // "BIN\0"
const FLOAT = 5126;
const UNSIGNED_SHORT = 5123;
const UNSIGNED_INT = 5125;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
const TRIANGLES = 4;

export interface GlbOptions {
  /** Embed a tiny PNG as the base colour texture; default true. */
  texture?: boolean;
  /** The node's and mesh's name; default "model". */
  name?: string;
}

/** A binary glTF 2.0 file: header, JSON chunk, BIN chunk (positions, normals, indices, then UVs and texture). */
export function encodeGlb(mesh: Mesh, options: GlbOptions = {}): Buffer {
  const name = options.name ?? 'model';
  const withTexture = options.texture ?? true;
  const vertexCount = vertexCountOf(mesh);
  const smallIndices = vertexCount <= 0xffff;
  const indexBytes = smallIndices ? Buffer.from(Uint16Array.from(mesh.indices).buffer) : Buffer.from(mesh.indices.buffer, mesh.indices.byteOffset, mesh.indices.byteLength);
  // Without a texture the UVs would be unused, which validators report: they are left out too.
  const parts: Array<[Buffer, number | undefined]> = [
    [floatBytes(mesh.positions), ARRAY_BUFFER],
    [floatBytes(mesh.normals), ARRAY_BUFFER],
    [indexBytes, ELEMENT_ARRAY_BUFFER],
    ...(withTexture ? ([[floatBytes(mesh.uvs), ARRAY_BUFFER], [textureBytes(), undefined]] as Array<[Buffer, number | undefined]>) : []),
  ];
  const bufferViews: Array<Record<string, number>> = [];
  const binParts: Buffer[] = [];
  let offset = 0;
  for (const [part, target] of parts) {
    bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: part.length, ...(target === undefined ? {} : { target }) });
    binParts.push(part, Buffer.alloc(padTo4(part.length) - part.length));
    offset += padTo4(part.length);
  }
  const bin = Buffer.concat(binParts);
  const { min, max } = boundsOf(mesh);

  const gltf: Record<string, unknown> = {
    asset: { version: '2.0', generator: 'multiview contract server' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name }],
    meshes: [
      {
        name,
        primitives: [
          { attributes: { POSITION: 0, NORMAL: 1, ...(withTexture ? { TEXCOORD_0: 3 } : {}) }, indices: 2, material: 0, mode: TRIANGLES },
        ],
      },
    ],
    materials: [
      {
        name: `${name}-material`,
        pbrMetallicRoughness: {
          ...(withTexture ? { baseColorTexture: { index: 0 } } : { baseColorFactor: [0.8, 0.45, 0.3, 1] }),
          metallicFactor: 0,
          roughnessFactor: 0.7,
        },
      },
    ],
    accessors: [
      { bufferView: 0, componentType: FLOAT, count: vertexCount, type: 'VEC3', min, max },
      { bufferView: 1, componentType: FLOAT, count: vertexCount, type: 'VEC3' },
      { bufferView: 2, componentType: smallIndices ? UNSIGNED_SHORT : UNSIGNED_INT, count: mesh.indices.length, type: 'SCALAR' },
      ...(withTexture ? [{ bufferView: 3, componentType: FLOAT, count: vertexCount, type: 'VEC2' }] : []),
    ],
    bufferViews,
    buffers: [{ byteLength: bin.length }],
  };
  if (withTexture) {
    Object.assign(gltf, {
      textures: [{ source: 0, sampler: 0 }],
      samplers: [{ magFilter: 9729, minFilter: 9987, wrapS: 10497, wrapT: 10497 }],
      images: [{ bufferView: 4, mimeType: 'image/png' }],
    });
  }
  const jsonText = Buffer.from(JSON.stringify(gltf), 'utf8');
  const json = Buffer.concat([jsonText, Buffer.alloc(padTo4(jsonText.length) - jsonText.length, 0x20)]);

  const header = Buffer.alloc(12);
  const total = 12 + 8 + json.length + 8 + bin.length;
  header.writeUInt32LE(GLB_MAGIC, 0);
  header.writeUInt32LE(GLB_VERSION, 4);
  header.writeUInt32LE(total, 8);
  return Buffer.concat([header, chunkHeader(json.length, CHUNK_JSON), json, chunkHeader(bin.length, CHUNK_BIN), bin]);
}

function chunkHeader(length: number, type: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(type, 4);
  return header;
}

let texture: Buffer | undefined;

/** An 8x8 terracotta PNG with a lighter band, so a viewer shows that the texture is applied. */
function textureBytes(): Buffer {
  if (!texture) {
    const png = new PNG({ width: 8, height: 8 });
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const band = y === 3 || y === 4;
        png.data.set(band ? [235, 205, 150, 255] : [190, 95, 60, 255], (y * 8 + x) * 4);
      }
    }
    texture = PNG.sync.write(png);
  }
  return texture;
}

// ---- OBJ, STL, PLY --------------------------------------------------------------------------------

/** Wavefront OBJ with positions, UVs and normals; faces are 1-based v/vt/vn triples. */
export function encodeObj(mesh: Mesh, name = 'model'): Buffer {
  const lines = [`# multiview contract server: ${vertexCountOf(mesh)} vertices, ${triangleCountOf(mesh)} triangles`, `o ${name}`];
  for (let i = 0; i < mesh.positions.length; i += 3) lines.push(`v ${num(mesh.positions[i])} ${num(mesh.positions[i + 1])} ${num(mesh.positions[i + 2])}`);
  for (let i = 0; i < mesh.uvs.length; i += 2) lines.push(`vt ${num(mesh.uvs[i])} ${num(mesh.uvs[i + 1])}`);
  for (let i = 0; i < mesh.normals.length; i += 3) lines.push(`vn ${num(mesh.normals[i])} ${num(mesh.normals[i + 1])} ${num(mesh.normals[i + 2])}`);
  for (let i = 0; i < mesh.indices.length; i += 3) {
    const corner = (index: number): string => `${index + 1}/${index + 1}/${index + 1}`;
    lines.push(`f ${corner(mesh.indices[i])} ${corner(mesh.indices[i + 1])} ${corner(mesh.indices[i + 2])}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

const STL_HEADER_BYTES = 80;
const STL_TRIANGLE_BYTES = 50;

/** Binary STL: an 80-byte header (not starting with "solid", which would read as ASCII STL), a count, facets. */
export function encodeStl(mesh: Mesh): Buffer {
  const triangles = triangleCountOf(mesh);
  const bytes = Buffer.alloc(STL_HEADER_BYTES + 4 + triangles * STL_TRIANGLE_BYTES);
  bytes.write('binary STL, multiview contract server', 0, 'ascii');
  bytes.writeUInt32LE(triangles, STL_HEADER_BYTES);
  let offset = STL_HEADER_BYTES + 4;
  for (let t = 0; t < triangles; t++) {
    const corners = [0, 1, 2].map((k) => Array.from(mesh.positions.subarray(mesh.indices[t * 3 + k] * 3, mesh.indices[t * 3 + k] * 3 + 3)));
    for (const value of [...faceNormal(corners[0], corners[1], corners[2]), ...corners.flat()]) {
      bytes.writeFloatLE(value, offset);
      offset += 4;
    }
    offset += 2; // attribute byte count, 0
  }
  return bytes;
}

/** Binary little-endian PLY: vertices with normals, faces as lists of three indices. */
export function encodePly(mesh: Mesh): Buffer {
  const vertices = vertexCountOf(mesh);
  const triangles = triangleCountOf(mesh);
  const header = [
    'ply',
    'format binary_little_endian 1.0',
    'comment multiview contract server',
    `element vertex ${vertices}`,
    ...['x', 'y', 'z', 'nx', 'ny', 'nz'].map((property) => `property float ${property}`),
    `element face ${triangles}`,
    'property list uchar uint vertex_indices',
    'end_header',
    '',
  ].join('\n');
  const body = Buffer.alloc(vertices * 24 + triangles * 13);
  let offset = 0;
  for (let v = 0; v < vertices; v++) {
    for (const value of [...mesh.positions.subarray(v * 3, v * 3 + 3), ...mesh.normals.subarray(v * 3, v * 3 + 3)]) {
      body.writeFloatLE(value, offset);
      offset += 4;
    }
  }
  for (let t = 0; t < triangles; t++) {
    body.writeUInt8(3, offset++);
    for (let k = 0; k < 3; k++) {
      body.writeUInt32LE(mesh.indices[t * 3 + k], offset);
      offset += 4;
    }
  }
  return Buffer.concat([Buffer.from(header, 'ascii'), body]);
}

// ---- helpers --------------------------------------------------------------------------------------

/** The outward normal of a profile point in (radial, y), from its neighbours; on the axis it points along it. */
function profileNormal(profile: readonly ProfilePoint[], row: number): [number, number] {
  const previous = profile[Math.max(0, row - 1)];
  const next = profile[Math.min(profile.length - 1, row + 1)];
  const tangentRadial = next[0] - previous[0];
  const tangentY = next[1] - previous[1];
  const length = Math.hypot(tangentRadial, tangentY) || 1;
  return [tangentY / length, -tangentRadial / length];
}

function profileLengths(profile: readonly ProfilePoint[]): number[] {
  const lengths = [0];
  for (let i = 1; i < profile.length; i++) {
    lengths.push(lengths[i - 1] + Math.hypot(profile[i][0] - profile[i - 1][0], profile[i][1] - profile[i - 1][1]));
  }
  return lengths;
}

function faceNormal(a: number[], b: number[], c: number[]): [number, number, number] {
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const n: [number, number, number] = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const length = Math.hypot(...n) || 1;
  return [n[0] / length, n[1] / length, n[2] / length];
}

function floatBytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function padTo4(length: number): number {
  return Math.ceil(length / 4) * 4;
}

function num(value: number): string {
  return String(Number(value.toFixed(6)));
}
