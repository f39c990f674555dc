/**
 * `np.vectorize` and `np.applyAlongAxis` (JAX's `jnp.vectorize`,
 * `jnp.apply_along_axis`): NumPy's element-wise and along-an-axis mapping,
 * built on `vmap` as JAX builds them, so the mapped function runs once,
 * batched, and everything differentiates and compiles. They live beside the
 * transformations (core's `np` cannot import `vmap`); the facade's `np`
 * includes them.
 *
 * @since 0.1.0
 */
import { isTensor, lax, np, ShapeError, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { MaybeEffect } from "@diffect/core/Staging"
import { argumentError, checkArg, checkOptions, func, integer } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { resolve } from "./internal/shell.js"
import { vmapFlat } from "./internal/vmap.js"
import type { Unwrap } from "./Types.js"

/**
 * What `vectorize(pyfunc)` returns: a function of `pyfunc`'s type, or, for a
 * function returning an Effect (a jitted function), one returning its value
 * (the Effect runs in place for each call, as JAX's `vectorize(jit(f))`).
 *
 * @since 0.1.0
 */
export type Vectorized<F extends (...args: Array<any>) => unknown> = ReturnType<F> extends
  Effect.Effect<unknown, unknown, unknown> ? (...args: Parameters<F>) => Unwrap<ReturnType<F>>
  : F

/** Options of {@link vectorize}. @since 0.1.0 */
export interface VectorizeOptions {
  /** Positions of arguments passed through unchanged, not vectorized (non-negative integers). */
  readonly excluded?: ReadonlyArray<number> | undefined
  /**
   * A generalized ufunc signature such as `"(m,n),(n)->(m)"`: the named core
   * dimensions of each argument and result, which the function sees whole; the
   * other (leading) dimensions broadcast and are mapped over.
   */
  readonly signature?: string | undefined
}

type CoreDims = ReadonlyArray<string>

// JAX's _parse_gufunc_signature, with its grammar: (a,b),(c)->(d)
const SIGNATURE = /^\((?:\w+(?:,\w+)*)?\)(?:,\((?:\w+(?:,\w+)*)?\))*->\((?:\w+(?:,\w+)*)?\)(?:,\((?:\w+(?:,\w+)*)?\))*$/
const parseSignature = (signature: string): readonly [ReadonlyArray<CoreDims>, ReadonlyArray<CoreDims>] => {
  if (!SIGNATURE.test(signature)) throw argumentError("vectorize", "signature", "a valid gufunc signature", signature)
  const side = (s: string) => [...s.matchAll(/\(([^)]*)\)/g)].map((m) => (m[1] === "" ? [] : m[1]!.split(",")))
  const [ins, outs] = signature.split("->") as [string, string]
  return [side(ins), side(outs)]
}

const context = (options: VectorizeOptions | undefined) =>
  `on vectorized function with excluded=${JSON.stringify(options?.excluded ?? [])} and signature=${
    JSON.stringify(options?.signature ?? null)
  }`

// JAX's _update_dim_sizes: every named core dimension has one size.
const updateDimSizes = (
  sizes: Map<string, number>,
  shape: ReadonlyArray<number>,
  core: CoreDims,
  where: string,
  isInput: boolean
): void => {
  const fmt = (s: ReadonlyArray<number | string>) => `(${s.join(", ")})`
  if (isInput ? shape.length < core.length : shape.length !== core.length) {
    throw new ShapeError({
      operation: "vectorize",
      detail: isInput
        ? `input with shape ${fmt(shape)} does not have enough dimensions for all core dimensions ${fmt(core)} ${where}`
        : `output shape ${fmt(shape)} does not match core dimensions ${fmt(core)} ${where}`
    })
  }
  const coreShape = shape.slice(shape.length - core.length)
  core.forEach((d, i) => {
    const size = coreShape[i]!
    const known = sizes.get(d)
    if (known === undefined) sizes.set(d, size)
    else if (known !== size) {
      throw new ShapeError({
        operation: "vectorize",
        detail: `inconsistent size for core dimension '${d}': ${size} vs ${known} ${where}`
      })
    }
  })
}

/**
 * `pyfunc` mapped over the leading (broadcast) dimensions of its arguments
 * (JAX's `jnp.vectorize`): without a signature, element by element; with one,
 * over everything but each argument's core dimensions. Arguments broadcast
 * against each other (a size-1 dimension is not copied: the argument is not
 * mapped along it); `excluded` positions, and `null` arguments, are passed
 * through. The function runs once, under `vmap`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // a scalar function with a branch, mapped over a grid by broadcasting
 * const relu = np.vectorize((x: Tensor) => np.where(np.greater(x, 0), x, 0))
 * console.log(toJsSync(relu(np.array([[-1, 2], [3, -4]])))) // [[0, 2], [3, 0]]
 * // a matrix-vector product per pair of leading indices
 * const mv = np.vectorize((a: Tensor, v: Tensor) => np.matmul(a, v), { signature: "(n,m),(m)->(n)" })
 * console.log(mv(np.ones([5, 2, 3]), np.ones([3])).shape) // [5, 2]
 *
 * @since 0.1.0
 */
export const vectorize = <F extends (...args: Array<any>) => unknown>(
  pyfunc: F,
  options?: VectorizeOptions
): Vectorized<F> => {
  checkArg("vectorize", "pyfunc", pyfunc, func)
  checkOptions("vectorize", options, {
    excluded: {
      expected: "an array of non-negative integers",
      test: (u) => Array.isArray(u) && u.every((e) => Number.isInteger(e) && e >= 0)
    },
    signature: { expected: "a string", test: (u) => typeof u === "string" }
  })
  const parsed = options?.signature === undefined ? undefined : parseSignature(options.signature)
  const where = context(options)
  const wrapped = (...raw: Array<unknown>): unknown => {
    // excluded positions and null arguments go to pyfunc as they are (JAX's _apply_excluded)
    const passed = new Set([
      ...(options?.excluded ?? []),
      ...raw.flatMap((a, i) => (a === null || a === undefined ? [i] : []))
    ])
    const dynamic = raw.flatMap((a, i) => (passed.has(i) ? [] : [a]))
    const call = (xs: ReadonlyArray<unknown>): unknown => {
      let k = 0
      // a jitted pyfunc's Effect runs in place
      return resolve("vectorize", pyfunc(...raw.map((a, i) => (passed.has(i) ? a : xs[k++]))))
    }
    const inCore: ReadonlyArray<CoreDims> = parsed === undefined
      ? dynamic.map(() => [])
      : parsed[0].filter((_, i) => !passed.has(i))
    if (inCore.length !== dynamic.length) {
      throw argumentError(
        "vectorize",
        "arguments",
        `${inCore.length} positional arguments ${where}`,
        `${dynamic.length}`
      )
    }
    const args = dynamic.map((a) => np.asarray(a as never))
    const sizes = new Map<string, number>()
    const loopShapes = args.map((a, i) => {
      updateDimSizes(sizes, a.shape, inCore[i]!, where, true)
      return a.shape.slice(0, a.ndim - inCore[i]!.length)
    })
    const broadcast = lax.broadcastShapes(...loopShapes)
    const outCore = parsed?.[1]
    let outDef: Tree.TreeDef | undefined
    // pyfunc on one set of core slices; with a signature its results are checked against it
    const checked = (xs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
      const out = call(xs)
      if (outCore !== undefined) {
        if (outCore.length > 1 && !Array.isArray(out)) {
          throw argumentError(
            "vectorize",
            "the function's result",
            `a tuple of ${outCore.length} outputs ${where}`,
            out
          )
        }
        const outs = Array.isArray(out) ? out : [out]
        if (outs.length !== outCore.length) {
          throw argumentError(
            "vectorize",
            "the function's result",
            `${outCore.length} outputs ${where}`,
            `${outs.length}`
          )
        }
        const own = new Map(sizes)
        outs.forEach((o, i) => updateDimSizes(own, isTensor(o) ? o.shape : [], outCore[i]!, where, false))
      }
      const [leaves, def] = Tree.flatten(out)
      outDef = def
      return leaves.map((l) => np.asarray(l as never))
    }
    // size-1 loop dimensions are squeezed and not mapped: vmap broadcasts (JAX's approach)
    const squeezed = args.map((a, i) => {
      const loop = loopShapes[i]!
      const ones = loop.flatMap((d, k) => (d === 1 ? [k] : []))
      return ones.length === 0 ? a : lax.squeeze(a, ones)
    })
    const filled = loopShapes.map((s) => [...new Array<number>(broadcast.length - s.length).fill(1), ...s])
    let fn = checked
    const expand: Array<number> = []
    for (let d = broadcast.length - 1; d >= 0; d--) {
      const inAxes = filled.map((s) => (s[d] === 1 ? null : 0))
      if (inAxes.every((a) => a === null)) {
        expand.push(d)
        continue
      }
      const inner = fn
      fn = (xs) => vmapFlat(inner, xs, inAxes, (n) => new Array<number>(n).fill(0))
    }
    let results = fn(squeezed)
    if (expand.length > 0) results = results.map((r) => lax.expandDims(r, [...expand].sort((a, b) => a - b)))
    return Tree.unflatten(outDef!, results)
  }
  return wrapped as Vectorized<F>
}

/**
 * `func1d` applied to every 1-D slice of `arr` along `axis` (JAX's
 * `jnp.apply_along_axis`, by nested `vmap`s): the slice's result replaces the
 * axis (a scalar result removes it; a vector result of length k puts an axis
 * of size k there). Extra arguments are passed to every call.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const a = np.array([[1, 5, 3], [4, 2, 6]])
 * console.log(toJsSync(np.applyAlongAxis((row: Tensor) => np.max(row), 1, a))) // [5, 6]
 * console.log(toJsSync(np.applyAlongAxis((col: Tensor) => np.sort(col), 0, a))) // [[1, 2, 3], [4, 5, 6]]
 *
 * @since 0.1.0
 */
export const applyAlongAxis = (
  func1d: (slice: Tensor, ...args: Array<any>) => MaybeEffect<Tensor>,
  axis: number,
  arr: Tensor,
  ...args: Array<unknown>
): Tensor => {
  checkArg("applyAlongAxis", "func1d", func1d, func)
  checkArg("applyAlongAxis", "axis", axis, integer)
  const x = np.asarray(arr as never)
  const n = x.ndim
  if (axis < -n || axis >= n) throw argumentError("applyAlongAxis", "axis", `an axis of rank ${n}`, axis)
  const a = axis < 0 ? axis + n : axis
  const one = (
    xs: ReadonlyArray<Tensor>
  ): ReadonlyArray<Tensor> => [np.asarray(resolve("applyAlongAxis", func1d(xs[0]!, ...args)) as never)]
  let fn = one
  // the axes after `axis` are mapped innermost (their results go last), then the ones before it
  for (let i = 1; i < n - a; i++) {
    const inner = fn
    fn = (xs) => vmapFlat(inner, xs, [i], [-1])
  }
  for (let i = 0; i < a; i++) {
    const inner = fn
    fn = (xs) => vmapFlat(inner, xs, [0], [0])
  }
  return fn([x])[0]!
}
