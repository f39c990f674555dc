/**
 * Chainable methods on `Tensor` (`x.add(y).mul(2).sum()`): declared in
 * `TensorMethods`, which `Tensor` extends by module augmentation, and installed
 * on its prototype here from one table typed as all of `TensorMethods`, so a
 * declared method without an implementation is a compile error.
 * The static `Tensor.schema` (declared in Tensor.ts, which cannot import
 * TensorSchema.ts without an import cycle) is installed here too.
 * Each is its `np` function with `this` as the first argument, so methods work
 * on tracers exactly like the functions do.
 *
 * Installed once, when the core's index is imported.
 *
 * @since 0.1.0
 */
import type { DType } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as np from "../np.js"
import type { Shape } from "../Shape.js"
import { Tensor } from "../Tensor.js"
import { schema } from "../TensorSchema.js"
import type { Complex, TensorLike } from "./arrayLiteral.js"
import { tensorToPrimitive } from "./toPrimitive.js"

declare module "../Tensor.js" {
  interface Tensor extends TensorMethods {}
}

/**
 * The chainable methods of every tensor.
 *
 * @since 0.1.0
 */
export interface TensorMethods {
  /** `np.add(this, y)`. */
  add(y: TensorLike): Tensor
  /** `np.subtract(this, y)`. */
  sub(y: TensorLike): Tensor
  /** `np.multiply(this, y)`. */
  mul(y: TensorLike): Tensor
  /** `np.divide(this, y)`. */
  div(y: TensorLike): Tensor
  /** `np.mod(this, y)`. */
  mod(y: TensorLike): Tensor
  /** `np.power(this, y)`. */
  pow(y: TensorLike): Tensor
  /** `np.negative(this)`. */
  neg(): Tensor
  /** `np.square(this)`. */
  square(): Tensor
  /** `np.maximum(this, y)`. */
  maximum(y: TensorLike): Tensor
  /** `np.minimum(this, y)`. */
  minimum(y: TensorLike): Tensor
  /** `np.equal(this, y)`. */
  eq(y: TensorLike): Tensor
  /** `np.notEqual(this, y)`. */
  ne(y: TensorLike): Tensor
  /** `np.less(this, y)`. */
  lt(y: TensorLike): Tensor
  /** `np.lessEqual(this, y)`. */
  le(y: TensorLike): Tensor
  /** `np.greater(this, y)`. */
  gt(y: TensorLike): Tensor
  /** `np.greaterEqual(this, y)`. */
  ge(y: TensorLike): Tensor
  /** `np.exp(this)`. */
  exp(): Tensor
  /** `np.log(this)`. */
  log(): Tensor
  /** `np.sin(this)`. */
  sin(): Tensor
  /** `np.cos(this)`. */
  cos(): Tensor
  /** `np.tan(this)`. */
  tan(): Tensor
  /** `np.tanh(this)`. */
  tanh(): Tensor
  /** `np.sqrt(this)`. */
  sqrt(): Tensor
  /** `np.abs(this)`. */
  abs(): Tensor
  /** `np.sigmoid(this)`. */
  sigmoid(): Tensor
  /** `np.sum(this, options)`. */
  sum(options?: np.ReduceOptions): Tensor
  /** `np.mean(this, options)`. */
  mean(options?: np.ReduceOptions): Tensor
  /** `np.max(this, options)`. */
  max(options?: np.ReduceOptions): Tensor
  /** `np.min(this, options)`. */
  min(options?: np.ReduceOptions): Tensor
  /** `np.prod(this, options)`. */
  prod(options?: np.ReduceOptions): Tensor
  /** `np.argmax(this, options)`. */
  argmax(options?: np.ArgOptions): Tensor
  /** `np.argmin(this, options)`. */
  argmin(options?: np.ArgOptions): Tensor
  /** `np.reshape(this, shape)`; one dimension may be -1. */
  reshape(shape: number | Shape): Tensor
  /** `np.ravel(this)`. */
  ravel(): Tensor
  /** `np.transpose(this, options)`. */
  transpose(options?: { readonly axes?: ReadonlyArray<number> | undefined }): Tensor
  /** The transpose (axes reversed). */
  readonly T: Tensor
  /** `np.squeeze(this, options)`. */
  squeeze(options?: np.AxisOptions): Tensor
  /** `np.expandDims(this, axis)`. */
  expandDims(axis: number | ReadonlyArray<number>): Tensor
  /** `np.broadcastTo(this, shape)`. */
  broadcastTo(shape: number | Shape): Tensor
  /** `np.astype(this, dtype)`. */
  astype(dtype: DType): Tensor
  /** `np.matmul(this, y)`. */
  matmul(y: TensorLike): Tensor
  /** `np.dot(this, y)`. */
  dot(y: TensorLike): Tensor
  /** `this[i]`: the sub-tensor at integer index `i` of the first axis (`np.index`). */
  at(i: number): Tensor
  /**
   * The sub-tensors along the first axis, in order (`for (const row of x)`, `[...x]`, as JAX
   * arrays iterate); a rank-0 tensor is not iterable (a `ShapeError`, as JAX's `TypeError`).
   */
  [Symbol.iterator](): Iterator<Tensor>
  /** `np.take(this, indices, options)`. */
  take(indices: TensorLike, options?: np.TakeOptions): Tensor
  /** `np.real(this)`. */
  real(): Tensor
  /** `np.imag(this)`. */
  imag(): Tensor
  /** `np.conj(this)`. */
  conj(): Tensor
  /** `np.clip(this, options)`. */
  clip(options?: np.ClipOptions): Tensor
  /** `np.fullLike(this, value)`. */
  fullLike(value: number | boolean | Complex): Tensor
}

// Every method but the `T` getter and the iterator, installed below.
const methods: Omit<TensorMethods, "T" | typeof Symbol.iterator> & ThisType<Tensor> = {
  add(y) {
    return np.add(this, y)
  },
  sub(y) {
    return np.subtract(this, y)
  },
  mul(y) {
    return np.multiply(this, y)
  },
  div(y) {
    return np.divide(this, y)
  },
  mod(y) {
    return np.mod(this, y)
  },
  pow(y) {
    return np.power(this, y)
  },
  neg() {
    return np.negative(this)
  },
  square() {
    return np.square(this)
  },
  maximum(y) {
    return np.maximum(this, y)
  },
  minimum(y) {
    return np.minimum(this, y)
  },
  eq(y) {
    return np.equal(this, y)
  },
  ne(y) {
    return np.notEqual(this, y)
  },
  lt(y) {
    return np.less(this, y)
  },
  le(y) {
    return np.lessEqual(this, y)
  },
  gt(y) {
    return np.greater(this, y)
  },
  ge(y) {
    return np.greaterEqual(this, y)
  },
  exp() {
    return np.exp(this)
  },
  log() {
    return np.log(this)
  },
  sin() {
    return np.sin(this)
  },
  cos() {
    return np.cos(this)
  },
  tan() {
    return np.tan(this)
  },
  tanh() {
    return np.tanh(this)
  },
  sqrt() {
    return np.sqrt(this)
  },
  abs() {
    return np.abs(this)
  },
  sigmoid() {
    return np.sigmoid(this)
  },
  sum(options) {
    return np.sum(this, options)
  },
  mean(options) {
    return np.mean(this, options)
  },
  max(options) {
    return np.max(this, options)
  },
  min(options) {
    return np.min(this, options)
  },
  prod(options) {
    return np.prod(this, options)
  },
  argmax(options) {
    return np.argmax(this, options)
  },
  argmin(options) {
    return np.argmin(this, options)
  },
  reshape(shape) {
    return np.reshape(this, shape)
  },
  ravel() {
    return np.ravel(this)
  },
  transpose(options) {
    return np.transpose(this, options)
  },
  squeeze(options) {
    return np.squeeze(this, options)
  },
  expandDims(axis) {
    return np.expandDims(this, axis)
  },
  broadcastTo(shape) {
    return np.broadcastTo(this, shape)
  },
  astype(dtype) {
    return np.astype(this, dtype)
  },
  matmul(y) {
    return np.matmul(this, y)
  },
  dot(y) {
    return np.dot(this, y)
  },
  at(i) {
    return np.index(this, i)
  },
  take(indices, options) {
    return np.take(this, indices, options)
  },
  real() {
    return np.real(this)
  },
  imag() {
    return np.imag(this)
  },
  conj() {
    return np.conj(this)
  },
  clip(options) {
    return np.clip(this, options)
  },
  fullLike(value) {
    return np.fullLike(this, value)
  }
}

for (const [name, value] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true, enumerable: false })
}
// A static method's property attributes, as `static schema(spec) {...}` would have.
Object.defineProperty(Tensor, "schema", { value: schema, writable: true, configurable: true, enumerable: false })
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return np.transpose(this)
  },
  configurable: true,
  enumerable: false
})
// Iteration goes over the first axis; the length is static, so a tracer iterates as well.
Object.defineProperty(Tensor.prototype, Symbol.iterator, {
  value: function*(this: Tensor): Generator<Tensor, void, undefined> {
    if (this.ndim === 0) {
      throw new ShapeError({
        operation: "iterate",
        detail: "iteration over a 0-d tensor: it has no first axis (index it, or read it with toJsSync)"
      })
    }
    const n = this.shape[0]!
    for (let i = 0; i < n; i++) yield np.index(this, i)
  },
  writable: true,
  configurable: true,
  enumerable: false
})
// Numeric contexts read a one-element tensor (or fail with a typed error) instead of giving NaN.
Object.defineProperty(Tensor.prototype, Symbol.toPrimitive, {
  value: tensorToPrimitive,
  writable: true,
  configurable: true,
  enumerable: false
})
