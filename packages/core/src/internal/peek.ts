/**
 * Reading a host-memory buffer for a use that ends before the caller returns
 * (printing, converting to JS numbers, one scalar): the backend's `peekSync`,
 * which leaves the storage the buffer's own (see `BackendShape.peekSync`), else
 * its `readSync`. `undefined` for a backend that reads only asynchronously.
 *
 * @internal
 */
import type { AbstractValue } from "../AbstractValue.js"
import type { DeviceBuffer } from "../Backend.js"
import type { HostArray } from "../DType.js"

export const peekSync = (buffer: DeviceBuffer, aval: AbstractValue): HostArray | undefined => {
  const backend = buffer.backend
  return backend.peekSync !== undefined ? backend.peekSync(buffer, aval) : backend.readSync?.(buffer, aval)
}
