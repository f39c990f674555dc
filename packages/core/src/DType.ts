/**
 * Element types and JAX's type-promotion lattice.
 *
 * @since 0.1.0
 */
import { ArgumentError, BackendError, DTypeError } from "./Errors.js"
import { freezeStorage, freshUnfilled, isFrozenStorage, recycleStorage, takeStorage } from "./internal/hostPool.js"

/**
 * The element types diffect supports. `float0` is the zero-size tangent type of
 * integer and boolean inputs (JAX's `float0`): it has a shape but holds no data.
 *
 * @since 0.1.0
 */
export type DType = "float32" | "float64" | "int32" | "uint32" | "bool" | "complex64" | "complex128" | "float0"

/** @since 0.1.0 */
export const dtypes: ReadonlyArray<DType> = [
  "bool",
  "int32",
  "uint32",
  "float32",
  "float64",
  "complex64",
  "complex128",
  "float0"
]

/** @since 0.1.0 */
export const isDType = (u: unknown): u is DType =>
  typeof u === "string" && (dtypes as ReadonlyArray<string>).includes(u)

/** Real or complex floating point. @since 0.1.0 */
export const isInexact = (d: DType): boolean =>
  d === "float32" || d === "float64" || d === "complex64" || d === "complex128"

/** @since 0.1.0 */
export const isFloating = (d: DType): boolean => d === "float32" || d === "float64"

/** @since 0.1.0 */
export const isComplex = (d: DType): d is "complex64" | "complex128" => d === "complex64" || d === "complex128"

/** @since 0.1.0 */
export const isInteger = (d: DType): boolean => d === "int32" || d === "uint32"

/** Unsigned integer (`uint32`, JAX's PRNG key and bits dtype). @since 0.1.0 */
export const isUnsigned = (d: DType): boolean => d === "uint32"

/** The real dtype underlying a complex one (identity on real dtypes). @since 0.1.0 */
export const realDType = (d: DType): DType => d === "complex64" ? "float32" : d === "complex128" ? "float64" : d

/** The complex dtype with the given real part precision. @since 0.1.0 */
export const complexDType = (d: DType): DType => d === "float64" || d === "complex128" ? "complex128" : "complex64"

const shortNames: Record<DType, string> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  uint32: "u32",
  bool: "bool",
  complex64: "c64",
  complex128: "c128",
  float0: "float0"
}

// A bad argument for this module's messages (Validate's `describeValue` imports Tensor, which
// imports this module).
const got = (u: unknown): string =>
  typeof u === "string" ? `the string ${JSON.stringify(u)}` : typeof u === "number" ? `the number ${u}` : u === null
    ? "null"
    : typeof u

/** The short name JAX's printers use: `f32`, `i32`, `c128`, `bool`. @since 0.1.0 */
export const shortName = (d: DType): string => {
  if (!isDType(d)) {
    throw new ArgumentError({
      operation: "DType.shortName",
      argument: "dtype",
      expected: "a dtype name",
      got: got(d)
    })
  }
  return shortNames[d]
}

/**
 * Number of scalar lanes an element occupies in storage (complex values are
 * stored interleaved as `[re, im]` pairs).
 *
 * @since 0.1.0
 */
export const lanes = (d: DType): number => isComplex(d) ? 2 : d === "float0" ? 0 : 1

/** Storage array for each dtype. @since 0.1.0 */
export type HostArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array

// One check per allocation (cheap next to it): an unknown dtype would fall through the switch
// and give `undefined`; a fractional or negative size would throw a RangeError.
const checkAlloc = (operation: string, d: unknown, size: unknown): void => {
  if (!isDType(d)) throw new ArgumentError({ operation, argument: "dtype", expected: "a dtype name", got: got(d) })
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
    throw new ArgumentError({ operation, argument: "size", expected: "a non-negative integer", got: got(size) })
  }
}

/**
 * A zero-filled storage array of `size` elements of `d`. Storage a backend
 * recycled (see {@link recycleHost}) of the same byte length is reused before
 * fresh memory is asked for.
 *
 * @example
 * import { DType } from "diffect"
 * console.log(DType.allocHost("float32", 3)) // Float32Array(3) [0, 0, 0]
 *
 * @since 0.1.0
 */
export const allocHost = (d: DType, size: number): HostArray => {
  checkAlloc("DType.allocHost", d, size)
  const n = d === "complex64" || d === "complex128" ? 2 * size : d === "float0" ? 0 : size
  return allocating(n * bytesPerLane(d), () => zeroed(d, n))
}

/**
 * The largest host array, in bytes (2 GiB). Past it an allocation is a
 * `BackendError`: engines allocate larger typed arrays lazily and then take
 * minutes to fill them (a `bincount` of one value near 2^31 asked for 8.5 GB),
 * and no WebAssembly kernel can take them.
 */
const MAX_HOST_BYTES = 2 ** 31

const checkHostBytes = (bytes: number): void => {
  if (bytes > MAX_HOST_BYTES) {
    throw new BackendError({
      backend: "host",
      detail: `cannot allocate an array of ${bytes} bytes: the largest host array is ${MAX_HOST_BYTES} bytes (2 GiB)`
    })
  }
}

/**
 * Fails as `allocHost(d, size)` would past the largest host array (a
 * `BackendError`), without allocating: for functions that compute their values
 * on the host before allocating them (`np.arange` filled 2^31 values for two
 * and a half minutes before its allocation failed).
 *
 * @example
 * import { DType } from "diffect"
 * DType.checkHostAlloc("float32", 1024) // fine
 * try {
 *   DType.checkHostAlloc("float64", 2 ** 30)
 * } catch (e) {
 *   console.log((e as { _tag: string })._tag) // BackendError
 * }
 *
 * @since 0.1.0
 */
export const checkHostAlloc = (d: DType, size: number): void => {
  checkAlloc("DType.checkHostAlloc", d, size)
  checkHostBytes(size * (d === "complex64" || d === "complex128" ? 2 : 1) * bytesPerLane(d))
}

// An array past MAX_HOST_BYTES, or one the engine cannot allocate (a RangeError: out of memory),
// is the host backend's BackendError, as XLA's RESOURCE_EXHAUSTED is JAX's.
const allocating = <A>(bytes: number, make: () => A): A => {
  checkHostBytes(bytes)
  try {
    return make()
  } catch (e) {
    if (!(e instanceof RangeError)) throw e
    throw new BackendError({
      backend: "host",
      detail:
        `cannot allocate an array of ${bytes} bytes (${e.message}): the result is too large for this JavaScript engine`
    })
  }
}

const zeroed = (d: DType, n: number): HostArray => {
  const storage = takeStorage(n * bytesPerLane(d))
  switch (d) {
    case "float32":
    case "complex64":
      return storage === undefined ? new Float32Array(n) : new Float32Array(storage)
    case "float64":
    case "complex128":
      return storage === undefined ? new Float64Array(n) : new Float64Array(storage)
    case "int32":
      return storage === undefined ? new Int32Array(n) : new Int32Array(storage)
    case "uint32":
      return storage === undefined ? new Uint32Array(n) : new Uint32Array(storage)
    case "bool":
    case "float0":
      return storage === undefined ? new Uint8Array(n) : new Uint8Array(storage)
  }
}

/**
 * Storage of `size` elements of a float dtype whose contents are unspecified
 * (recycled storage keeps its old values; fresh storage may not be zeroed),
 * for a kernel that writes every element: it skips {@link allocHost}'s
 * clearing. Any other dtype is allocated as by `allocHost`.
 *
 * @example
 * import { DType } from "diffect"
 * const out = DType.allocHostUnfilled("float32", 4)
 * out.set([1, 2, 3, 4]) // every element written before it is read
 * console.log(out.length) // 4
 *
 * @since 0.1.0
 */
export const allocHostUnfilled = (d: DType, size: number): HostArray => {
  checkAlloc("DType.allocHostUnfilled", d, size)
  if (d !== "float32" && d !== "float64") return allocHost(d, size)
  const bytes = size * bytesPerLane(d)
  const storage = takeStorage(bytes, false) ?? allocating(bytes, () => freshUnfilled(bytes))
  if (storage === undefined) return allocHost(d, size)
  return d === "float32" ? new Float32Array(storage) : new Float64Array(storage)
}

const bytesPerLane = (d: DType): number =>
  d === "float64" || d === "complex128" ? 8 : d === "bool" || d === "float0" ? 1 : 4

/**
 * Gives `array`'s storage back for reuse by {@link allocHost}: for a backend
 * releasing a buffer whose storage it owns alone (no other array over it, no
 * reader holding it). Shared memory, part of a larger buffer, storage under
 * 4 KiB, and storage past the pool's 64 MiB are left to the garbage collector.
 *
 * @example
 * import { DType } from "diffect"
 * // 1,024 float32 values: 4 KiB, the smallest storage the pool keeps
 * const a = DType.allocHost("float32", 1024)
 * a[0] = 1
 * DType.recycleHost(a) // a must not be used after this
 * // the next allocation of 4 KiB may take that storage: zero-filled again
 * const b = DType.allocHost("float32", 1024)
 * console.log(b[0], b.length) // 0 1024
 *
 * @since 0.1.0
 */
export const recycleHost = (array: HostArray): void => {
  checkHostArray("DType.recycleHost", array)
  recycleStorage(array)
}

const checkHostArray = (operation: string, array: unknown): void => {
  if (!ArrayBuffer.isView(array)) {
    throw new ArgumentError({ operation, argument: "array", expected: "a typed array", got: got(array) })
  }
}

/**
 * Declares that no one writes `array`'s storage again, for the rest of its life:
 * a kernel may then keep a copy of it between calls, keyed by the storage's
 * identity (the CPU backend's matrix products keep their large operands
 * resident in WebAssembly memory), and {@link recycleHost} leaves it alone.
 * `np.array` freezes the copy it makes. Only arrays of 64 KiB and up are
 * marked; for smaller ones this does nothing.
 *
 * @example
 * import { DType } from "diffect"
 * const w = DType.allocHost("float32", 1 << 16)
 * w.fill(0.5) // written once, before it is frozen
 * DType.freezeHost(w)
 * console.log(DType.isFrozenHost(w), DType.isFrozenHost(new Float32Array(4))) // true false
 *
 * @since 0.1.0
 */
export const freezeHost = (array: HostArray): void => {
  checkHostArray("DType.freezeHost", array)
  freezeStorage(array)
}

/**
 * Whether `array`'s storage was frozen by {@link freezeHost} (never for arrays
 * under 64 KiB).
 *
 * @example
 * import { DType } from "diffect"
 * console.log(DType.isFrozenHost(DType.allocHost("float32", 1 << 16))) // false
 *
 * @since 0.1.0
 */
export const isFrozenHost = (array: HostArray): boolean => {
  checkHostArray("DType.isFrozenHost", array)
  return isFrozenStorage(array)
}

/**
 * The int32 of a JS number by XLA's `convert` rule, the one rule of every
 * float -> int32 conversion in diffect (`astype`, `np.array(..., { dtype })`,
 * schemas, kernels): truncate toward zero, saturate at the int32 range, NaN -> 0.
 *
 * @example
 * import { DType } from "diffect"
 * console.log(DType.toInt32(1e10)) // 2147483647
 * console.log(DType.toInt32(-2.7)) // -2
 * console.log(DType.toInt32(NaN)) // 0
 *
 * @since 0.1.0
 */
export const toInt32 = (x: number): number =>
  x !== x ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x | 0

/** The default floating dtype (JAX's default with x64 disabled). @since 0.1.0 */
export const defaultFloat: DType = "float32"

// JAX's promotion lattice restricted to diffect's dtypes. `i*`, `f*`, `c*` are the
// weak types of JS numbers (and of values derived only from them). An edge a -> b
// means "a promotes to b"; the result of promoting two types is their least upper bound.
// `i64` is not a diffect dtype: it is where uint32 and int32 meet, and it canonicalizes to
// int32 as in JAX without x64 (`uint32 + int32` is int32).
type Node = "b1" | "i*" | "u32" | "i32" | "i64" | "f*" | "f32" | "f64" | "c*" | "c64" | "c128"
const edges: Record<Node, ReadonlyArray<Node>> = {
  b1: ["i*"],
  "i*": ["u32", "i32"],
  u32: ["i64"],
  i32: ["i64"],
  i64: ["f*"],
  "f*": ["f32", "c*"],
  f32: ["f64", "c64"],
  f64: ["c128"],
  "c*": ["c64"],
  c64: ["c128"],
  c128: []
}
const nodes = Object.keys(edges) as ReadonlyArray<Node>
const upperSet = (n: Node): Set<Node> => {
  const seen = new Set<Node>([n])
  const stack: Array<Node> = [n]
  while (stack.length > 0) {
    for (const m of edges[stack.pop()!]) {
      if (!seen.has(m)) {
        seen.add(m)
        stack.push(m)
      }
    }
  }
  return seen
}
const uppers = new Map(nodes.map((n) => [n, upperSet(n)] as const))
const lub = (a: Node, b: Node): Node => {
  const ua = uppers.get(a)!
  const ub = uppers.get(b)!
  const common = nodes.filter((n) => ua.has(n) && ub.has(n))
  // The least element of the common upper set is the one every other element is above.
  return common.find((c) => common.every((d) => uppers.get(c)!.has(d)))!
}
const toNode = (d: DType, weak: boolean): Node | undefined => {
  switch (d) {
    case "bool":
      return "b1"
    case "int32":
      return weak ? "i*" : "i32"
    case "uint32":
      // JAX's _jax_type: a weak value is its Python kind (a weak uint32 is a weak int)
      return weak ? "i*" : "u32"
    case "float32":
      return weak ? "f*" : "f32"
    case "float64":
      return "f64"
    case "complex64":
      return weak ? "c*" : "c64"
    case "complex128":
      return "c128"
    default:
      // float0 (no place in the lattice) and anything that is not a dtype: `promote` says which
      return undefined
  }
}
const fromNode: Record<Node, readonly [DType, boolean]> = {
  b1: ["bool", false],
  "i*": ["int32", true],
  u32: ["uint32", false],
  i32: ["int32", false],
  i64: ["int32", false],
  "f*": ["float32", true],
  f32: ["float32", false],
  f64: ["float64", false],
  "c*": ["complex64", true],
  c64: ["complex64", false],
  c128: ["complex128", false]
}
const promotionTable = new Map<string, readonly [DType, boolean]>()
for (const a of nodes) for (const b of nodes) promotionTable.set(`${a},${b}`, fromNode[lub(a, b)])

/**
 * Promotes two (dtype, weak) pairs by JAX's lattice. A weak type yields to a strong one of
 * its kind (`float32` with a JS number stays `float32`), but not across kinds: a strong
 * `int32` with a JS float gives a weak `float32`, as in JAX. Two weak types promote as their
 * strong dtypes to a weak result, and a bool is never weak (JAX's `lattice_result_type`).
 * Not defined for `float0` (callers raise `Float0OperationError` first).
 *
 * @example
 * import { DType } from "diffect"
 * console.log(DType.promote("float32", false, "float64", false)) // ["float64", false]
 * // a weak type (a JS number) takes the other operand's dtype
 * console.log(DType.promote("float32", true, "float64", false)) // ["float64", false]
 *
 * @since 0.1.0
 */
export const promote = (a: DType, aWeak: boolean, b: DType, bWeak: boolean): readonly [DType, boolean] => {
  // JAX's lattice_result_type: two weak operands promote as their strong dtypes, and the result
  // is weak (weak float32 with weak float64 is a weak float64, weak uint32 with weak int32 a weak
  // int32); a bool result is never weak.
  const allWeak = aWeak === true && bWeak === true
  const r = typeof aWeak === "boolean" && typeof bWeak === "boolean"
    ? promotionTable.get(`${toNode(a, aWeak && !allWeak)},${toNode(b, bWeak && !allWeak)}`)
    : undefined
  if (r !== undefined) return allWeak && r[0] !== "bool" ? [r[0], true] : r
  // (only a bad argument gets here)
  for (const [d, weak, name] of [[a, aWeak, "a"], [b, bWeak, "b"]] as const) {
    if (!isDType(d)) {
      throw new ArgumentError({
        operation: "DType.promote",
        argument: name,
        expected: `a dtype name (${dtypes.join(", ")})`,
        got: got(d)
      })
    }
    if (typeof weak !== "boolean") {
      throw new ArgumentError({
        operation: "DType.promote",
        argument: `${name}Weak`,
        expected: "a boolean",
        got: got(weak)
      })
    }
  }
  throw new DTypeError({
    operation: "DType.promote",
    detail:
      "float0 has no place in the type promotion lattice (it is the tangent type of integer inputs: no arithmetic applies to it)"
  })
}
