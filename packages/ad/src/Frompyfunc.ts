/**
 * `np.frompyfunc` (JAX's `jnp.frompyfunc`): a NumPy-style ufunc made from a
 * scalar function. Calling it is `np.vectorize` of the function; `reduce`,
 * `accumulate`, `outer`, `at` and `reduceat` are JAX's generic versions (loops
 * over the function, as jax/_src/numpy/ufunc_api.py writes them), so all of
 * them differentiate, batch and compile.
 *
 * @since 0.1.0
 */
import { ArgumentError, DTypeError, isTensor, lax, np, ShapeError } from "@diffect/core"
import type { DType as DTypes, Tensor } from "@diffect/core"
import { argumentError, checkOptions } from "@diffect/core/Validate"
import { vectorize } from "./Vectorize.js"

type DType = DTypes.DType
type Like = Tensor | number | boolean | ReadonlyArray<unknown>

/**
 * A ufunc made by {@link frompyfunc}: callable (element-wise, broadcasting),
 * with NumPy's ufunc methods. The methods other than calling need a binary
 * function with one output (`nin = 2`, `nout = 1`), except `at`, which also
 * takes a unary one.
 *
 * @since 0.1.0
 */
export interface Ufunc {
  (...args: ReadonlyArray<Like>): Tensor | ReadonlyArray<Tensor>
  readonly nin: number
  readonly nout: number
  readonly nargs: number
  readonly identity: number | undefined
  /** The ufunc applied element-wise to broadcast arguments (the same as calling it). */
  readonly call: (...args: ReadonlyArray<Like>) => Tensor | ReadonlyArray<Tensor>
  /** Folds `a` along `axis` (`null`: all of `a`) with the function, from `initial` (default `identity`). */
  readonly reduce: (a: Like, options?: UfuncReduceOptions) => Tensor
  /** The running fold of `a` along `axis`. */
  readonly accumulate: (a: Like, options?: { readonly axis?: number; readonly dtype?: DType }) => Tensor
  /** The function at every pair of elements: shape `[...a.shape, ...b.shape]`. */
  readonly outer: (a: Like, b: Like) => Tensor
  /**
   * A copy of `a` with `a[index] = f(a[index])` (or `f(a[index], b[k])`) for each
   * index in turn: `indices` is an integer index or integer tensor (into axis 0), or an
   * array of them (one per leading axis), broadcast together. A repeated index is
   * updated once per occurrence; an out-of-range index is skipped (JAX's `at`).
   */
  readonly at: (a: Like, indices: Like, b?: Like, options?: { readonly inplace?: boolean }) => Tensor
  /** Folds the segments `a[indices[i]:indices[i + 1]]` along `axis` (NumPy's reduceat). */
  readonly reduceat: (a: Like, indices: Like, options?: { readonly axis?: number; readonly dtype?: DType }) => Tensor
}

/** Options of `Ufunc.reduce` (NumPy's keywords). @since 0.1.0 */
export interface UfuncReduceOptions {
  readonly axis?: number | null
  readonly dtype?: DType
  readonly keepdims?: boolean
  readonly initial?: number | Tensor
  readonly where?: Tensor
}

const asTensor = (op: string, name: string, u: unknown): Tensor => {
  if (isTensor(u)) return u
  if (typeof u === "number" || typeof u === "boolean" || Array.isArray(u)) return np.asarray(u as never)
  throw argumentError(op, name, "a Tensor or array-like", u)
}

// An index: a JS integer is an int32 scalar (JAX's Python int), not a weak float.
const indexTensor = (op: string, name: string, u: unknown): Tensor =>
  Number.isInteger(u) ? np.array(u as number, { dtype: "int32" }) : asTensor(op, name, u)

const axisOf = (op: string, axis: unknown, ndim: number): number => {
  if (!Number.isInteger(axis) || (axis as number) < -ndim || (axis as number) >= ndim) {
    throw argumentError(op, "axis", `an axis of rank ${ndim} (from ${-ndim} to ${ndim - 1})`, axis)
  }
  return (axis as number) < 0 ? (axis as number) + ndim : (axis as number)
}

/**
 * Makes a ufunc of `f`, a function of `nin` scalars returning `nout` values
 * (JAX's `jnp.frompyfunc`); `identity` is the value `reduce` starts from on an
 * empty axis or with a `where` mask.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const add = np.frompyfunc((x: Tensor, y: Tensor) => np.add(x, y), 2, 1, { identity: 0 })
 * const x = np.arange(5)
 * console.log(toJsSync(add.reduce(x)), toJsSync(add.accumulate(x))) // 10 [0, 1, 3, 6, 10]
 * console.log(toJsSync(add.outer(np.array([1, 2]), np.array([10, 20])))) // [[11, 21], [12, 22]]
 * console.log(toJsSync(add.at(x, np.array([0, 0], { dtype: "int32" }), 100))) // [200, 1, 2, 3, 4]
 * console.log(toJsSync(add.reduceat(x, np.array([0, 2], { dtype: "int32" })))) // [1, 9]
 *
 * @since 0.1.0
 */
export const frompyfunc = (
  f: (...args: Array<any>) => unknown,
  nin: number,
  nout: number,
  options?: { readonly identity?: number | undefined }
): Ufunc => {
  if (typeof f !== "function") throw argumentError("frompyfunc", "func", "a function", f)
  for (const [name, v] of [["nin", nin], ["nout", nout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw argumentError("frompyfunc", name, "a positive integer", v)
  }
  checkOptions("frompyfunc", options, { identity: { expected: "a number", test: (u) => typeof u === "number" } })
  const identity = options?.identity
  const name = f.name === "" ? "ufunc" : f.name
  const vectorized = vectorize(f as (...args: Array<any>) => unknown)

  const call = (...args: ReadonlyArray<Like>): Tensor | ReadonlyArray<Tensor> => {
    if (args.length !== nin) {
      throw argumentError(name, "arguments", `${nin} argument${nin === 1 ? "" : "s"}`, args)
    }
    return vectorized(...args.map((a, i) => asTensor(name, `args[${i}]`, a))) as Tensor | ReadonlyArray<Tensor>
  }
  const apply = (...args: Array<Tensor>): Tensor => vectorized(...args) as Tensor
  const binary = (method: string) => {
    if (nin !== 2 || nout !== 1) {
      throw new ArgumentError({
        operation: `${name}.${method}`,
        argument: "ufunc",
        expected: "a binary ufunc with one output (nin = 2, nout = 1)",
        got: `nin = ${nin}, nout = ${nout}`
      })
    }
  }
  // JAX's dtype of the result: the function applied to ones of the operands' dtypes.
  const resultDType = (...dtypes: ReadonlyArray<DType>): DType =>
    apply(...dtypes.map((d) => np.ones([], { dtype: d }))).dtype

  const reduce = (raw: Like, opts?: UfuncReduceOptions): Tensor => {
    const op = `${name}.reduce`
    binary("reduce")
    checkOptions(op, opts, {
      axis: { expected: "an integer or null", test: (u) => u === null || Number.isInteger(u) },
      dtype: { expected: "a dtype name", test: (u) => typeof u === "string" },
      keepdims: { expected: "a boolean", test: (u) => typeof u === "boolean" },
      initial: { expected: "a number or a Tensor", test: (u) => typeof u === "number" || isTensor(u) },
      where: { expected: "a boolean Tensor", test: isTensor }
    })
    let arr = asTensor(op, "a", raw)
    const initial = opts?.initial ?? identity
    let where = opts?.where
    if (where !== undefined) {
      if (where.dtype !== "bool") {
        throw new DTypeError({ operation: op, detail: `where argument must have dtype bool; got dtype ${where.dtype}` })
      }
      if (initial === undefined) {
        throw argumentError(op, "initial", "given when where is (the reduction has no identity)", undefined)
      }
      where = np.broadcastTo(where, arr.shape)
    }
    const dtype = opts?.dtype ?? resultDType(arr.dtype, arr.dtype)
    const keepdims = opts?.keepdims ?? false
    let finalShape: ReadonlyArray<number>
    if (opts?.axis === null) {
      finalShape = keepdims ? arr.shape.map(() => 1) : []
      arr = np.ravel(arr)
      if (where !== undefined) where = np.ravel(where)
    } else {
      const axis = axisOf(op, opts?.axis ?? 0, arr.ndim)
      finalShape = keepdims
        ? arr.shape.map((d, i) => (i === axis ? 1 : d))
        : arr.shape.filter((_, i) => i !== axis)
      arr = np.moveaxis(arr, axis, 0)
      if (where !== undefined) where = np.moveaxis(where, axis, 0)
    }
    const n = arr.shape[0]!
    if (n === 0) {
      if (initial === undefined) {
        throw new ShapeError({
          operation: op,
          detail: `zero-size array to reduction operation ${name} which has no identity`
        })
      }
      return np.broadcastTo(np.astype(initial, dtype), finalShape)
    }
    const row = (i: Tensor | number) => np.astype(lax.dynamicIndexInDim(arr, i, 0, false), dtype)
    const start = initial === undefined ? row(0) : np.broadcastTo(np.astype(initial, dtype), arr.shape.slice(1))
    const result = lax.foriLoop(initial === undefined ? 1 : 0, n, (i, val: Tensor) => {
      const next = apply(val, row(i))
      return where === undefined ? next : np.where(lax.dynamicIndexInDim(where, i, 0, false), next, val)
    }, start)
    return keepdims ? np.reshape(result, finalShape) : result
  }

  const accumulate = (raw: Like, opts?: { readonly axis?: number; readonly dtype?: DType }): Tensor => {
    const op = `${name}.accumulate`
    binary("accumulate")
    checkOptions(op, opts, {
      axis: { expected: "an integer", test: Number.isInteger },
      dtype: { expected: "a dtype name", test: (u) => typeof u === "string" }
    })
    const arr = asTensor(op, "a", raw)
    const dtype = opts?.dtype ?? resultDType(arr.dtype, arr.dtype)
    const axis = axisOf(op, opts?.axis ?? 0, arr.ndim)
    if (arr.size === 0) return np.zeros(arr.shape, { dtype })
    const moved = np.astype(np.moveaxis(arr, axis, 0), dtype)
    const first = lax.dynamicIndexInDim(moved, 0, 0, false)
    const rest = lax.sliceInDim(moved, 1, moved.shape[0]!, 1, 0)
    const [, ys] = lax.scan(
      (carry: Tensor, x: Tensor) => {
        const y = apply(carry, x)
        return [y, y] as const
      },
      first,
      rest
    )
    return np.moveaxis(np.concatenate([np.expandDims(first, 0), ys], { axis: 0 }), 0, axis)
  }

  const outer = (rawA: Like, rawB: Like): Tensor => {
    const op = `${name}.outer`
    binary("outer")
    const a = asTensor(op, "A", rawA)
    const b = asTensor(op, "B", rawB)
    // a's axes first, then b's: broadcasting a reshaped with b.ndim trailing unit axes
    return apply(np.reshape(a, [...a.shape, ...b.shape.map(() => 1)]), b)
  }

  const at = (rawA: Like, indices: Like, rawB?: Like, opts?: { readonly inplace?: boolean }): Tensor => {
    const op = `${name}.at`
    if (nout !== 1 || (nin !== 1 && nin !== 2)) {
      throw new ArgumentError({
        operation: op,
        argument: "ufunc",
        expected: "a unary or binary ufunc with one output",
        got: `nin = ${nin}, nout = ${nout}`
      })
    }
    checkOptions(op, opts, {
      inplace: { expected: "false (diffect's arrays are immutable)", test: (u) => u === false }
    })
    if ((rawB === undefined) !== (nin === 1)) {
      throw argumentError(op, "b", nin === 1 ? "omitted for a unary ufunc" : "given for a binary ufunc", rawB)
    }
    const a0 = asTensor(op, "a", rawA)
    const b0 = rawB === undefined ? undefined : asTensor(op, "b", rawB)
    const dtype = resultDType(a0.dtype, ...(b0 === undefined ? [] : [b0.dtype]))
    let a = np.astype(a0, dtype)
    const b = b0 === undefined ? undefined : np.astype(b0, dtype)
    const idx = (Array.isArray(indices) ? indices : [indices]).map((u, i) => indexTensor(op, `indices[${i}]`, u))
    if (idx.length === 0) return a
    if (idx.length > a.ndim) throw argumentError(op, "indices", `at most ${a.ndim} indices (the rank of a)`, indices)
    idx.forEach((t, i) => {
      if (t.dtype !== "int32" && t.dtype !== "uint32") {
        throw new DTypeError({ operation: op, detail: `indices[${i}] must be an integer array, got dtype ${t.dtype}` })
      }
    })
    const shape = lax.broadcastShapes(...idx.map((t) => t.shape))
    const count = shape.reduce((p, q) => p * q, 1)
    const flat = idx.map((t) => np.ravel(np.broadcastTo(t, shape)))
    const k = idx.length
    const rest = a.shape.slice(k)
    // b's leading dimensions follow the index shape; its others broadcast against a[index]
    const bRows = b === undefined ? undefined : (() => {
      const tail = b.ndim > shape.length ? b.shape.slice(shape.length) : []
      return np.reshape(np.broadcastTo(b, [...shape, ...tail]), [count, ...tail])
    })()
    // One update: a[index] = f(a[index], b_i), kept only when every index is in range.
    const update = (cur: Tensor, i: Tensor | number): Tensor => {
      const raw = flat.map((t) => lax.dynamicIndexInDim(t, i, 0, false))
      // lax arithmetic: a JS integer beside an int32 index stays int32 (np would make it a weak float)
      const wrapped = raw.map((j) => lax.convertElementType(j, "int32")).map((j, d) =>
        lax.select(lax.lt(j, 0), lax.add(j, a.shape[d]!), j)
      )
      const inRange = wrapped.reduce<Tensor>(
        (acc, j, d) => lax.and(acc, lax.and(lax.ge(j, 0), lax.lt(j, a.shape[d]!))),
        np.array(true)
      )
      const starts = [...wrapped, ...rest.map(() => 0)]
      const old = np.reshape(lax.dynamicSlice(cur, starts, [...wrapped.map(() => 1), ...rest]), rest)
      const args = bRows === undefined ? [old] : [old, lax.dynamicIndexInDim(bRows, i, 0, false)]
      const next = np.where(inRange, np.broadcastTo(apply(...args), rest), old)
      return lax.dynamicUpdateSlice(cur, np.reshape(next, [...wrapped.map(() => 1), ...rest]), starts)
    }
    if (count === 0) return a
    a = lax.foriLoop(0, count, (i, cur: Tensor) => update(cur, i), a)
    return a
  }

  const reduceat = (raw: Like, rawIdx: Like, opts?: { readonly axis?: number; readonly dtype?: DType }): Tensor => {
    const op = `${name}.reduceat`
    binary("reduceat")
    checkOptions(op, opts, {
      axis: { expected: "an integer", test: Number.isInteger },
      dtype: { expected: "a dtype name", test: (u) => typeof u === "string" }
    })
    const a0 = asTensor(op, "a", raw)
    const indices = asTensor(op, "indices", rawIdx)
    if (a0.ndim === 0) throw new ShapeError({ operation: op, detail: "a must have 1 or more dimension, got shape ()" })
    if (indices.ndim !== 1) {
      throw new ShapeError({
        operation: op,
        detail: `indices must be one-dimensional, got shape (${indices.shape.join(", ")})`
      })
    }
    const dtype = opts?.dtype ?? a0.dtype
    const axis = axisOf(op, opts?.axis ?? 0, a0.ndim)
    const a = np.astype(a0, dtype)
    const out0 = np.take(a, indices, { axis })
    // segment bounds, shaped to broadcast along `axis` of out
    const bounds = np.concatenate([indices, np.array([a.shape[axis]!], { dtype: indices.dtype })])
    const along = (t: Tensor) => np.reshape(t, out0.shape.map((d, i) => (i === axis ? d : 1)))
    const starts = along(lax.sliceInDim(bounds, 0, indices.shape[0]!, 1, 0))
    const ends = along(lax.sliceInDim(bounds, 1, indices.shape[0]! + 1, 1, 0))
    return lax.foriLoop(0, a.shape[axis]!, (i, out: Tensor) => {
      const inside = np.logicalAnd(np.greater(i, starts), np.less(i, ends))
      return np.where(inside, apply(out, lax.dynamicIndexInDim(a, i, axis, true)), out)
    }, out0)
  }

  return Object.assign((...args: ReadonlyArray<Like>) => call(...args), {
    nin,
    nout,
    nargs: nin,
    identity,
    call,
    reduce,
    accumulate,
    outer,
    at,
    reduceat
  }) as Ufunc
}
