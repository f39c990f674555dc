/**
 * `Tensor`: the one value type users see. A tensor is either concrete (data on
 * the host or on a backend) or a tracer owned by a transformation's handler; both
 * have a shape and a dtype and support the same operations.
 *
 * @since 0.1.0
 */
import { formatAval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import { peekHost } from "./Backend.js"
import type { BackendShape, DeviceBuffer } from "./Backend.js"
import type { DType, HostArray } from "./DType.js"
import { ArgumentError, ReleasedTensorError } from "./Errors.js"
import type { Handler } from "./Handler.js"
import { formatArray } from "./internal/format.js"
import { track } from "./internal/region.js"
import type { Owned } from "./internal/region.js"
import { formatShape, sizeOf } from "./Shape.js"
import type { Shape } from "./Shape.js"
import type { Spec as TensorSpec, TensorSchema } from "./TensorSchema.js"

// A tensor's aval; an object forged from the prototype (`Object.create(Tensor.prototype)`) has
// none, and reading its shape or dtype is a typed error rather than a TypeError.
const avalOf = (t: Tensor): AbstractValue => {
  const a = t.aval as AbstractValue | undefined
  if (a === undefined) {
    throw new ArgumentError({
      operation: "Tensor",
      argument: "this",
      expected: "a tensor made by its constructor",
      got: "a forged Tensor (made without its constructor)"
    })
  }
  return a
}

/**
 * An immutable n-dimensional array, concrete or traced. Chainable methods
 * (`x.add(y).mul(2).sum()`) are declared by module augmentation and, like
 * `Tensor.schema`, installed when the package's index is imported
 * (internal/methods.ts).
 *
 * @category Tensors
 * @since 0.1.0
 */
export abstract class Tensor {
  // Set by the constructor: an object made with `Object.create(Tensor.prototype)` is
  // `instanceof Tensor` but holds no value; `Tensor.isGenuine` tells them apart.
  // oxlint-disable-next-line no-unused-private-class-members -- read by the `#genuine in u` brand check
  readonly #genuine = true
  /** Whether `u` was made by a Tensor constructor (not forged from the prototype). */
  static isGenuine(u: Tensor): boolean {
    return #genuine in u
  }
  // Installed with the chainable methods (internal/methods.ts): TensorSchema.ts builds on
  // Tensor, so importing it here would be an import cycle.
  /**
   * The `effect/Schema` schema of tensors of a dtype and shape (`null`: a free
   * dimension): `Tensor.schema({ dtype: "float32", shape: [null, 784] })`.
   * See `TensorSchema`.
   */
  declare static schema: (spec?: TensorSpec) => TensorSchema
  abstract get aval(): AbstractValue
  get shape(): Shape {
    return avalOf(this).shape
  }
  get dtype(): DType {
    return avalOf(this).dtype
  }
  get weakType(): boolean {
    return avalOf(this).weakType
  }
  get ndim(): number {
    return avalOf(this).shape.length
  }
  get size(): number {
    return sizeOf(avalOf(this).shape)
  }
  /**
   * JAX's repr: `Array([1., 2.], dtype=float32)` for a concrete tensor (values
   * summarized past 1000 elements, `weak_type=True` noted), `Traced<float32[3]>with<jvp>`
   * for a traced one. Browsers' consoles show it through `String(t)`.
   */
  toString(): string {
    return describeAval(this)
  }
  /** `console.log(t)` and `util.inspect(t)` in Node print `toString()` (a symbol, so core needs no Node import). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString()
  }
}

/**
 * Where a concrete tensor's data lives: on the host (made by `np.array` outside
 * any backend) or in a backend's buffer. A host tensor is adopted by the first
 * backend that uses it; the upload is cached so it happens once per backend
 * (in a `WeakMap` keyed by the backend, so a closed backend is not kept alive).
 *
 * A tensor made inside an ownership region (a transformation, `Memory.scoped`)
 * and not returned from it is released when the region closes: its backend
 * memory is freed, and reading it afterwards is a `ReleasedTensorError`.
 *
 * @category Tensors
 * @since 0.1.0
 */
export class ConcreteTensor extends Tensor implements Owned {
  #host: HostArray | undefined
  #buffer: DeviceBuffer | undefined
  #uploads: WeakMap<BackendShape, DeviceBuffer> | undefined
  // the backends uploaded to, held weakly (a closed layer stays collectable), so that
  // releasing host data frees its uploads
  #uploadedTo: Array<WeakRef<BackendShape>> | undefined
  #released: string | undefined
  /** Kept by every region: freed by the garbage collector only (jit's constants, shared scalars). */
  pinned = false
  constructor(
    readonly aval: AbstractValue,
    /** Host data in storage layout, or `undefined` when the data lives only on a backend. */
    host: HostArray | undefined,
    /** The backend buffer, when the data was produced by (or uploaded to) a backend. */
    buffer: DeviceBuffer | undefined
  ) {
    super()
    this.#host = host
    this.#buffer = buffer
    if (buffer !== undefined) track(this)
  }
  /**
   * Host data in storage layout, or `undefined` when the data lives only on a backend. It is the
   * tensor's own storage: read it, never write it (tensors are immutable; `np.array`'s copies are
   * frozen, `DType.freezeHost`, and kernels may keep copies of them).
   */
  get host(): HostArray | undefined {
    if (this.#released !== undefined) throw this.#releasedError()
    return this.#host
  }
  /** The backend buffer, when the data was produced by (or uploaded to) a backend. */
  get buffer(): DeviceBuffer | undefined {
    if (this.#released !== undefined) throw this.#releasedError()
    return this.#buffer
  }
  /** Whether the tensor's memory was released (by its region, or `Memory.release`). */
  get released(): boolean {
    return this.#released !== undefined
  }
  #releasedError(): ReleasedTensorError {
    return new ReleasedTensorError({ tensor: `Tensor(${formatAval(this.aval)})`, region: this.#released! })
  }
  /** The error reading this tensor raises once it was released (`undefined` while it is live). */
  releasedError(): ReleasedTensorError | undefined {
    return this.#released === undefined ? undefined : this.#releasedError()
  }
  /**
   * Frees the backend memory now (`region` names who released it, for the error a
   * later use raises). Host data made by `np.array` stays readable: only a tensor
   * whose data lives on a backend becomes unusable.
   */
  releaseMemory(region = "Memory.release"): void {
    const buffer = this.#buffer
    if (buffer === undefined) {
      // host data: it stays readable; its uploads are freed (not a pinned one's: a compiled
      // program may hold them), and the next use uploads again
      if (!this.pinned) {
        for (const ref of this.#uploadedTo ?? []) {
          const backend = ref.deref()
          const up = backend === undefined ? undefined : this.#uploads?.get(backend)
          if (up !== undefined) this.dropUpload(backend!, up)
        }
        this.#uploadedTo = undefined
      }
      return
    }
    if (this.#released !== undefined) return
    this.#released = region
    this.#buffer = undefined
    this.#host = undefined
    buffer.backend.release?.(buffer)
  }
  /**
   * Marks the tensor as donated (`jit`'s `donateArgnums`): reading it afterwards
   * is a `ReleasedTensorError` naming `region`, whether its data lived on a
   * backend or in host memory. Its own buffer is released, unless `taken` (an
   * output of the call now owns that buffer object).
   */
  donate(region: string, taken = false): void {
    if (this.#released !== undefined) return
    const buffer = this.#buffer
    this.#released = region
    this.#buffer = undefined
    this.#host = undefined
    if (buffer !== undefined && !taken) buffer.backend.release?.(buffer)
  }
  /** The buffer for `backend`, uploading host-readable data once if needed (cached per backend). */
  bufferFor(backend: BackendShape): DeviceBuffer | undefined {
    if (this.#released !== undefined) throw this.#releasedError()
    const own = this.#buffer
    if (own !== undefined && own.backend === backend) return own
    const cached = this.#uploads?.get(backend)
    if (cached !== undefined) return cached
    // Data another backend holds in host memory (a CPU buffer) moves synchronously;
    // data on an asynchronous device must be read back with toJs first.
    const host = this.#host ?? own?.backend.readSync?.(own, this.aval)
    if (host === undefined) return undefined
    const uploaded = backend.fromHost(host, this.aval)
    ;(this.#uploads ??= new WeakMap()).set(backend, uploaded)
    ;(this.#uploadedTo ??= []).push(new WeakRef(backend))
    track(new Upload(this, backend, uploaded))
    return uploaded
  }
  /** Drops the cached upload to `backend` (if it is `buffer`) and frees it. */
  dropUpload(backend: BackendShape, buffer: DeviceBuffer): void {
    if (this.#uploads?.get(backend) !== buffer) return
    this.#uploads.delete(backend)
    backend.release?.(buffer)
  }
  override toString(): string {
    const a = this.aval
    if (this.#released !== undefined) {
      return `Array(<released by ${this.#released}>, shape=${formatShape(a.shape)}, dtype=${a.dtype})`
    }
    // Data on an asynchronous device (WebGPU) cannot be read here: print what is known.
    const own = this.#buffer
    const host = a.dtype === "float0"
      ? new Uint8Array(0)
      : this.#host ?? (own === undefined ? undefined : peekHost(own, a))
    if (host === undefined) {
      return `Array(<on ${own?.backend.name}; read it with toJs>, shape=${formatShape(a.shape)}, dtype=${a.dtype})`
    }
    return formatArray(host, a.dtype, a.shape, a.weakType)
  }
}

// An upload made inside a region: released with it unless its tensor is kept (or pinned).
class Upload implements Owned {
  constructor(readonly owner: ConcreteTensor, readonly backend: BackendShape, readonly buffer: DeviceBuffer) {}
  get pinned(): boolean {
    return this.owner.pinned
  }
  releaseMemory(): void {
    this.owner.dropUpload(this.backend, this.buffer)
  }
}

/**
 * A value owned by one transformation's handler. Each handler subclasses it with
 * what it tracks (a tangent, a batch dimension, a program variable).
 *
 * @category Tensors
 * @since 0.1.0
 */
export abstract class Tracer extends Tensor {
  abstract readonly handler: Handler
  /**
   * The concrete value this tracer stands for, when its handler knows it (a JVP
   * tracer's primal: forward mode computes primals eagerly), else `undefined`
   * (staged and batched values). Reading a traced value goes through this, so JS
   * code may branch on a value under `grad`, as in JAX.
   */
  concreteValue(): Tensor | undefined {
    return undefined
  }
  override toString(): string {
    const a = this.aval
    return `Traced<${a.dtype}[${a.shape.join(",")}]${a.weakType ? ", weak_type=True" : ""}>with<${this.handler.name}>`
  }
}

/** @category Tensors @since 0.1.0 */
export const isTensor = (u: unknown): u is Tensor => u instanceof Tensor && Tensor.isGenuine(u)

/**
 * A tensor's type for error messages: `Tensor(f32[3])`, or a tracer's repr.
 *
 * @category Tensors
 * @since 0.1.0
 */
export const summary = (t: Tensor): string => t instanceof Tracer ? String(t) : describeAval(t)

// `Tensor(f32[2,3])`; a forged tensor (Object.create(Tensor.prototype)) has no aval, and printing
// it must not throw
const describeAval = (t: Tensor): string =>
  Tensor.isGenuine(t) ? `Tensor(${formatAval(t.aval)})` : "Tensor(not a genuine tensor)"

/** @category Tensors @since 0.1.0 */
export const describeShape = (t: Tensor): string => formatShape(t.shape)
