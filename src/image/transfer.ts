/**
 * The bytes as a Uint8Array that owns its whole ArrayBuffer, so the buffer can be transferred between threads: a view
 * into a larger buffer (Node's pooled small Buffers, a slice) is copied first, since transferring its buffer would
 * detach memory that is not the caller's to give. Tiny and dependency-free: the host imports it too.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}
