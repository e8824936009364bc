// From a model's bytes to a three.js object, under the page's strict CSP: GLB and glTF (GLTFLoader), OBJ, STL and
// PLY. Failures become a ModelLoadError with the reason the viewer words for the user.
import {
  type BufferGeometry,
  Color,
  DoubleSide,
  Group,
  type InstancedMesh,
  LoadingManager,
  type Material,
  Mesh,
  MeshStandardMaterial,
  type Object3D,
  Points,
  PointsMaterial,
  TextureLoader,
} from 'three';
import { GLTFLoader, type GLTFParser } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { OBJLoader } from 'three/examples/jsm/loaders/OBJLoader.js';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js';
import { MAX_ERROR_DETAIL_LENGTH, type ModelFormat, type ViewerErrorReason } from '../../shared/viewerMessages';

export class ModelLoadError extends Error {
  constructor(
    readonly reason: ViewerErrorReason,
    detail: string,
  ) {
    super(detail.slice(0, MAX_ERROR_DETAIL_LENGTH));
    this.name = 'ModelLoadError';
  }
}

/** What the loaders produced, before it is oriented and framed. */
export interface ParsedModel {
  readonly root: Object3D;
  /** Whether the file's own convention is Z up (STL, from 3D printing and CAD); glTF is Y up by definition. */
  readonly zUp: boolean;
}

export interface ModelCounts {
  readonly triangles: number;
  readonly vertices: number;
  readonly points: number;
}

/** The bytes of a model given by URI (a webview resource; the page's connect-src allows only those). */
export async function fetchModel(uri: string): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(uri);
  } catch (error) {
    throw new ModelLoadError('resource-unavailable', `fetching the model failed: ${describe(error)}`);
  }
  if (!response.ok) {
    throw new ModelLoadError('resource-unavailable', `fetching the model answered HTTP ${response.status}`);
  }
  return response.arrayBuffer();
}

/**
 * The model in `bytes`. `baseUri` (a folder URI ending in "/") is where a glTF's relative files are read from; the
 * page may read nothing else. `clay` colours models that bring no material of their own.
 */
export async function parseModel(format: ModelFormat, bytes: ArrayBuffer, baseUri: string | undefined, clay: Color): Promise<ParsedModel> {
  if (bytes.byteLength === 0) {
    throw new ModelLoadError('not-a-model', 'the file is empty');
  }
  switch (format) {
    case 'glb':
    case 'gltf':
      return { root: await parseGltf(bytes, baseUri), zUp: false };
    case 'obj':
      return { root: parseObj(bytes, clay), zUp: false };
    case 'stl':
      return { root: parseStl(bytes, clay), zUp: true };
    case 'ply':
      return { root: parsePly(bytes, clay), zUp: false };
  }
}

/** Triangles and vertices drawn (an instanced mesh counts once per instance), and points of point clouds. */
export function countModel(root: Object3D): ModelCounts {
  let triangles = 0;
  let vertices = 0;
  let points = 0;
  root.traverse((object) => {
    const geometry = (object as Partial<Mesh>).geometry as BufferGeometry | undefined;
    const positions = geometry?.getAttribute('position')?.count ?? 0;
    if (!geometry || positions === 0) {
      return;
    }
    const instances = (object as Partial<InstancedMesh>).isInstancedMesh ? (object as InstancedMesh).count : 1;
    if ((object as Partial<Mesh>).isMesh) {
      triangles += Math.floor((geometry.index?.count ?? positions) / 3) * instances;
      vertices += positions * instances;
    } else if ((object as Partial<Points>).isPoints) {
      points += positions * instances;
    }
  });
  return { triangles, vertices, points };
}

/** Frees the GPU and memory a model holds (geometries, materials, their textures). */
export function disposeModel(root: Object3D): void {
  root.traverse((object) => {
    const { geometry, material } = object as Partial<Mesh>;
    geometry?.dispose();
    for (const entry of material === undefined ? [] : Array.isArray(material) ? material : [material]) {
      for (const value of Object.values(entry)) {
        if (value && typeof value === 'object' && (value as { isTexture?: boolean }).isTexture) {
          (value as { dispose(): void }).dispose();
        }
      }
      entry.dispose();
    }
  });
}

// ------------------------------------------------------------------------------------------------------ glTF

async function parseGltf(bytes: ArrayBuffer, baseUri: string | undefined): Promise<Object3D> {
  const manager = new LoadingManager();
  // Nothing but embedded data and files under the model's own folder (the CSP would refuse the rest anyway).
  manager.setURLModifier((url) => (isAllowedResource(url, baseUri) ? url : 'data:,'));
  const loader = new GLTFLoader(manager).register((parser) => strictPagePlugin(parser, baseUri));
  let gltf;
  try {
    gltf = await loader.parseAsync(bytes, baseUri ?? '');
  } catch (error) {
    if (error instanceof ModelLoadError) {
      throw error;
    }
    const detail = describe(error);
    // Decoders this bundle does not ship (they would need WebAssembly or workers the CSP does not allow).
    const unsupported = /draco|meshopt|ktx2|basisu|webp.*not supported|avif/i.test(detail);
    throw new ModelLoadError(unsupported ? 'unsupported-feature' : 'not-a-model', detail);
  }
  const scene = gltf.scene ?? gltf.scenes[0];
  if (!scene) {
    throw new ModelLoadError('empty-model', 'the glTF has no scene');
  }
  return scene;
}

/**
 * Makes GLTFLoader work under the page's CSP: textures through <img> (img-src allows blob: and data:) instead of
 * fetch + createImageBitmap (which would need connect-src blob:), and buffers kept in a URI (a .gltf's .bin, or a
 * data: URI) read by this module: data: URIs decoded here, files fetched only under `baseUri`.
 */
function strictPagePlugin(parser: GLTFParser, baseUri: string | undefined): { name: string } {
  const images = new TextureLoader(parser.options.manager);
  images.setCrossOrigin(parser.options.crossOrigin);
  parser.textureLoader = images;
  const storedBuffer = parser.loadBuffer.bind(parser);
  parser.loadBuffer = (index: number) => {
    const uri: unknown = parser.json.buffers?.[index]?.uri;
    return typeof uri === 'string' ? readResource(uri, baseUri) : storedBuffer(index);
  };
  return { name: 'multiview_strict_page' };
}

function isAllowedResource(url: string, baseUri: string | undefined): boolean {
  return url.startsWith('blob:') || url.startsWith('data:') || (baseUri !== undefined && url.startsWith(baseUri) && !url.includes('/../'));
}

async function readResource(uri: string, baseUri: string | undefined): Promise<ArrayBuffer> {
  if (uri.startsWith('data:')) {
    return decodeDataUri(uri);
  }
  if (baseUri === undefined) {
    throw new ModelLoadError('resource-unavailable', `the model refers to "${uri}" and no folder was given to read it from`);
  }
  const url = new URL(uri, baseUri).href;
  if (!isAllowedResource(url, baseUri)) {
    throw new ModelLoadError('resource-unavailable', `"${uri}" is outside the model's folder`);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelLoadError('resource-unavailable', `reading "${uri}" failed: ${describe(error)}`);
  }
  if (!response.ok) {
    throw new ModelLoadError('resource-unavailable', `reading "${uri}" answered HTTP ${response.status}`);
  }
  return response.arrayBuffer();
}

function decodeDataUri(uri: string): ArrayBuffer {
  const comma = uri.indexOf(',');
  const isBase64 = /;base64$/i.test(uri.slice(0, comma));
  try {
    const payload = uri.slice(comma + 1);
    if (!isBase64) {
      return new TextEncoder().encode(decodeURIComponent(payload)).buffer;
    }
    const binary = atob(payload);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return bytes.buffer;
  } catch (error) {
    throw new ModelLoadError('not-a-model', `an embedded buffer is not valid: ${describe(error)}`);
  }
}

// --------------------------------------------------------------------------------------------- OBJ, STL, PLY

function parseObj(bytes: ArrayBuffer, clay: Color): Object3D {
  const text = new TextDecoder().decode(bytes);
  refuseMarkup(text);
  let group: Group;
  try {
    group = new OBJLoader().parse(text);
  } catch (error) {
    throw new ModelLoadError('not-a-model', describe(error));
  }
  // Materials named in an .mtl are not read (that would be another file); a plain surface shows the shape.
  group.traverse((object) => {
    const mesh = object as Partial<Mesh>;
    if (mesh.isMesh && mesh.geometry) {
      if (!mesh.geometry.getAttribute('normal')) mesh.geometry.computeVertexNormals();
      replaceMaterial(mesh as Mesh, clayMaterial(clay, Boolean(mesh.geometry.getAttribute('color'))));
    }
  });
  return group;
}

function parseStl(bytes: ArrayBuffer, clay: Color): Object3D {
  let geometry: BufferGeometry & { hasColors?: boolean };
  try {
    geometry = new STLLoader().parse(bytes);
  } catch (error) {
    throw new ModelLoadError('not-a-model', describe(error));
  }
  if ((geometry.getAttribute('position')?.count ?? 0) === 0) {
    refuseMarkup(new TextDecoder().decode(bytes.slice(0, 1024)));
  }
  return new Mesh(geometry, clayMaterial(clay, geometry.hasColors === true));
}

function parsePly(bytes: ArrayBuffer, clay: Color): Object3D {
  const head = new TextDecoder().decode(bytes.slice(0, 64 * 1024));
  if (!/^ply\r?\n/.test(head) || !/\bend_header\r?\n/.test(head)) {
    refuseMarkup(head);
    throw new ModelLoadError('not-a-model', 'no PLY header');
  }
  let geometry: BufferGeometry;
  try {
    geometry = new PLYLoader().parse(bytes);
  } catch (error) {
    throw new ModelLoadError('not-a-model', describe(error));
  }
  const hasColours = Boolean(geometry.getAttribute('color'));
  if (!geometry.index) {
    // No faces: a point cloud (a scan, or Gaussian splats read as plain points).
    return new Points(geometry, new PointsMaterial({ size: 2, sizeAttenuation: false, vertexColors: hasColours, color: hasColours ? 0xffffff : clay }));
  }
  if (!geometry.getAttribute('normal')) {
    geometry.computeVertexNormals();
  }
  return new Mesh(geometry, clayMaterial(clay, hasColours));
}

/** A matte surface, both sides lit (meshes from scans and generators often have faces the wrong way round). */
function clayMaterial(clay: Color, vertexColors: boolean): MeshStandardMaterial {
  const material = new MeshStandardMaterial({ color: vertexColors ? new Color(0xffffff) : clay, roughness: 0.7, metalness: 0, side: DoubleSide, vertexColors });
  material.userData.multiviewClay = !vertexColors;
  return material;
}

function replaceMaterial(mesh: Mesh, material: Material): void {
  for (const old of Array.isArray(mesh.material) ? mesh.material : [mesh.material]) old.dispose();
  mesh.material = material;
}

/** An HTML page or JSON answer under a model's name: say so rather than "empty". */
function refuseMarkup(text: string): void {
  const start = text.trimStart().slice(0, 1);
  if (start === '<' || start === '{' || start === '[') {
    throw new ModelLoadError('not-a-model', start === '<' ? 'the file is HTML or XML' : 'the file is JSON');
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_DETAIL_LENGTH);
}
