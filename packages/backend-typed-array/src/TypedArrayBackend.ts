/**
 * The typed-array (CPU) backend: buffers are typed arrays in diffect's storage
 * layout, elementwise kernels (eager primitives and jit's fusion groups) are
 * WebAssembly SIMD or JS loops generated from the kernel IR (the same bits:
 * float32 is IEEE float32 arithmetic at every step), and the other primitives
 * run structured kernels (blocked matmul, pairwise sums).
 *
 * @since 0.1.0
 */
import { Backend, DType, MemoryLimitError } from "@diffect/core"
import type { AbstractValue, BackendShape, DeviceBuffer, FirstOrderPrimitive, Params } from "@diffect/core"
import { boolean, checkOptions } from "@diffect/core/Validate"
import { Effect, Layer } from "effect"
import { dotGeneral } from "./internal/dot.js"
import { compileFusedLoop } from "./internal/fused.js"
import { type KernelContext, kernels } from "./internal/kernels.js"
import { isStorageView, ON_HEAP_MAX_BYTES } from "./internal/storageViews.js"
import { availableCores, makePool, type Pool } from "./internal/threads.js"
import { type GemmKept, keptProducts, sharedDefaultPool } from "./internal/wasmGemm.js"

/**
 * A typed-array backend buffer: the data itself, in storage layout (complex
 * interleaved, bool as bytes). Buffers are never written after creation, so
 * views may share one array.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface TypedArrayBuffer extends DeviceBuffer {
  readonly data: DType.HostArray
}

const emptyData = new Float32Array(0)

// Live buffers (not released and not collected): their count and bytes, for
// `memory()` and the layer's `memoryLimit`. Buffers the garbage collector takes
// before they were released are counted out by a FinalizationRegistry, which costs
// microseconds per buffer: only a backend made with `trackMemory` or `memoryLimit` counts.
class Accounts {
  buffers = 0
  bytes = 0
  peakBytes = 0
  readonly registry = new FinalizationRegistry<number>((bytes) => this.remove(bytes))
  constructor(readonly limit: number) {}
  add(buffer: Buffer, bytes: number): void {
    if (this.bytes + bytes > this.limit) {
      throw new MemoryLimitError({ backend: "typed-array", requested: bytes, live: this.bytes, limit: this.limit })
    }
    this.buffers++
    this.bytes += bytes
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes
    this.registry.register(buffer, bytes, buffer)
  }
  remove(bytes: number): void {
    this.buffers--
    this.bytes -= bytes
  }
}

/**
 * Who holds each storage (`ArrayBuffer`) that more than one buffer holds: the
 * number of live buffers over it (a reshape's output is a second buffer over its
 * input's storage, an alias a third), or `Infinity` once it escaped: a host
 * array `fromHost` wraps, or an array handed to a reader (`data`, `read`,
 * `readSync`), which may keep it. Storage that is not here has one holder, the
 * buffer that made it: the common case costs no entry (a weak map with an entry
 * per buffer slows every garbage collection, which must trace it). Storage with
 * one holder is exclusive (a donated input may be overwritten); storage whose
 * last buffer is released and that never escaped goes back to `DType.allocHost`.
 */
class Owners {
  readonly #count = new WeakMap<ArrayBufferLike, number>()
  // The small arrays (storageViews.ts) through which storage got an entry (shared or escaped). A
  // small array outside this set that no kernel made as a view holds its storage alone, and is
  // answered without reading `.buffer`, which for it costs as much as an allocation.
  readonly #keyed = new WeakSet<DType.HostArray>()
  #tracked(array: DType.HostArray): boolean {
    return array.byteLength > ON_HEAP_MAX_BYTES || this.#keyed.has(array) || isStorageView(array)
  }
  #key(array: DType.HostArray): void {
    if (array.byteLength <= ON_HEAP_MAX_BYTES) this.#keyed.add(array)
  }
  /** One more buffer over the storage of `array`, which a live buffer already holds (through `base`, if another array). */
  share(array: DType.HostArray, base: DType.HostArray = array): void {
    this.#key(array)
    this.#key(base)
    const storage = array.buffer
    this.#count.set(storage, (this.#count.get(storage) ?? 1) + 1)
  }
  escape(array: DType.HostArray): void {
    this.#key(array)
    this.#count.set(array.buffer, Infinity)
  }
  exclusive(array: DType.HostArray): boolean {
    return !this.#tracked(array) || !this.#count.has(array.buffer)
  }
  /** One buffer fewer over the storage of `array`; whether that was the last holder of storage that never escaped. */
  drop(array: DType.HostArray): boolean {
    if (!this.#tracked(array)) return true
    const storage = array.buffer
    const n = this.#count.get(storage)
    if (n === undefined) return true
    if (n === 2) this.#count.delete(storage)
    else this.#count.set(storage, n - 1)
    return false
  }
}

/** `DType.recycleHost` keeps no storage under 4 KiB: smaller arrays are not handed to it. */
const RECYCLED_MIN_BYTES = 4 * 1024

class Buffer implements TypedArrayBuffer {
  #data: DType.HostArray
  constructor(
    readonly backend: BackendShape,
    data: DType.HostArray,
    readonly accounts: Accounts | undefined,
    readonly owners: Owners
  ) {
    accounts?.add(this, data.byteLength)
    this.#data = data
  }
  /** The storage, for this backend's own use (reading it through `data` lets it escape). */
  storage(): DType.HostArray {
    return this.#data
  }
  /** The storage, for code outside the backend: it may keep the array, so the storage escapes. */
  get data(): DType.HostArray {
    this.owners.escape(this.#data)
    return this.#data
  }
  release(): void {
    const data = this.#data
    if (data === emptyData) return
    if (this.accounts !== undefined) {
      this.accounts.registry.unregister(this)
      this.accounts.remove(data.byteLength)
    }
    this.#data = emptyData
    if (this.owners.drop(data) && data.byteLength >= RECYCLED_MIN_BYTES) DType.recycleHost(data)
  }
}

/**
 * Options of the typed-array backend: `memoryLimit`, the most bytes its live
 * buffers may hold (an allocation past it is a `MemoryLimitError`; default: no
 * limit), `trackMemory`, whether `memory()` counts (default: only with a limit),
 * and `threads`, how many threads large kernels may split across (default: all
 * cores; 1: never start a worker).
 *
 * @category Backends
 * @since 0.1.0
 */
export interface TypedArrayBackendOptions {
  readonly memoryLimit?: number
  /** Counts live buffers for `memory()` (implied by `memoryLimit`; costs microseconds per buffer). */
  readonly trackMemory?: boolean
  /**
   * Threads for kernels above a size threshold (the calling thread counts as one):
   * workers over shared WebAssembly memory (`node:worker_threads` in Node, Web
   * Workers in cross-origin-isolated browsers; one thread where neither is
   * available), started on first need. Results are bit-identical for any count.
   * Default: all cores (`os.availableParallelism()`, `navigator.hardwareConcurrency`).
   */
  readonly threads?: number
}

/**
 * The typed-array backend: a `BackendShape` with its live memory.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface TypedArrayBackendShape extends BackendShape {
  /** How many threads large kernels may use (the calling thread included). */
  readonly threads: number
  /**
   * Stops the backend's worker threads (`TypedArrayBackend.layerWith` calls it
   * when its scope closes); kernels then run on the calling thread.
   */
  readonly close: () => void
  /** Worker threads running now (0 before the first large kernel, and after `close`). */
  readonly workers: () => number
  /**
   * Buffers alive now (not released, not collected): their count and total bytes,
   * and the most bytes alive at once since the backend was made or `resetPeak` was
   * called (`peakBytes`); `undefined` for a backend made without `trackMemory` or
   * `memoryLimit`. A kernel output that is a view of its input (a reshape) counts
   * its bytes again.
   */
  readonly memory: () =>
    | { readonly buffers: number; readonly bytes: number; readonly peakBytes: number }
    | undefined
  /** Starts a new peak: `memory().peakBytes` becomes the bytes alive now. */
  readonly resetPeak: () => void
}

/**
 * Makes a typed-array backend. Every buffer is an ordinary typed array, dropped
 * when its tensor is released (or collected). Without `threads` it shares one
 * process-wide pool of all cores (idle workers never keep the process alive);
 * with `threads` it owns a pool, which `close()` stops (prefer
 * `TypedArrayBackend.layerWith({ threads })`, which closes it with its scope).
 *
 * @example
 * import { aval, makeTypedArrayBackend } from "diffect/extend"
 * const backend = makeTypedArrayBackend()
 * const x = backend.fromHost(new Float32Array([1, 2]), aval([2], "float32"))
 * const [y] = backend.execute("neg", [x], [aval([2], "float32")], {}, [aval([2], "float32")])
 * console.log(backend.readSync!(y!, aval([2], "float32"))) // Float32Array(2) [-1, -2]
 *
 * @category Backends
 * @since 0.1.0
 */
export const makeTypedArrayBackend = (options: TypedArrayBackendOptions = {}): TypedArrayBackendShape => {
  checkOptions("makeTypedArrayBackend", options, backendOptions)
  const pool: Pool = options.threads === undefined ? sharedDefaultPool() : makePool(options.threads)
  const owned = options.threads !== undefined
  const context: KernelContext = { pool }
  const owners = new Owners()
  // A kernel output over an input's storage (a reshape, a contiguous slice) is one more holder of it.
  const shareViews = (out: DType.HostArray, ins: ReadonlyArray<DType.HostArray>): void => {
    for (let i = 0; i < ins.length; i++) {
      if (ins[i] === out) return owners.share(out)
    }
    if (out.byteLength <= ON_HEAP_MAX_BYTES && !isStorageView(out)) return
    // a view is no larger than the input it views
    const storage = out.buffer
    for (let i = 0; i < ins.length; i++) {
      if (ins[i]!.byteLength >= out.byteLength && ins[i]!.buffer === storage) return owners.share(out, ins[i])
    }
  }
  const accounts = options.memoryLimit !== undefined || options.trackMemory === true
    ? new Accounts(options.memoryLimit ?? Infinity)
    : undefined
  const backend: TypedArrayBackendShape = {
    name: "typed-array",
    threads: pool.threads,
    close: () => {
      if (owned) pool.close()
    },
    workers: () => pool.live(),
    supportsDType: () => true,
    fromHost: (data) => {
      // the caller keeps the array
      owners.escape(data)
      return new Buffer(backend, data, accounts, owners)
    },
    execute: <P extends FirstOrderPrimitive>(
      primitive: P,
      inputs: ReadonlyArray<DeviceBuffer>,
      inAvals: ReadonlyArray<AbstractValue>,
      params: Params<P>,
      outAvals: ReadonlyArray<AbstractValue>,
      outputs?: ReadonlyArray<DeviceBuffer | undefined>
    ): ReadonlyArray<DeviceBuffer> => {
      const data = new Array<DType.HostArray>(inputs.length)
      for (let i = 0; i < inputs.length; i++) data[i] = (inputs[i] as Buffer).storage()
      const given = outputs?.map((o) => (o as Buffer | undefined)?.storage())
      const outs = kernels[primitive](
        data,
        inAvals,
        params,
        outAvals,
        given === undefined ? context : { pool, outputs: given }
      )
      return outs.map((o, i) => {
        if (given !== undefined && given[i] === o) return outputs![i]!
        shareViews(o, data)
        return new Buffer(backend, o, accounts, owners)
      })
    },
    executeInto: new Set<FirstOrderPrimitive>(["dot_general"]),
    // a reader may keep the array: `data` lets its storage escape
    read: (buffer) => Effect.sync(() => (buffer as Buffer).data),
    readSync: (buffer) => (buffer as Buffer).data,
    peekSync: (buffer) => (buffer as Buffer).storage(),
    release: (buffer) => (buffer as Buffer).release(),
    alias: (buffer) => {
      const data = (buffer as Buffer).storage()
      owners.share(data)
      return new Buffer(backend, data, accounts, owners)
    },
    adoptHost: (data) => new Buffer(backend, data, accounts, owners),
    exclusive: (buffer) => {
      const data = (buffer as Buffer).storage()
      return data !== emptyData && owners.exclusive(data)
    },
    // fused loops read an element's inputs before writing its outputs (internal/fused.ts)
    fusedInPlace: true,
    // padded inputs: bounds flags in the JS loop, filled gathers in SIMD (internal/fused.ts)
    fusedMasks: true,
    memory: () =>
      accounts === undefined
        ? undefined
        : { buffers: accounts.buffers, bytes: accounts.bytes, peakBytes: accounts.peakBytes },
    resetPeak: () => {
      if (accounts !== undefined) accounts.peakBytes = accounts.bytes
    },
    fusedDot: true,
    compileFused: (spec) => {
      // a product heading the group is computed first, into the kernel's own scratch array
      const dot = spec.dot
      const epilogue = dot === undefined ? spec : { ...spec, inputs: spec.inputs.slice(0, dot.lhs) }
      const compiled = compileFusedLoop(epilogue, pool)
      const loop = compiled.loop
      let scratch: DType.HostArray | undefined
      const kept: GemmKept = {}
      const product = dot === undefined ? undefined : (inputs: ReadonlyArray<DeviceBuffer>): DType.HostArray => {
        const { batch, contracting, precision } = dot.params
        const last = scratch
        kept.view = undefined
        scratch = dotGeneral(
          (inputs[dot.lhs] as Buffer).storage(),
          dot.lhsShape,
          (inputs[dot.rhs] as Buffer).storage(),
          dot.rhsShape,
          dot.dtype,
          contracting,
          batch,
          dot.dtype,
          precision,
          pool,
          scratch,
          keptProducts() ? kept : undefined
        )
        // the kernel keeps its scratch: never handed to the allocator, even through an output over it
        if (scratch !== last) owners.escape(scratch)
        // the product left in the kernel's memory, read by the epilogue before any other product runs
        return kept.view ?? scratch
      }
      return {
        // (generated when read: inspection and tests)
        get source() {
          return dot === undefined
            ? compiled.source
            : `// input ${dot.input} = dot_general(input ${dot.lhs}, input ${dot.rhs}) ${
              JSON.stringify(dot.params)
            }, then:\n${compiled.source}`
        },
        run: (inputs, outputs) => {
          const data = new Array<DType.HostArray>(epilogue.inputs.length)
          for (let i = 0; i < data.length; i++) {
            data[i] = i === dot?.input ? product!(inputs) : (inputs[i] as Buffer).storage()
          }
          const reuse = outputs?.map((o) => (o as Buffer | undefined)?.storage())
          const outs = loop(data, reuse)
          return outs.map((o, i) => {
            const given = outputs?.[i]
            if (given !== undefined && (given as Buffer).storage() === o) return given
            shareViews(o, data)
            return new Buffer(backend, o, accounts, owners)
          })
        }
      }
    }
  }
  return backend
}

const nonNegative = {
  expected: "a non-negative number of bytes",
  test: (u: unknown) => typeof u === "number" && u >= 0
}

const threadCount = {
  expected: "a positive integer number of threads",
  test: (u: unknown) => typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 1024
}

const backendOptions = { memoryLimit: nonNegative, trackMemory: boolean, threads: threadCount }

/**
 * The typed-array backend as a `Backend` layer. `layer` is one process-wide
 * backend (the one eager code uses), on all cores; `layerWith(options)` makes a
 * new backend per use of the layer: `memoryLimit` bounds its live buffers,
 * `threads` sizes its own worker pool (default: all cores), which belongs to
 * the layer's scope: its workers are terminated when the scope closes.
 *
 * @example
 * import { Backend, TypedArrayBackend } from "diffect"
 * import { Effect } from "effect"
 * const name = Effect.gen(function*() {
 *   return (yield* Backend).name
 * }).pipe(Effect.provide(TypedArrayBackend.layer))
 * console.log(Effect.runSync(name)) // typed-array
 *
 * @category Backends
 * @since 0.1.0
 */
export const TypedArrayBackend: {
  readonly layer: Layer.Layer<Backend>
  readonly layerWith: (options?: TypedArrayBackendOptions) => Layer.Layer<Backend>
} = {
  layer: Layer.succeed(Backend, Backend.of(makeTypedArrayBackend())),
  layerWith: (options = {}) => {
    // checked when the layer is made, as every constructor's options (a bad one is no defect at build)
    checkOptions("TypedArrayBackend.layerWith", options, backendOptions)
    return Layer.effect(
      Backend,
      Effect.acquireRelease(
        Effect.sync(() => makeTypedArrayBackend({ ...options, threads: options.threads ?? availableCores() })),
        (backend) => Effect.sync(() => backend.close())
      ).pipe(Effect.map((backend) => Backend.of(backend)))
    )
  }
}
