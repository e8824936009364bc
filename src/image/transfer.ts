/**
 * The bytes as a Uint8Array that owns its whole ArrayBuffer, so the buffer can be transferred between threads: a view
 * into a larger buffer (Node's pooled small Buffers, a slice) is copied first, since transferring its buffer would
 * detach memory that is not the caller's to give. Tiny and dependency-free: the host imports it too.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  // `new Uint8Array(bytes)` copies; a Buffer's own slice() would not (it is subarray()), and Node 24 refuses to
  // transfer the pooled memory such a view keeps (Buffer.concat, readFile): "Cannot transfer object of unsupported type".
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}
