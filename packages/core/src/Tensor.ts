/**
 * `Tensor`: the one value type users see. A tensor is either concrete (data on
 * the host or on a backend) or a tracer owned by a transformation's handler; both
 * have a shape and a dtype and support the same operations.
 *
 * @since 0.1.0
 */
import { formatAval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import type { DeviceBuffer } from "./Backend.js"
import type { DType, HostArray } from "./DType.js"
import type { Handler } from "./Handler.js"
import { formatArray } from "./internal/format.js"
import { formatShape, sizeOf } from "./Shape.js"
import type { Shape } from "./Shape.js"
import type { Spec as TensorSpec, TensorSchema } from "./TensorSchema.js"

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
    return this.aval.shape
  }
  get dtype(): DType {
    return this.aval.dtype
  }
  get weakType(): boolean {
    return this.aval.weakType
  }
  get ndim(): number {
    return this.aval.shape.length
  }
  get size(): number {
    return sizeOf(this.aval.shape)
  }
  /**
   * JAX's repr: `Array([1., 2.], dtype=float32)` for a concrete tensor (values
   * summarized past 1000 elements, `weak_type=True` noted), `Traced<float32[3]>with<jvp>`
   * for a traced one. Browsers' consoles show it through `String(t)`.
   */
  toString(): string {
    return `Tensor(${formatAval(this.aval)})`
  }
  /** `console.log(t)` and `util.inspect(t)` in Node print `toString()` (a symbol, so core needs no Node import). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString()
  }
}

/**
 * Where a concrete tensor's data lives: on the host (made by `np.array` outside
 * any backend) or in a backend's buffer. A host tensor is adopted by the first
 * backend that uses it; the upload is cached so it happens once per backend.
 *
 * @category Tensors
 * @since 0.1.0
 */
export class ConcreteTensor extends Tensor {
  #uploads: Array<DeviceBuffer> | undefined
  constructor(
    readonly aval: AbstractValue,
    /** Host data in storage layout, or `undefined` when the data lives only on a backend. */
    readonly host: HostArray | undefined,
    /** The backend buffer, when the data was produced by (or uploaded to) a backend. */
    readonly buffer: DeviceBuffer | undefined
  ) {
    super()
  }
  /** The buffer for `backend`, uploading host-readable data once if needed (cached per backend). */
  bufferFor(backend: DeviceBuffer["backend"]): DeviceBuffer | undefined {
    if (this.buffer !== undefined && this.buffer.backend === backend) return this.buffer
    const cached = this.#uploads?.find((b) => b.backend === backend)
    if (cached !== undefined) return cached
    // Data another backend holds in host memory (a CPU buffer) moves synchronously;
    // data on an asynchronous device must be read back with toJs first.
    const host = this.host ?? this.buffer?.backend.readSync?.(this.buffer, this.aval)
    if (host === undefined) return undefined
    const uploaded = backend.fromHost(host, this.aval)
    ;(this.#uploads ??= []).push(uploaded)
    return uploaded
  }
  override toString(): string {
    const a = this.aval
    // Data on an asynchronous device (WebGPU) cannot be read here: print what is known.
    const host = a.dtype === "float0" ? new Uint8Array(0) : this.host ?? this.buffer?.backend.readSync?.(this.buffer, a)
    if (host === undefined) {
      return `Array(<on ${this.buffer?.backend.name}; read it with toJs>, shape=${
        formatShape(a.shape)
      }, dtype=${a.dtype})`
    }
    return formatArray(host, a.dtype, a.shape, a.weakType)
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
export const summary = (t: Tensor): string => t instanceof Tracer ? String(t) : `Tensor(${formatAval(t.aval)})`

/** @category Tensors @since 0.1.0 */
export const describeShape = (t: Tensor): string => formatShape(t.shape)
