/**
 * `ode`: JAX's `jax.experimental.ode`: `odeint`, an adaptive Dormand-Prince
 * (RK45) solver whose gradient is the adjoint method (the augmented system
 * integrated backwards between the output times), so memory does not grow
 * with the number of steps.
 *
 * @since 0.1.0
 */
import { DTypeError, flattenUtil, isTensor, lax, np, ShapeError, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { argumentError, checkArg, checkOptions, func as functionCheck, number } from "@diffect/core/Validate"
import { closureConvert, customVjp } from "./Custom.js"
import { resolve } from "./internal/shell.js"
import { vjpFlat } from "./internal/vjp.js"

/** Options of {@link odeint} (JAX's keyword arguments, and its `*args` as `args`). @since 0.1.0 */
export interface OdeintOptions {
  /** Extra arguments of `func`, after `y` and `t` (pytrees of tensors; differentiated). */
  readonly args?: ReadonlyArray<unknown> | undefined
  /** The relative local error tolerance (default 1.4e-8). */
  readonly rtol?: number | undefined
  /** The absolute local error tolerance (default 1.4e-8). */
  readonly atol?: number | undefined
  /** The most steps between two output times (default Infinity). */
  readonly mxstep?: number | undefined
  /** The largest step (default Infinity). */
  readonly hmax?: number | undefined
}

interface Settings {
  readonly rtol: number
  readonly atol: number
  readonly mxstep: number
  readonly hmax: number
}

/** `func` on the flat state: `(y, t, args) -> dy/dt`, all flat. */
type FlatFunc = (y: Tensor, t: Tensor, args: ReadonlyArray<Tensor>) => Tensor

// Dormand-Prince 5(4): the stages' times, their coefficients, the 5th-order solution and the
// difference of the 5th- and 4th-order solutions (the error estimate)
const ALPHA = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1]
const BETA = [
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
]
const C_SOL = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]
const C_ERROR = [
  35 / 384 - 1951 / 21600,
  0,
  500 / 1113 - 22642 / 50085,
  125 / 192 - 451 / 720,
  -2187 / 6784 - -12231 / 42400,
  11 / 84 - 649 / 6300,
  -1 / 60
]
// the solution's midpoint from the stages (Shampine's dense output for DOPRI5), halved
const C_MID = [
  6025192743 / 30085553152 / 2,
  0,
  51252292925 / 65400821598 / 2,
  -2691868925 / 45128329728 / 2,
  187940372067 / 1594534317056 / 2,
  -1776094331 / 19743644256 / 2,
  11237099 / 235043384 / 2
]

const as = (x: Tensor, like: Tensor): Tensor => (x.dtype === like.dtype ? x : lax.convertElementType(x, like.dtype))
const scalar = (v: number, like: Tensor): Tensor => lax.full([], v, like.dtype)
const isComplexType = (t: Tensor) => t.dtype === "complex64" || t.dtype === "complex128"
const realPart = (t: Tensor) => (isComplexType(t) ? np.real(t) : t)

// sum_j c[j] k[j] over the stages with a non-zero coefficient, in the stages' order
const combine = (c: ReadonlyArray<number>, k: ReadonlyArray<Tensor>): Tensor => {
  let acc: Tensor | undefined
  c.forEach((cj, j) => {
    if (cj === 0 || k[j] === undefined) return
    const term = np.multiply(scalar(cj, k[j]!), k[j]!)
    acc = acc === undefined ? term : np.add(acc, term)
  })
  return acc ?? np.zerosLike(k[0]!)
}

const rungeKuttaStep = (f: (y: Tensor, t: Tensor) => Tensor, y0: Tensor, f0: Tensor, t0: Tensor, dt: Tensor) => {
  const h = as(dt, f0)
  const k: Array<Tensor> = [f0]
  for (let i = 1; i < 7; i++) {
    const ti = np.add(t0, np.multiply(dt, scalar(ALPHA[i - 1]!, dt)))
    const yi = np.add(y0, np.multiply(h, combine(BETA[i - 1]!, k)))
    k.push(f(yi, ti))
  }
  return {
    y1: np.add(np.multiply(h, combine(C_SOL, k)), y0),
    f1: k[6]!,
    error: np.multiply(h, combine(C_ERROR, k)),
    k
  }
}

// the coefficients [a, b, c, d, e] of the quartic through the step's ends, its midpoint and the end slopes
const interpFit = (y0: Tensor, y1: Tensor, k: ReadonlyArray<Tensor>, dt: Tensor): Tensor => {
  const h = as(dt, y0)
  const yMid = np.add(y0, np.multiply(h, combine(C_MID, k)))
  const dy0 = np.multiply(h, k[0]!)
  const dy1 = np.multiply(h, k[6]!)
  // each coefficient a combination of dt y0', dt y1', y0, y1 and the midpoint
  const points = [dy0, dy1, y0, y1, yMid]
  const lin = (...c: ReadonlyArray<number>) => combine(c, points)
  return np.stack([
    lin(-2, 2, -8, -8, 16),
    lin(5, -3, 18, 14, -32),
    lin(-4, 1, -11, -5, 16),
    dy0,
    y0
  ])
}

const abs2 = (
  x: Tensor
): Tensor => (isComplexType(x) ? np.add(np.square(np.real(x)), np.square(np.imag(x))) : np.square(x))

const meanErrorRatio = (error: Tensor, s: Settings, y0: Tensor, y1: Tensor): Tensor => {
  const tol = np.add(s.atol, np.multiply(s.rtol, np.maximum(np.abs(y0), np.abs(y1))))
  return np.sqrt(np.mean(abs2(np.divide(error, as(tol, error)))))
}

// the next step from the last one and its error ratio (safety 0.9, growth at most 10x, shrink at least 5x)
const optimalStepSize = (last: Tensor, ratio: Tensor): Tensor => {
  const order = 5
  const dfactor = np.where(np.less(ratio, 1), scalar(1, last), scalar(0.2, last))
  const factor = np.minimum(
    scalar(10, last),
    np.maximum(as(np.multiply(np.power(ratio, -1 / order), 0.9), last), dfactor)
  )
  return np.where(np.equal(ratio, 0), np.multiply(last, 10), np.multiply(last, factor))
}

// Hairer, Norsett and Wanner's starting step (Solving ODEs I, II.4), for a method of order `order`
const initialStepSize = (
  f: (y: Tensor, t: Tensor) => Tensor,
  t0: Tensor,
  y0: Tensor,
  order: number,
  s: Settings,
  f0: Tensor
): Tensor => {
  const scale = as(np.add(s.atol, np.multiply(np.abs(y0), s.rtol)), y0)
  const norm = (v: Tensor) => as(np.linalg.norm(np.divide(v, scale)), t0)
  const d0 = norm(y0)
  const d1 = norm(f0)
  const h0 = np.where(
    np.logicalOr(np.less(d0, 1e-5), np.less(d1, 1e-5)),
    scalar(1e-6, t0),
    np.divide(np.multiply(0.01, d0), d1)
  )
  const y1 = np.add(y0, np.multiply(as(h0, y0), f0))
  const f1 = f(y1, np.add(t0, h0))
  const d2 = np.divide(norm(np.subtract(f1, f0)), h0)
  const h1 = np.where(
    np.logicalAnd(np.lessEqual(d1, 1e-15), np.lessEqual(d2, 1e-15)),
    np.maximum(scalar(1e-6, t0), np.multiply(h0, 1e-3)),
    np.power(np.divide(0.01, np.maximum(d1, d2)), 1 / (order + 1))
  )
  return np.minimum(np.multiply(h0, 100), h1)
}

const clipStep = (dt: Tensor, hmax: number): Tensor => np.minimum(np.maximum(dt, scalar(0, dt)), scalar(hmax, dt))

type Inner = [i: Tensor, y: Tensor, f: Tensor, t: Tensor, dt: Tensor, lastT: Tensor, interp: Tensor]
type Carry = [y: Tensor, f: Tensor, t: Tensor, dt: Tensor, lastT: Tensor, interp: Tensor]

/** The solution at each of `ts` (`[T, n]`), stepping adaptively between them. */
const integrate = (func: FlatFunc, s: Settings, y0: Tensor, ts: Tensor, args: ReadonlyArray<Tensor>): Tensor => {
  const f = (y: Tensor, t: Tensor) => func(y, t, args)
  const t0 = lax.indexInDim(ts, 0, 0, false)
  const f0 = f(y0, t0)
  const dt0 = clipStep(initialStepSize(f, t0, y0, 4, s, f0), s.hmax)
  const int = (v: number) => lax.full([], v, "int32")
  const step = (state: Inner): Inner => {
    const [i, y, fy, t, dt, lastT, interp] = state
    const { y1, f1, error, k } = rungeKuttaStep(f, y, fy, t, dt)
    const ratio = as(meanErrorRatio(error, s, y, y1), dt)
    const nextDt = clipStep(optimalStepSize(dt, ratio), s.hmax)
    const accept = np.lessEqual(ratio, 1)
    return [
      lax.add(i, int(1)),
      np.where(accept, y1, y),
      np.where(accept, f1, fy),
      np.where(accept, np.add(t, dt), t),
      nextDt,
      np.where(accept, t, lastT),
      np.where(accept, interpFit(y, y1, k, dt), interp)
    ]
  }
  const init: Carry = [y0, f0, t0, dt0, t0, np.stack([y0, y0, y0, y0, y0])]
  const [, ys] = lax.scan(
    (carry: Carry, target: Tensor): readonly [Carry, Tensor] => {
      const bounded = Number.isFinite(s.mxstep)
      const [, y, fy, t, dt, lastT, interp] = lax.whileLoop(
        ([i, , , t, dt]: Inner) => {
          const going = np.logicalAnd(np.less(t, target), np.greater(dt, 0))
          return bounded ? np.logicalAnd(going, np.less(i, int(s.mxstep))) : going
        },
        step,
        [int(0), ...carry] as Inner
      )
      // the quartic's value at the target's place in the last accepted step
      const r = as(np.divide(np.subtract(target, lastT), np.subtract(t, lastT)), interp)
      let out = lax.indexInDim(interp, 0, 0, false)
      for (let j = 1; j < 5; j++) out = np.add(np.multiply(out, r), lax.indexInDim(interp, j, 0, false))
      return [[y, fy, t, dt, lastT, interp], out]
    },
    init,
    lax.sliceInDim(ts, 1, ts.shape[0]!, 1, 0)
  )
  return np.concatenate([np.expandDims(y0, 0), ys as Tensor])
}

const isFloatTensor = (t: Tensor) => t.dtype === "float32" || t.dtype === "float64"

/** `integrate` with the adjoint method as its VJP (JAX's `_odeint` custom VJP). */
const solve = (func: FlatFunc, s: Settings, y0: Tensor, ts: Tensor, args: ReadonlyArray<Tensor>): Tensor => {
  // named for the messages (a customVjp takes its function's name)
  const odeint = (y: Tensor, t: Tensor, a: ReadonlyArray<Tensor>) => integrate(func, s, y, t, a)
  const solver = customVjp(odeint)
  solver.defVjp(
    (y: Tensor, t: Tensor, a: ReadonlyArray<Tensor>) => {
      const ys = integrate(func, s, y, t, a)
      return [ys, [ys, t, a] as const] as const
    },
    (res: readonly [Tensor, Tensor, ReadonlyArray<Tensor>], g: Tensor) => adjoint(func, s, res[0], res[1], res[2], g)
  )
  return solver(y0, ts, args)
}

/**
 * The cotangents of `y0`, `ts` and `args` from the outputs' cotangent `g`:
 * between consecutive output times, the state and its adjoint (and the
 * accumulated time and argument cotangents) integrated backwards in negated
 * time, the outputs' cotangents added at each time.
 */
const adjoint = (
  func: FlatFunc,
  s: Settings,
  ys: Tensor,
  ts: Tensor,
  args: ReadonlyArray<Tensor>,
  g: Tensor
): [Tensor, Tensor, ReadonlyArray<Tensor | null>] => {
  const n = ts.shape[0]!
  const row = (x: Tensor, i: Tensor | number) => lax.dynamicIndexInDim(x, i, 0, false)
  // the augmented dynamics in negated time: (-f, the VJPs of f with respect to y, t and args)
  const augmented = (
    state: readonly [Tensor, Tensor, Tensor, ReadonlyArray<Tensor>],
    minusT: Tensor,
    ...a: ReadonlyArray<Tensor>
  ) => {
    const [y, yBar] = state
    const [[yDot], back] = vjpFlat(
      (p) => [func(p[0]!, p[1]!, p.slice(2))],
      [y, np.negative(minusT), ...a]
    )
    const [yVjp, tVjp, ...argsVjp] = back([yBar])
    return [np.negative(yDot!), yVjp!, tVjp!, argsVjp] as const
  }
  const zeroArgs = args.map((a) => np.zerosLike(a))
  const start: [Tensor, Tensor, ReadonlyArray<Tensor>] = [row(g, n - 1), lax.full([], 0, ts.dtype), zeroArgs]
  const indices = np.arange(n - 1, 0, { step: -1, dtype: "int32" })
  const [[yBar, t0Bar, argsBar], revTsBar] = lax.scan(
    ([yBar, t0Bar, argsBar]: [Tensor, Tensor, ReadonlyArray<Tensor>], i: Tensor) => {
      const yi = row(ys, i)
      const ti = row(ts, i)
      // moving the measurement time moves the output along f
      const tBar = as(realPart(np.sum(np.multiply(func(yi, ti, args), row(g, i)))), ts)
      const t0Next = np.subtract(t0Bar, tBar)
      const back = odeintImpl(
        augmented,
        [yi, yBar, t0Next, argsBar] as const,
        np.stack([np.negative(ti), np.negative(row(ts, lax.sub(i, 1)))]),
        s,
        args
      ) as readonly [Tensor, Tensor, Tensor, ReadonlyArray<Tensor>]
      const last = (x: Tensor) => lax.indexInDim(x, 1, 0, false)
      return [
        [np.add(last(back[1]), row(g, lax.sub(i, 1))), last(back[2]), back[3].map(last)],
        tBar
      ] as const
    },
    start,
    indices
  )
  const tsBar = np.concatenate([np.expandDims(t0Bar, 0), np.flip(revTsBar as Tensor, { axis: 0 })])
  // integer and boolean arguments have no cotangent
  return [yBar, tsBar, argsBar.map((b, k) => (isFloatTensor(args[k]!) || isComplexType(args[k]!) ? b : null))]
}

/**
 * `func` with the traced values it closes over as extra arguments after
 * `args` (JAX's `closure_convert`, ./Custom.ts's `closureConvert`).
 */
const convertClosure = (
  func: FlatFunc,
  y: Tensor,
  t: Tensor,
  args: ReadonlyArray<Tensor>
): readonly [FlatFunc, ReadonlyArray<Tensor>] => {
  const [converted, hoisted] = closureConvert(
    (yi: Tensor, ti: Tensor, ...a: Array<Tensor>) => func(yi, ti, a),
    y,
    t,
    ...args
  )
  if (hoisted.length === 0) return [func, []]
  return [(yi, ti, a) => converted(yi, ti, ...a) as Tensor, hoisted]
}

/** `odeint` on any pytree state and arguments, for the solver and its adjoint. */
const odeintImpl = (
  func: (y: any, t: Tensor, ...args: ReadonlyArray<any>) => unknown,
  y0: unknown,
  ts: Tensor,
  s: Settings,
  args: ReadonlyArray<unknown>
): unknown => {
  const [flat0, unravel] = flattenUtil.ravelPytree(y0)
  const leaves = Tree.leaves(y0 as never) as ReadonlyArray<Tensor>
  const argTree = Tree.map(args as never, (l: unknown) => (isTensor(l) ? l : np.asarray(l as never))) as ReadonlyArray<
    unknown
  >
  const [argLeaves, argDef] = Tree.flatten(argTree)
  const flatFunc: FlatFunc = (y, t, a) => {
    const out = func(unravel(y), t, ...(Tree.unflatten(argDef, a) as ReadonlyArray<unknown>))
    const [flat] = flattenUtil.ravelPytree(out)
    if (flat.shape[0] !== y.shape[0]) {
      throw new ShapeError({
        operation: "odeint",
        detail: `func must return the structure and shapes of y0 (${y.shape[0]} values), got ${flat.shape[0]} values`
      })
    }
    return as(flat, y)
  }
  // JAX's closure_convert: the values func closes over that a transformation traces (a parameter
  // of an outer grad, vmap or jit) become extra arguments, so the adjoint differentiates them
  const [converted, hoisted] = convertClosure(
    flatFunc,
    flat0,
    lax.indexInDim(ts, 0, 0, false),
    argLeaves as ReadonlyArray<Tensor>
  )
  const ys = solve(converted, s, flat0, ts, [...(argLeaves as ReadonlyArray<Tensor>), ...hoisted])
  // each leaf's columns, as [T, ...its shape] (JAX's vmap(unravel))
  const sizes = leaves.map((l) => (isTensor(l) ? l.size : 1))
  const parts = leaves.length === 0 ? [] : lax.split(ys, sizes, 1)
  return Tree.unflatten(
    Tree.structure(y0 as never),
    parts.map((p, i) => {
      const leaf = leaves[i]!
      const shaped = lax.reshape(p, [ts.shape[0]!, ...(isTensor(leaf) ? leaf.shape : [])])
      return isTensor(leaf) && leaf.dtype !== shaped.dtype ? lax.convertElementType(shaped, leaf.dtype) : shaped
    })
  )
}

const countCheck = {
  expected: "a positive integer or Infinity",
  test: (u: unknown) => u === Infinity || (typeof u === "number" && Number.isInteger(u) && u >= 1)
}

/**
 * Solves `dy/dt = func(y, t, ...args)` from `y(t[0]) = y0` and gives `y` at
 * every time of `t` (JAX's `jax.experimental.ode.odeint`): adaptive
 * Dormand-Prince steps with error control `rtol`/`atol`, the solution between
 * steps from their quartic dense output. `y0` may be any pytree of tensors
 * (`func` returns the same structure); the result has its structure, each leaf
 * with a leading axis of `t`'s length. `t` must be a 1-D float tensor,
 * increasing. Differentiable in `y0`, `t` and `args` by the adjoint method
 * (JAX's), also under `jit` and `vmap`; values `func` closes over that a
 * transformation traces are differentiated too (JAX's `closure_convert`).
 * Forward mode (`jvp`, `jacfwd`) is an error, as in JAX.
 *
 * @example
 * import { np, ode, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // dy/dt = -k y: y(t) = exp(-k t)
 * const ts = np.linspace(0, 1, { num: 3, dtype: "float64" })
 * const ys = ode.odeint((y: Tensor, _t: Tensor, k: Tensor) => np.multiply(np.negative(k), y), np.array(1, { dtype: "float64" }), ts, {
 *   args: [np.array(2, { dtype: "float64" })]
 * })
 * console.log(toJsSync(np.round(ys, { decimals: 6 }))) // [1, 0.367879, 0.135335]
 *
 * @since 0.1.0
 */
export const odeint = <Y>(
  func: (y: Y, t: Tensor, ...args: Array<any>) => unknown,
  y0: Y,
  t: Tensor,
  options?: OdeintOptions
): Tree.MapLeaves<Y, Tensor> => {
  checkArg("odeint", "func", func, functionCheck)
  checkOptions("odeint", options, {
    args: { expected: "an array of extra arguments", test: (u) => Array.isArray(u) },
    rtol: number,
    atol: number,
    mxstep: countCheck,
    hmax: number
  })
  if (!isTensor(t)) throw argumentError("odeint", "t", "a 1-D float Tensor of times", t)
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError({ operation: "odeint", detail: `t must be an array of floats, got ${t.dtype}` })
  }
  if (t.ndim !== 1 || t.shape[0] === 0) {
    throw new ShapeError({
      operation: "odeint",
      detail: `t must be a non-empty 1-D array, got shape [${t.shape.join(", ")}]`
    })
  }
  for (const leaf of Tree.leaves((options?.args ?? []) as never) as ReadonlyArray<unknown>) {
    if (!isTensor(leaf) && typeof leaf !== "number" && typeof leaf !== "boolean") {
      throw argumentError("odeint", "args", "pytrees of tensors, numbers and booleans", leaf)
    }
  }
  for (const leaf of Tree.leaves(y0 as never) as ReadonlyArray<unknown>) {
    if (!isTensor(leaf) && typeof leaf !== "number") throw argumentError("odeint", "y0", "a pytree of tensors", leaf)
    if (isTensor(leaf) && !(isFloatTensor(leaf) || isComplexType(leaf))) {
      throw new DTypeError({ operation: "odeint", detail: `y0's leaves must be inexact, got ${leaf.dtype}` })
    }
  }
  const s: Settings = {
    rtol: options?.rtol ?? 1.4e-8,
    atol: options?.atol ?? 1.4e-8,
    mxstep: options?.mxstep ?? Infinity,
    hmax: options?.hmax ?? Infinity
  }
  // a jitted `func` returns an Effect: it runs in place (as checkpoint's function)
  const dynamics = (y: Y, time: Tensor, ...rest: Array<any>): unknown => resolve("odeint", func(y, time, ...rest))
  return odeintImpl(dynamics, y0, t, s, options?.args ?? []) as Tree.MapLeaves<Y, Tensor>
}
