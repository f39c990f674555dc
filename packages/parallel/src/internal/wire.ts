/**
 * Tensors and pytrees as they cross a thread or a process: each tensor is its
 * dtype, shape and bytes (a `Uint8Array` over an `ArrayBuffer` of its own, so
 * that `postMessage` can transfer it without a copy); a pytree is a plain
 * structure of arrays and records whose tensor leaves are replaced by their
 * index in a list of wire tensors. Never JSON.
 *
 * @internal
 */
import { aval, ConcreteTensor, DType, isTensor, peekHost, Tracer } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import { PmapArgumentError } from "../Errors.js"

/** @internal */
export interface WireTensor {
  readonly dtype: DType.DType
  readonly shape: ReadonlyArray<number>
  readonly weakType: boolean
  /**
   * The bytes: over an `ArrayBuffer` of their own (transferred), or a view on a
   * `SharedArrayBuffer` (shared: neither copied nor transferred).
   */
  readonly data: Uint8Array<ArrayBufferLike>
}

/** A tensor leaf's marker in a wire tree. @internal */
export interface TensorRef {
  readonly "~tensor": number
}

/** A resident value's marker in a wire tree (its id in every worker's store). @internal */
export interface ResidentRef {
  readonly "~resident": number
}

const isRef = (u: unknown): u is TensorRef =>
  typeof u === "object" && u !== null && typeof (u as Record<string, unknown>)["~tensor"] === "number"

/** Whether `u` is a resident value's marker. @internal */
export const isResidentRef = (u: unknown): u is ResidentRef =>
  typeof u === "object" && u !== null && typeof (u as Record<string, unknown>)["~resident"] === "number"

const isPlainRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && Object.getPrototypeOf(u) === Object.prototype

/**
 * The wire form of a pytree: tensors replaced by markers (`onTensor` gives the
 * index), arrays and plain records kept, numbers, booleans, strings, `null`
 * and `undefined` kept as they are. Anything else is a `PmapArgumentError`.
 *
 * @internal
 */
export const encodeTree = (
  value: unknown,
  onTensor: (t: Tensor) => number,
  where: string,
  onOther?: (u: unknown) => unknown
): unknown => {
  if (isTensor(value)) return { "~tensor": onTensor(value) } satisfies TensorRef
  const other = onOther?.(value)
  if (other !== undefined) return other
  if (Array.isArray(value)) return value.map((v, i) => encodeTree(v, onTensor, `${where}[${i}]`, onOther))
  if (isPlainRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) out[k] = encodeTree(value[k], onTensor, `${where}['${k}']`, onOther)
    return out
  }
  if (value === null || value === undefined) return value
  const t = typeof value
  if (t === "number" || t === "boolean" || t === "string") return value
  throw new PmapArgumentError({
    detail: `pmap: ${where} is ${
      t === "object" ? "an instance of a class" : `a ${t}`
    }; arguments and results that cross to workers are pytrees of tensors, numbers, booleans and strings in plain arrays and records`
  })
}

/** The pytree of a wire tree, markers replaced by `leaf(index)`. @internal */
export const decodeTree = (
  value: unknown,
  leaf: (index: number) => unknown,
  resident?: (ref: ResidentRef) => unknown
): unknown => {
  if (isRef(value)) return leaf(value["~tensor"])
  if (resident !== undefined && isResidentRef(value)) return resident(value)
  if (Array.isArray(value)) return value.map((v) => decodeTree(v, leaf, resident))
  if (isPlainRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) out[k] = decodeTree(value[k], leaf, resident)
    return out
  }
  return value
}

/** A concrete tensor's data on the host (read back from its backend if needed). @internal */
export const hostOf = (t: Tensor): Effect.Effect<DType.HostArray, PmapArgumentError | unknown> => {
  if (t instanceof Tracer || !(t instanceof ConcreteTensor)) {
    return Effect.fail(
      new PmapArgumentError({ detail: `pmap: ${String(t)} is being traced; pmap maps concrete tensors` })
    )
  }
  // released (by a region, Memory.release or a donation): a failure, not a throw from `host`
  const released = t.releasedError()
  if (released !== undefined) return Effect.fail(released)
  if (t.dtype === "float0") return Effect.succeed(new Uint8Array(0))
  const host = t.host
  if (host !== undefined) return Effect.succeed(host)
  const buffer = t.buffer!
  return buffer.backend.read(buffer, t.aval)
}

/** Host data synchronously (the workers' typed-array backend reads synchronously). @internal */
export const hostOfSync = (t: ConcreteTensor): DType.HostArray => {
  if (t.dtype === "float0") return new Uint8Array(0)
  const host = t.host
  if (host !== undefined) return host
  const buffer = t.buffer!
  return buffer.backend.readSync!(buffer, t.aval)
}

/**
 * Host data synchronously, for a read done before the caller returns (a copy):
 * the array must not be kept (see `BackendShape.peekSync`). @internal
 */
export const peekHostSync = (t: ConcreteTensor): DType.HostArray => {
  if (t.dtype === "float0") return new Uint8Array(0)
  const host = t.host
  if (host !== undefined) return host
  return peekHost(t.buffer!, t.aval)!
}

/**
 * `host[from, to)` (in elements) as a wire tensor: a copy in a buffer of its
 * own, or, for host data in a `SharedArrayBuffer`, a view on it (no copy).
 *
 * @internal
 */
export const toWire = (
  host: DType.HostArray,
  dtype: DType.DType,
  shape: ReadonlyArray<number>,
  weakType: boolean,
  from = 0,
  to = host.length
): WireTensor => {
  const bpe = host.BYTES_PER_ELEMENT
  if (host.buffer instanceof SharedArrayBuffer) {
    return {
      dtype,
      shape,
      weakType,
      data: new Uint8Array(host.buffer, host.byteOffset + from * bpe, (to - from) * bpe)
    }
  }
  const copy = host.slice(from, to)
  return { dtype, shape, weakType, data: new Uint8Array(copy.buffer as ArrayBuffer) }
}

/** A host array's copy in a `SharedArrayBuffer` (read by every worker, never copied again). @internal */
export const toShared = (host: DType.HostArray): DType.HostArray => {
  const Ctor = host.constructor as new(buffer: SharedArrayBuffer, offset: number, length: number) => DType.HostArray
  const out = new Ctor(new SharedArrayBuffer(Math.max(8, host.byteLength)), 0, host.length)
  out.set(host as never)
  return out
}

/** The host array of a wire tensor (a view on its bytes). @internal */
export const hostOfWire = (w: WireTensor): DType.HostArray => {
  const proto = DType.allocHost(w.dtype, 0)
  const Ctor = proto.constructor as new(buffer: ArrayBufferLike, offset: number, length: number) => DType.HostArray
  // Bytes decoded from a socket frame may start at any offset of the frame's buffer: copy them then
  // (with the Uint8Array constructor: a Node Buffer's slice is a view).
  const data = w.data.byteOffset % proto.BYTES_PER_ELEMENT === 0 ? w.data : new Uint8Array(w.data)
  return new Ctor(data.buffer, data.byteOffset, data.byteLength / proto.BYTES_PER_ELEMENT)
}

/** A concrete tensor over a wire tensor's bytes. @internal */
export const fromWire = (w: WireTensor): ConcreteTensor =>
  new ConcreteTensor(aval(w.shape, w.dtype, w.weakType), hostOfWire(w), undefined)

/** The buffers a list of wire tensors can transfer. @internal */
export const transfers = (ws: ReadonlyArray<WireTensor>): Array<ArrayBuffer> =>
  ws.flatMap((w) => w.data.buffer instanceof ArrayBuffer ? [w.data.buffer] : [])

/** The bytes a list of wire tensors copies across (shared views excluded). @internal */
export const copiedBytes = (ws: ReadonlyArray<WireTensor>): number =>
  ws.reduce((n, w) => n + (w.data.buffer instanceof SharedArrayBuffer ? 0 : w.data.byteLength), 0)
