/**
 * The `Backend` service: where kernels run and data lives. The typed-array (CPU)
 * layer and the WebGPU layer both provide it. This module also selects the
 * active backend (`activeBackend`, `withBackend`, `setDefaultBackend`).
 *
 * The interface is shaped for an asynchronous device: `execute` enqueues a kernel
 * and returns output buffers at once (the work may still be pending); `read` is an
 * Effect that waits for the data. A synchronous backend may also offer `readSync`.
 *
 * @since 0.1.0
 */
import { Context, Fiber } from "effect"
import type { Effect } from "effect"
import type { AbstractValue } from "./AbstractValue.js"
import type { TrigReduction } from "./Approximation.js"
import type { DType, HostArray } from "./DType.js"
import type { BackendError, UnsupportedDTypeError } from "./Errors.js"
import type { Expr } from "./Kernel.js"
import type { FirstOrderPrimitive, Params } from "./Primitive.js"
import type { Shape } from "./Shape.js"

/**
 * A buffer owned by one backend. Opaque to the core; each backend extends it.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface DeviceBuffer {
  readonly backend: BackendShape
}

/**
 * What a backend provides.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface BackendShape {
  readonly name: string
  /** Whether buffers of this dtype can live here (float64 on WebGPU cannot). */
  readonly supportsDType: (dtype: DType) => boolean
  /**
   * Adopts host data (diffect's storage layout: complex interleaved, bool as bytes).
   * Throws `UnsupportedDTypeError` for dtypes it cannot hold.
   */
  readonly fromHost: (data: HostArray, aval: AbstractValue) => DeviceBuffer
  /**
   * Enqueues primitive `primitive` on `inputs` (already validated by abstract
   * evaluation, whose results are `outAvals`) and returns the output buffers.
   * `outputs` may give buffers to write into (a compiled program's arena, for
   * the primitives in `executeInto`: of the right dtype and size, read by no
   * one anymore); a backend may ignore them and return new buffers.
   */
  readonly execute: <P extends FirstOrderPrimitive>(
    primitive: P,
    inputs: ReadonlyArray<DeviceBuffer>,
    inAvals: ReadonlyArray<AbstractValue>,
    params: Params<P>,
    outAvals: ReadonlyArray<AbstractValue>,
    outputs?: ReadonlyArray<DeviceBuffer | undefined>
  ) => ReadonlyArray<DeviceBuffer>
  /**
   * The primitives whose `execute` writes given `outputs` (never a view of an
   * input), so that a compiled program can keep their results in its arena.
   */
  readonly executeInto?: ReadonlySet<FirstOrderPrimitive>
  /**
   * Takes host data that nothing else references (freshly made by the caller,
   * such as a collective's result) as a buffer of its own: unlike `fromHost`,
   * its storage may then be donated and, once released, reused. Optional:
   * `fromHost` otherwise.
   */
  readonly adoptHost?: (data: HostArray, aval: AbstractValue) => DeviceBuffer
  /** Reads a buffer back to host memory, in storage layout. */
  readonly read: (buffer: DeviceBuffer, aval: AbstractValue) => Effect.Effect<HostArray, BackendError>
  /**
   * Frees `buffer` now (its other aliases keep shared storage alive). Called at
   * most once per buffer object, by the tensor or compiled program owning it.
   * The typed-array backend gives storage the buffer owned alone back to
   * `DType.allocHost` for reuse.
   * Optional: a backend without it leaves its memory to the garbage collector.
   */
  readonly release?: (buffer: DeviceBuffer) => void
  /**
   * A second buffer object for `buffer`'s data (one more reference to shared
   * storage), for a tensor that wraps a buffer it does not own.
   */
  readonly alias?: (buffer: DeviceBuffer) => DeviceBuffer
  /**
   * Why this backend can no longer be used (its layer's scope closed, its device
   * lost), for the errors of tensors it holds; `undefined` while it works.
   */
  readonly unavailable?: () => string | undefined
  /** Synchronous read, for backends whose memory is host memory. */
  readonly readSync?: (buffer: DeviceBuffer, aval: AbstractValue) => HostArray
  /**
   * `readSync` for a read that is done before the caller returns (a copy, a
   * sum): the array must not be kept. Unlike `readSync`, it leaves the storage
   * the buffer's own (still donatable and reusable once released). Optional:
   * `readSync` otherwise.
   */
  readonly peekSync?: (buffer: DeviceBuffer, aval: AbstractValue) => HostArray
  /**
   * Compiles a fusion group (several elementwise primitives, with broadcasts
   * folded into how inputs are read) into one kernel. Optional: a backend
   * without it runs a compiled program one primitive at a time.
   */
  readonly compileFused?: (spec: FusedKernelSpec) => FusedKernel
  /**
   * Whether `buffer`'s storage has no other owner (no alias, no view sharing
   * it, no host array it wraps), so that a donated input (`jit`'s
   * `donateArgnums`) may be overwritten. Optional: without it nothing is
   * overwritten.
   */
  readonly exclusive?: (buffer: DeviceBuffer) => boolean
  /**
   * Whether a fused kernel may be given, as an output, the buffer of an input
   * it reads at the element it writes (contiguous, the domain's shape): its
   * generated code reads an element's inputs before writing its outputs.
   */
  readonly fusedInPlace?: boolean
  /**
   * Whether `compileFused` takes specs whose first value is a product
   * (`FusedKernelSpec.dot`: a `dot_general` with its elementwise epilogue).
   */
  readonly fusedDot?: boolean
  /** Whether `compileFused` reads padded inputs (`FusedInput.mask`); without it pads run as primitives. */
  readonly fusedMasks?: boolean
  /**
   * How `sin`, `cos` and `tan` past |x| = 8192 are reduced in this backend's fused kernels
   * (`Approximation.Support.trigReduction`; default `"codyWaite"`): jit bounds a group's decomposed
   * depth with it, and a sine reduced by Payne and Hanek is 64 IR levels instead of 28.
   */
  readonly trigReduction?: TrigReduction
}

/**
 * One input of a fused kernel: a buffer of `dtype` read at element offset
 * `offset + sum_d index_d * strides[d]` for each index of the kernel's domain
 * (stride 0 along a broadcast dimension, all strides 0 for a scalar, negative
 * along a reversed one; `offset` and strides other than the contiguous ones
 * for a slice, transpose or reshape of the buffer folded into the read).
 *
 * @since 0.1.0
 */
export interface FusedInput {
  readonly dtype: DType
  readonly strides: ReadonlyArray<number>
  /** The element read at index 0 of the domain (default 0). */
  readonly offset?: number
  /**
   * Padding (a folded `pad`): only the positions with `start[d] <= index_d <
   * start[d] + count[d]` in every dimension read the buffer; the others read
   * `fill`, a number or the (scalar) input `fill.input`. Real dtypes only.
   */
  readonly mask?: FusedMask
}

/**
 * The box of a padded fused input (see `FusedInput.mask`).
 *
 * @since 0.1.0
 */
export interface FusedMask {
  readonly start: ReadonlyArray<number>
  readonly count: ReadonlyArray<number>
  readonly fill: number | { readonly input: number }
}

/**
 * One output of a fused kernel: `lanes` computed at every element of the
 * domain and stored (contiguous, the domain's shape), or, with `reduce`, a
 * reduction root: the values reduced over `axes` of the domain (trailing or leading ones)
 * (`reduce_sum`, `reduce_max`, `reduce_min` of a real float value, exactly as
 * the unfused reduction would compute them), stored in the shape without them.
 *
 * @since 0.1.0
 */
export interface FusedOutput {
  readonly dtype: DType
  readonly lanes: ReadonlyArray<Expr>
  readonly reduce?: { readonly kind: "sum" | "max" | "min"; readonly axes: ReadonlyArray<number> }
}

/**
 * A fusion group as a backend compiles it: a domain shape, inputs read through
 * strides, and outputs (of the domain's shape, contiguous) each given as one
 * kernel IR expression per lane, in which `Kernel.input(k, type, lane)` reads
 * input `k` at the current element. Shared subexpressions are shared nodes.
 *
 * @since 0.1.0
 */
export interface FusedKernelSpec {
  readonly shape: Shape
  readonly inputs: ReadonlyArray<FusedInput>
  readonly outputs: ReadonlyArray<FusedOutput>
  /**
   * The f32 nodes that are results of one primitive read by another: the
   * unfused program stores (rounds) them, so a backend computing f32 in higher
   * precision rounds them to stay bit-identical to eager execution.
   */
  readonly rounded: ReadonlySet<Expr>
  /**
   * The nodes of lowerings to evaluate in float64 where a backend can
   * (`Lowering.isWideFloat32`: special functions and complex arithmetic), the
   * results still rounded at `rounded`; a backend computing float32 with IEEE
   * float32 rounding at every step rounds the other float32 nodes.
   */
  readonly wide?: ReadonlySet<Expr>
  /**
   * A `dot_general` the kernel computes first (its elementwise epilogue is the
   * rest of the group: bias add, activation), for backends with `fusedDot`:
   * its result is input `input` (read contiguously over the domain, whose
   * shape is the product's; that input's buffer is not passed), its operands
   * are the last two inputs, `lhs` and `rhs` (with placeholder strides: the
   * elementwise code never reads them).
   */
  readonly dot?: FusedDot
}

/**
 * The product a fused kernel computes first (see `FusedKernelSpec.dot`).
 *
 * @since 0.1.0
 */
export interface FusedDot {
  readonly input: number
  readonly lhs: number
  readonly rhs: number
  readonly lhsShape: Shape
  readonly rhsShape: Shape
  readonly dtype: DType
  readonly params: Params<"dot_general">
}

/**
 * A compiled fusion group: input buffers in, one buffer per output out.
 *
 * @since 0.1.0
 */
export interface FusedKernel {
  /**
   * `outputs` may give buffers to write into (a compiled program's arena: made
   * by an earlier run of this kernel, so of the right dtype and size, and no
   * longer read by anyone); `undefined` entries are allocated.
   */
  readonly run: (
    inputs: ReadonlyArray<DeviceBuffer>,
    outputs?: ReadonlyArray<DeviceBuffer | undefined>
  ) => ReadonlyArray<DeviceBuffer>
  /** The generated code, for inspection and tests. */
  readonly source: string
}

/**
 * The backend service.
 *
 * @example
 * import { Backend, TypedArrayBackend } from "diffect"
 * import { Effect } from "effect"
 * const backendName = Effect.gen(function*() {
 *   const backend = yield* Backend
 *   return backend.name
 * })
 * console.log(await Effect.runPromise(backendName.pipe(Effect.provide(TypedArrayBackend.layer)))) // typed-array
 *
 * @category Backends
 * @since 0.1.0
 */
export class Backend extends Context.Service<Backend, BackendShape>()("diffect/Backend") {}

/** Errors a backend may raise while running. @category Backends @since 0.1.0 */
export type BackendFailure = BackendError | UnsupportedDTypeError

let currentBackend: BackendShape | undefined
let defaultBackend: BackendShape | undefined

/**
 * The backend that evaluates primitives now: the one installed for a synchronous
 * run (`withBackend`), else the running fiber's `Backend` service, else the default
 * (the facade installs the typed-array backend), else none.
 *
 * @category Backends
 * @since 0.1.0
 */
export const activeBackend = (): BackendShape | undefined => currentBackend ?? fiberBackend() ?? defaultBackend

// Eager operations written directly in an `Effect.gen` body run inside a fiber: they use the
// fiber's `Backend`, so `Effect.provide(WebGpuBackend.layer)` covers them too.
const fiberBackend = (): BackendShape | undefined => {
  const fiber = Fiber.getCurrent()
  return fiber === undefined ? undefined : Context.getOrUndefined(fiber.context as Context.Context<Backend>, Backend)
}

/**
 * Runs synchronous `thunk` with `backend` evaluating primitives.
 *
 * @category Backends
 * @since 0.1.0
 */
export const withBackend = <A>(backend: BackendShape, thunk: () => A): A => {
  const saved = currentBackend
  currentBackend = backend
  try {
    return thunk()
  } finally {
    currentBackend = saved
  }
}

/**
 * Sets the backend used by eager operations outside any Effect (scripts, the
 * REPL). The `diffect` facade sets the typed-array backend.
 *
 * @category Backends
 * @since 0.1.0
 */
export const setDefaultBackend = (backend: BackendShape): void => {
  defaultBackend = backend
}

/**
 * The default backend where it reads synchronously (the facade's typed-array
 * backend): where host callbacks run their own eager operations, as JAX runs
 * callbacks on its CPU device. `undefined` without one.
 *
 * @category Backends
 * @since 0.1.0
 */
export const hostBackend = (): BackendShape | undefined =>
  defaultBackend?.readSync !== undefined ? defaultBackend : undefined

/**
 * A host-memory buffer's storage for a read that ends before the caller
 * returns (printing, converting to JS numbers, a copy, one scalar): the
 * backend's `peekSync`, which leaves the storage the buffer's own (donatable,
 * reusable once released), else its `readSync`; `undefined` for a backend that
 * reads only asynchronously (WebGPU). The array must not be kept.
 *
 * @category Backends
 * @since 0.1.0
 */
export const peekHost = (buffer: DeviceBuffer, aval: AbstractValue): HostArray | undefined => {
  const backend = buffer.backend
  return backend.peekSync !== undefined ? backend.peekSync(buffer, aval) : backend.readSync?.(buffer, aval)
}
