/**
 * JVP rules: the forward-mode derivative of every primitive, written with `lax`.
 * A rule gets the primal operands, their tangents (`null` is a symbolic zero)
 * and the primitive's parameters, and gives the primal outputs and their
 * tangents, one per output (multi-output primitives such as `split` need no
 * special case; `single` adapts a rule written for one output). The JVP handler
 * only calls a rule when at least one tangent is non-zero.
 *
 * Rules follow JAX's (jax/_src/lax/lax.py) so derivatives agree at the edges:
 * ties of max/min split the derivative half-half, `pow` at `x = 0` uses JAX's
 * `_replace_zero`, `abs` of a complex number differentiates `|z|` as JAX does.
 *
 * @since 0.1.0
 */
import { bind, bind1, DType, lax } from "@diffect/core"
import type { Params, Primitive, Tensor } from "@diffect/core"
import { Program, Var } from "@diffect/core/Program"
import { DerivativeNotImplementedError, UniqueIndicesError } from "../Errors.js"
import { addTangents, constLike, convertTangent, instantiate } from "../internal/tangents.js"
import { linalgJvpRules } from "./linalg.js"
import { linearSolveJvp } from "./linearSolve.js"
import { rematJvp } from "./remat.js"
import { scanJvp } from "./scan.js"
import { chooserTangent } from "./window.js"

/**
 * The JVP of a program (JAX's `jvp_jaxpr`), given which inputs have a
 * non-zero tangent: a program from `[primals..., tangents of the non-zero
 * inputs...]` to `[outputs..., tangents of the outputs in outNonzero...]`; an
 * output flagged in `instantiate` has its tangent even when it is zero.
 * Cached by program and mask. Given to the rules of higher-order primitives
 * (the handler owns it: a rule importing the handler would be an import cycle).
 *
 * @since 0.1.0
 */
export type JvpOfProgram = (
  program: Program,
  nonzero: ReadonlyArray<boolean>,
  instantiate?: ReadonlyArray<boolean>
) => { readonly program: Program; readonly outNonzero: ReadonlyArray<boolean> }

/**
 * The JVP rule of primitive `P`. `jvpOf` differentiates the programs of a
 * higher-order primitive.
 *
 * @since 0.1.0
 */
export type JvpRule<P extends Primitive> = (
  primals: ReadonlyArray<Tensor>,
  tangents: ReadonlyArray<Tensor | null>,
  params: Params<P>,
  jvpOf: JvpOfProgram
) => readonly [outs: ReadonlyArray<Tensor>, tangents: ReadonlyArray<Tensor | null>]

/**
 * A JVP rule of a primitive with one output: the output and its tangent.
 *
 * @since 0.1.0
 */
export type SingleJvpRule<P extends Primitive> = (
  primals: ReadonlyArray<Tensor>,
  tangents: ReadonlyArray<Tensor | null>,
  params: Params<P>
) => readonly [Tensor, Tensor | null]

/**
 * The rule of a single-output primitive as a `JvpRule`.
 *
 * @since 0.1.0
 */
export const single = <P extends Primitive>(rule: SingleJvpRule<P>): JvpRule<P> => (primals, tangents, params) => {
  const [out, tangent] = rule(primals, tangents, params)
  return [[out], [tangent]]
}

// --- scatter (JAX's scatter, scatter_mul and scatter_min/max JVPs) -----------

// Each update's 1-based id, broadcast over the update's shape (`pre + idx + post`).
const updateIds = (u: Tensor, idx: Tensor, axis: number): Tensor => {
  const flat = lax.add(lax.iota("int32", [Math.max(idx.size, 1)], 0), 1)
  const ids = idx.size === 0 ? lax.full(idx.shape, 1, "int32") : lax.reshape(flat, idx.shape)
  return lax.broadcastInDim(ids, u.shape, idx.shape.map((_, i) => axis + i))
}

const scatterJvp: SingleJvpRule<"scatter"> = (primals, tangents, params) => {
  const [x, idx, u] = primals as readonly [Tensor, Tensor, Tensor]
  const ans = bind1("scatter", primals, params)
  const [tx0, , tu0] = tangents
  if (((tx0 ?? null) === null && (tu0 ?? null) === null) || !DType.isInexact(x.dtype)) return [ans, null]
  const tx = instantiate(tx0 ?? null, x.aval)
  const tu = instantiate(tu0 ?? null, u.aval)
  const { axis } = params
  const zerosX = lax.zerosLike(tx)
  switch (params.combine) {
    case "set": {
      // JAX's trick for repeated indices: scatter each update's id; the id left at
      // a position names the update that won there. The tangent is then linear in
      // (tx, tu) through select, gather and scatter_add only.
      const ids = updateIds(u, idx, axis)
      const won = lax.scatter(lax.full(x.shape, 0, "int32"), idx, ids, axis, "set")
      const keptX = lax.eq(won, 0)
      const wonU = lax.eq(lax.gather(won, idx, axis), ids)
      return [
        ans,
        lax.add(
          lax.select(keptX, tx, zerosX),
          lax.scatterAdd(zerosX, idx, lax.select(wonU, tu, lax.zerosLike(tu)), axis)
        )
      ]
    }
    case "mul": {
      // out = x * P with P = scatter_mul(1, idx, u); with unique indices dP = scatter(tu) * x.
      const p = lax.scatter(lax.full(x.shape, 1, x.dtype), idx, u, axis, "mul")
      const fromX = lax.mul(tx, p)
      if ((tu0 ?? null) === null) return [ans, fromX]
      if (!params.uniqueIndices) {
        throw new UniqueIndicesError({ primitive: "scatter_mul", detail: "its gradient with respect to the updates" })
      }
      return [ans, lax.add(fromX, lax.scatterAdd(zerosX, idx, lax.mul(tu, lax.gather(x, idx, axis)), axis))]
    }
    case "min":
    case "max": {
      // JAX's _scatter_extremal_jvp: the tangent of every input equal to the
      // result, averaged over ties.
      const xMask = lax.eq(x, ans)
      const uMask = lax.eq(u, lax.gather(ans, idx, axis))
      const one = (m: Tensor, like: Tensor) => lax.select(m, lax.full(like.shape, 1, like.dtype), lax.zerosLike(like))
      const count = lax.add(one(xMask, tx), lax.scatterAdd(zerosX, idx, one(uMask, tu), axis))
      const sum = lax.add(
        lax.select(xMask, tx, zerosX),
        lax.scatterAdd(zerosX, idx, lax.select(uMask, tu, lax.zerosLike(tu)), axis)
      )
      return [ans, lax.div(sum, count)]
    }
  }
}

// --- rule builders for the shapes that repeat --------------------------------

/** A unary op whose tangent is `deriv(t, x, ans)`. */
const unary = <P extends Primitive>(
  p: P,
  deriv: (t: Tensor, x: Tensor, ans: Tensor, params: Params<P>) => Tensor
): JvpRule<P> =>
  single((primals, tangents, params) => {
    const x = primals[0]!
    const ans = bind1(p, primals, params)
    return [ans, deriv(tangents[0]!, x, ans, params)]
  })

/**
 * A linear op (in all its operands jointly): each output's tangent is the op
 * applied to the tangents. Any number of outputs.
 */
const linear = <P extends Primitive>(p: P): JvpRule<P> => (primals, tangents, params) => [
  bind(p, primals, params),
  bind(p, tangents.map((t, i) => instantiate(t, primals[i]!.aval)), params)
]

/** An op with zero derivative (piecewise constant, or with int/bool outputs). Any number of outputs. */
const zero = <P extends Primitive>(p: P): JvpRule<P> => (primals, _tangents, params) => {
  const outs = bind(p, primals, params)
  return [outs, outs.map(() => null)]
}

/** A bilinear op `f(x, y)`: the tangent is `f(tx, y) + f(x, ty)`. */
const bilinear = <P extends Primitive>(p: P): JvpRule<P> =>
  single((primals, tangents, params) => {
    const [x, y] = primals as readonly [Tensor, Tensor]
    const [tx, ty] = tangents
    return [
      bind1(p, primals, params),
      addTangents(
        tx === null ? null : bind1(p, [tx, y], params),
        ty === null ? null : bind1(p, [x, ty], params)
      )
    ]
  })

/** A binary op with partial derivatives `dx(t, x, y, ans)` and `dy(t, x, y, ans)`. */
const binary = <P extends Primitive>(
  p: P,
  dx: (t: Tensor, x: Tensor, y: Tensor, ans: Tensor) => Tensor,
  dy: (t: Tensor, x: Tensor, y: Tensor, ans: Tensor) => Tensor
): JvpRule<P> =>
  single((primals, tangents, params) => {
    const [x, y] = primals as readonly [Tensor, Tensor]
    const [tx, ty] = tangents
    const ans = bind1(p, primals, params)
    return [ans, addTangents(tx === null ? null : dx(tx, x, y, ans), ty === null ? null : dy(ty, x, y, ans))]
  })

// --- helpers ---------------------------------------------------------------------

const square = (x: Tensor): Tensor => lax.mul(x, x)
/** JAX's `_replace_zero`: `x` with zeros replaced by ones. */
const replaceZero = (x: Tensor): Tensor => lax.select(lax.eq(x, constLike(x, 0)), constLike(x, 1), x)
/** JAX's `_balanced_eq(x, z, y)`: 1 where only x attains z, 1/2 where both do, else 0. */
const balancedEq = (x: Tensor, z: Tensor, y: Tensor): Tensor =>
  lax.select(
    lax.eq(x, z),
    lax.select(lax.eq(y, z), constLike(x, 0.5), constLike(x, 1)),
    constLike(x, 0)
  )
/** Broadcasts a reduction's result back to the operand's shape. */
const unreduce = (ans: Tensor, shape: ReadonlyArray<number>, axes: ReadonlyArray<number>): Tensor => {
  const dims: Array<number> = []
  for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) dims.push(i)
  return lax.broadcastInDim(ans, shape, dims)
}

/** Derivative of reduce_max / reduce_min: the tangent averaged over the positions attaining the extremum. */
const chooser = <P extends "reduce_max" | "reduce_min">(p: P): SingleJvpRule<P> => (primals, tangents, params) => {
  const x = primals[0]!
  const t = tangents[0]!
  const ans = bind1(p, primals, params)
  const where = lax.convertElementType(lax.eq(x, unreduce(ans, x.shape, params.axes)), t.dtype, t.weakType)
  const counts = lax.reduceSum(where, params.axes)
  return [ans, lax.div(lax.reduceSum(lax.mul(t, where), params.axes), counts)]
}

/** Derivative of pmax / pmin: as `chooser`, across the named axis. */
const collectiveChooser = <P extends "pmax" | "pmin">(p: P): SingleJvpRule<P> => (primals, tangents, params) => {
  const x = primals[0]!
  const t = tangents[0]!
  const ans = bind1(p, primals, params)
  const where = lax.convertElementType(lax.eq(x, ans), t.dtype, t.weakType)
  const psum = (v: Tensor): Tensor => bind1("psum", [v], { axisName: params.axisName })
  return [ans, lax.div(psum(lax.mul(t, where)), psum(where))]
}

/**
 * Tangent of `reduce_prod` by a balanced tree of products, each differentiated by
 * the product rule: exact when some factors are zero (no division by `x`), in
 * O(log n) steps. The reduced axes are moved to the front and flattened.
 */
const reduceProdTangent = (x: Tensor, t: Tensor, axes: ReadonlyArray<number>, outShape: ReadonlyArray<number>) => {
  const kept: Array<number> = []
  for (let i = 0; i < x.ndim; i++) if (!axes.includes(i)) kept.push(i)
  const sorted = [...axes].sort((a, b) => a - b)
  const perm = [...sorted, ...kept]
  let n = 1
  for (const a of sorted) n *= x.shape[a]!
  let m = 1
  for (const k of kept) m *= x.shape[k]!
  const flat = (v: Tensor) => lax.reshape(lax.transpose(v, perm), [n, m])
  let xs = flat(x)
  let ts = flat(t)
  if (n === 0) return lax.full(outShape, 0, t.dtype, t.weakType)
  while (n > 1) {
    if (n % 2 === 1) {
      xs = lax.concatenate([xs, lax.full([1, m], 1, xs.dtype, true)], 0)
      ts = lax.concatenate([ts, lax.full([1, m], 0, ts.dtype, true)], 0)
      n += 1
    }
    const h = n / 2
    const x0 = lax.slice(xs, [0, 0], [h, m])
    const x1 = lax.slice(xs, [h, 0], [n, m])
    const t0 = lax.slice(ts, [0, 0], [h, m])
    const t1 = lax.slice(ts, [h, 0], [n, m])
    xs = lax.mul(x0, x1)
    ts = lax.add(lax.mul(t0, x1), lax.mul(x0, t1))
    n = h
  }
  return lax.reshape(ts, outShape)
}

const psumOf = (t: Tensor, axisName: string): Tensor => bind1("psum", [t], { axisName })

/**
 * The cumulative reductions other than cumsum, as JAX's `_cumulative_jvp_rule`:
 * the tangent is the JVP of the associative scan of the combine, written here as
 * one scan of (value, tangent) pairs, so it is exact where a running product
 * meets a zero and splits ties of cummax/cummin as `max`/`min` do.
 */
const cumulativeRule = <P extends "cumprod" | "cummax" | "cummin" | "cumlogsumexp">(
  p: P,
  combine: (a: Tensor, ta: Tensor, b: Tensor, tb: Tensor) => readonly [Tensor, Tensor]
): JvpRule<P> =>
  single((primals, tangents, params) => {
    const x = primals[0]!
    const ans = bind1(p, primals, params)
    const t = tangents[0]!
    if (!DType.isInexact(x.dtype)) return [ans, null]
    const [, tangent] = lax.associativeScan<ReadonlyArray<Tensor>>(
      ([a, ta], [b, tb]) => combine(a!, ta!, b!, tb!),
      [x, t],
      { axis: params.axis, reverse: params.reverse }
    )
    return [ans, tangent!]
  })

/**
 * `t` taken along `axis` at `idx` (NumPy's `take_along_axis`; `idx` has `t`'s
 * shape except along `axis`), by one flat `gather`: the rule sort and top_k
 * use to carry tangents with the permutation, as JAX's `_sort_jvp`.
 */
const takeAlong = (t: Tensor, idx: Tensor, axis: number): Tensor => {
  const nd = t.ndim
  const n = t.shape[axis]!
  const m = idx.shape[axis]!
  const perm = [...Array.from({ length: nd }, (_, i) => i).filter((i) => i !== axis), axis]
  const moved = idx.shape.map((_, i) => idx.shape[perm[i]!]!)
  let rows = 1
  for (let i = 0; i < nd - 1; i++) rows *= moved[i]!
  if (rows * n === 0 || rows * m === 0) return lax.full(idx.shape, 0, t.dtype, t.weakType)
  const flat = lax.reshape(lax.transpose(t, perm), [rows * n])
  const offsets = lax.mul(lax.iota("int32", [rows, m], 0), n)
  const at = lax.reshape(lax.add(lax.reshape(lax.transpose(idx, perm), [rows, m]), offsets), [rows * m])
  const taken = lax.reshape(lax.gather(flat, at, 0), moved)
  const inverse = perm.map((_, i) => perm.indexOf(i))
  return lax.transpose(taken, inverse)
}

const chooseTangent =
  (pick: (a: Tensor, b: Tensor) => Tensor, isMax: boolean) =>
  (a: Tensor, ta: Tensor, b: Tensor, tb: Tensor): readonly [Tensor, Tensor] => {
    const m = pick(a, b)
    // JAX's max/min JVP: all to the strict winner, half each on a tie
    const wins = isMax ? lax.gt(a, b) : lax.lt(a, b)
    const w = lax.select(wins, constLike(a, 1), lax.select(lax.eq(a, b), constLike(a, 0.5), constLike(a, 0)))
    return [m, lax.add(lax.mul(ta, w), lax.mul(tb, lax.sub(constLike(w, 1), w)))]
  }

// log(e^a + e^b), stable, with equal infinities giving themselves. -|d| is min(d, -d), whose
// derivative at a tie is 0 (abs's is 1), so the derivative there is 1/2 each, as JAX's.
const logaddexp = (a: Tensor, b: Tensor): Tensor => {
  const m = lax.max(a, b)
  const d = lax.sub(a, b)
  const finite = lax.eq(d, d)
  const safe = lax.select(finite, d, constLike(d, 0))
  const r = lax.add(m, lax.log1p(lax.exp(lax.min(safe, lax.neg(safe)))))
  return lax.select(lax.or(finite, lax.ne(m, m)), r, m)
}
const logaddexpTangent = (a: Tensor, ta: Tensor, b: Tensor, tb: Tensor): readonly [Tensor, Tensor] => {
  const c = logaddexp(a, b)
  // weights e^(a-c) and e^(b-c); where c is -inf both inputs are, and the weights split
  const empty = lax.eq(c, constLike(c, -Infinity))
  const wa = lax.select(empty, constLike(c, 0.5), lax.exp(lax.sub(a, lax.select(empty, constLike(c, 0), c))))
  const wb = lax.select(empty, constLike(c, 0.5), lax.exp(lax.sub(b, lax.select(empty, constLike(c, 0), c))))
  return [c, lax.add(lax.mul(ta, wa), lax.mul(tb, wb))]
}

/**
 * The JVP rule of every primitive (a missing entry is a compile error).
 *
 * @since 0.1.0
 */
/** `jit_call`: a call of the JVP program (JAX's `_pjit_jvp`), so a jitted function stays one call. */
const jitCallJvp: JvpRule<"jit_call"> = (primals, tangents, { name, program }, jvpOf) => {
  const { outNonzero, program: jvp } = jvpOf(program, tangents.map((t) => t !== null))
  const live = tangents.filter((t): t is Tensor => t !== null)
  const outs = bind("jit_call", [...primals, ...live], { name: `jvp(${name})`, program: jvp })
  const n = program.outputs.length
  let k = n
  return [outs.slice(0, n), outNonzero.map((nz) => (nz ? outs[k++]! : null))]
}

/**
 * `cond` (JAX's `_cond_jvp`): a `cond` of the branches' JVPs; an output's
 * tangent is non-zero when it is in any branch (instantiated as zeros in the
 * others). The index has no tangent.
 */
const condJvp: JvpRule<"cond"> = (primals, tangents, { branches }, jvpOf) => {
  const nonzero = tangents.slice(1).map((t) => t !== null)
  const outNonzero = branches.map((b) => jvpOf(b, nonzero).outNonzero).reduce((a, b) => a.map((nz, i) => nz || b[i]!))
  const jvps = branches.map((b) => jvpOf(b, nonzero, outNonzero).program)
  const live = tangents.slice(1).filter((t): t is Tensor => t !== null)
  const outs = bind("cond", [...primals, ...live], { branches: jvps })
  const n = branches[0]!.outputs.length
  let k = n
  return [outs.slice(0, n), outNonzero.map((nz) => (nz ? outs[k++]! : null))]
}

/**
 * `while` (JAX's `_while_loop_jvp`): a `while` of the body's JVP. Which carry
 * tangents are non-zero is a fixpoint (a zero initial tangent becomes non-zero
 * when the body makes it so); the predicate ignores the tangents.
 */
const whileJvp: JvpRule<"while"> = (primals, tangents, { body, bodyConsts: nb, cond, condConsts: nc }, jvpOf) => {
  const bconstNz = tangents.slice(nc, nc + nb).map((t) => t !== null)
  let carryNz = tangents.slice(nc + nb).map((t) => t !== null)
  let jvp = jvpOf(body, [...bconstNz, ...carryNz], carryNz)
  for (let k = 0; k < carryNz.length && !jvp.outNonzero.every((nz, i) => nz === carryNz[i]); k++) {
    carryNz = carryNz.map((nz, i) => nz || jvp.outNonzero[i]!)
    jvp = jvpOf(body, [...bconstNz, ...carryNz], carryNz)
  }
  const n = carryNz.length
  const nbT = bconstNz.filter((nz) => nz).length
  // the JVP program takes [bconsts, carry, bconst tangents, carry tangents]; the loop wants its consts first
  const ins = jvp.program.inputs
  const carryTangentVars = ins.slice(nb + n + nbT)
  const bodyJvp = new Program(
    jvp.program.constVars,
    jvp.program.consts,
    [
      ...ins.slice(0, nb),
      ...ins.slice(nb + n, nb + n + nbT),
      ...ins.slice(nb, nb + n),
      ...carryTangentVars
    ],
    jvp.program.equations,
    jvp.program.outputs
  )
  const condJvp = new Program(
    cond.constVars,
    cond.consts,
    [
      ...cond.inputs,
      ...carryTangentVars.map((v) => new Var(v.aval))
    ],
    cond.equations,
    cond.outputs
  )
  const carry = primals.slice(nc + nb)
  const carryT = carry.flatMap((p, i) => (carryNz[i] ? [instantiate(tangents[nc + nb + i]!, p.aval)] : []))
  const bconstT = tangents.slice(nc, nc + nb).filter((t): t is Tensor => t !== null)
  const outs = bind("while", [...primals.slice(0, nc + nb), ...bconstT, ...carry, ...carryT], {
    cond: condJvp,
    body: bodyJvp,
    condConsts: nc,
    bodyConsts: nb + nbT
  })
  let k = n
  return [outs.slice(0, n), carryNz.map((nz) => (nz ? outs[k++]! : null))]
}

export const jvpRules: { readonly [P in Primitive]: JvpRule<P> } = {
  neg: linear("neg"),
  sin: unary("sin", (t, x) => lax.mul(t, lax.cos(x))),
  cos: unary("cos", (t, x) => lax.neg(lax.mul(t, lax.sin(x)))),
  tan: unary("tan", (t, _x, ans) => lax.mul(t, lax.add(constLike(ans, 1), square(ans)))),
  asin: unary("asin", (t, x) => lax.mul(t, lax.rsqrt(lax.sub(constLike(x, 1), square(x))))),
  acos: unary("acos", (t, x) => lax.neg(lax.mul(t, lax.rsqrt(lax.sub(constLike(x, 1), square(x)))))),
  atan: unary("atan", (t, x) => lax.div(t, lax.add(constLike(x, 1), square(x)))),
  sinh: unary("sinh", (t, x) => lax.mul(t, lax.cosh(x))),
  cosh: unary("cosh", (t, x) => lax.mul(t, lax.sinh(x))),
  tanh: unary("tanh", (t, _x, ans) => lax.mul(t, lax.sub(constLike(ans, 1), square(ans)))),
  exp: unary("exp", (t, _x, ans) => lax.mul(t, ans)),
  log: unary("log", (t, x) => lax.div(t, x)),
  log1p: unary("log1p", (t, x) => lax.div(t, lax.add(x, constLike(x, 1)))),
  expm1: unary("expm1", (t, _x, ans) => lax.mul(t, lax.add(ans, constLike(ans, 1)))),
  sqrt: unary("sqrt", (t, _x, ans) => lax.div(t, lax.mul(constLike(ans, 2), ans))),
  rsqrt: unary("rsqrt", (t, x, ans) => lax.mul(t, lax.mul(constLike(x, -0.5), lax.div(ans, x)))),
  abs: unary("abs", (t, x, ans) => {
    if (DType.isComplex(x.dtype)) {
      // d|z| = Re(conj(z) dz) / |z|, with |z| = 0 replaced by 1 (JAX's rule).
      const denom = replaceZero(lax.convertElementType(ans, x.dtype, ans.weakType))
      return lax.real(lax.mul(t, lax.div(lax.conj(x), denom)))
    }
    return lax.select(lax.ge(x, constLike(x, 0)), t, lax.neg(t))
  }),
  sign: zero("sign"),
  floor: zero("floor"),
  ceil: zero("ceil"),
  round: zero("round"),
  logistic: unary("logistic", (t, _x, ans) => lax.mul(t, lax.mul(ans, lax.sub(constLike(ans, 1), ans)))),
  erf: unary(
    "erf",
    (t, x) => lax.mul(t, lax.mul(constLike(x, 2 / Math.sqrt(Math.PI)), lax.exp(lax.neg(square(x)))))
  ),
  erfc: unary(
    "erfc",
    (t, x) => lax.mul(t, lax.mul(constLike(x, -2 / Math.sqrt(Math.PI)), lax.exp(lax.neg(square(x)))))
  ),
  erf_inv: unary(
    "erf_inv",
    (t, _x, ans) => lax.mul(t, lax.mul(constLike(ans, Math.sqrt(Math.PI) / 2), lax.exp(square(ans))))
  ),
  lgamma: unary("lgamma", (t, x) => lax.mul(t, lax.digamma(x))),
  digamma: unary("digamma", (t, x) => lax.mul(t, lax.polygamma(1, x))),
  integer_pow: single((primals, tangents, params) => {
    const x = primals[0]!
    const t = tangents[0]!
    const ans = lax.integerPow(x, params.y)
    if (params.y === 0) return [ans, null]
    if (params.y === 1) return [ans, t]
    const d = params.y === 2 ? x : lax.integerPow(x, params.y - 1)
    return [ans, lax.mul(t, lax.mul(constLike(x, params.y), d))]
  }),
  not: zero("not"),

  // add and sub skip symbolic zeros instead of materializing them (the common `x + c * f(x)`).
  add: single((primals, [tx, ty]) => [lax.add(primals[0]!, primals[1]!), addTangents(tx ?? null, ty ?? null)]),
  sub: single((primals, [tx, ty]) => [
    lax.sub(primals[0]!, primals[1]!),
    ty === null || ty === undefined ? tx! : tx === null || tx === undefined ? lax.neg(ty) : lax.sub(tx, ty)
  ]),
  mul: bilinear("mul"),
  div: binary(
    "div",
    (t, _x, y) => lax.div(t, y),
    (t, x, y) => lax.mul(lax.mul(lax.neg(t), x), lax.integerPow(y, -2))
  ),
  pow: binary(
    "pow",
    (t, x, y) => lax.mul(t, lax.mul(y, lax.pow(x, lax.sub(y, constLike(y, 1))))),
    (t, x, _y, ans) => lax.mul(t, lax.mul(lax.log(replaceZero(x)), ans))
  ),
  max: binary(
    "max",
    (t, x, y, ans) => lax.mul(t, balancedEq(x, ans, y)),
    (t, x, y, ans) => lax.mul(t, balancedEq(y, ans, x))
  ),
  min: binary(
    "min",
    (t, x, y, ans) => lax.mul(t, balancedEq(x, ans, y)),
    (t, x, y, ans) => lax.mul(t, balancedEq(y, ans, x))
  ),
  atan2: binary(
    "atan2",
    (t, x, y) => lax.mul(t, lax.div(y, lax.add(square(x), square(y)))),
    (t, x, y) => lax.mul(t, lax.div(lax.neg(x), lax.add(square(x), square(y))))
  ),
  rem: binary(
    "rem",
    (t) => t,
    (t, x, y) => {
      // d/dy fmod(x, y) = -trunc(x / y)
      const q = lax.div(x, y)
      return lax.mul(lax.neg(t), lax.mul(lax.sign(q), lax.floor(lax.abs(q))))
    }
  ),
  and: zero("and"),
  or: zero("or"),
  xor: zero("xor"),
  shift_left: zero("shift_left"),
  shift_right_logical: zero("shift_right_logical"),
  shift_right_arithmetic: zero("shift_right_arithmetic"),
  eq: zero("eq"),
  ne: zero("ne"),
  lt: zero("lt"),
  le: zero("le"),
  gt: zero("gt"),
  ge: zero("ge"),
  select: single((primals, tangents, params) => {
    const [p, x, y] = primals as readonly [Tensor, Tensor, Tensor]
    const [, tx, ty] = tangents
    const ans = bind1("select", primals, params)
    if (tx === undefined || ty === undefined || (tx === null && ty === null)) return [ans, null]
    return [ans, lax.select(p, instantiate(tx, x.aval), instantiate(ty, y.aval))]
  }),

  complex: linear("complex"),
  real: linear("real"),
  imag: linear("imag"),
  conj: linear("conj"),
  convert_element_type: single((primals, tangents, params) => {
    const ans = bind1("convert_element_type", primals, params)
    // Int and bool outputs have float0 tangents: a symbolic zero.
    if (!DType.isInexact(params.dtype)) return [ans, null]
    return [ans, convertTangent(tangents[0]!, params.dtype, params.weakType)]
  }),
  stop_gradient: zero("stop_gradient"),
  bitcast_convert_type: zero("bitcast_convert_type"),

  reduce_sum: linear("reduce_sum"),
  reduce_max: single(chooser("reduce_max")),
  reduce_min: single(chooser("reduce_min")),
  reduce_prod: single((primals, tangents, params) => {
    const x = primals[0]!
    const ans = lax.reduceProd(x, params.axes)
    return [ans, reduceProdTangent(x, tangents[0]!, params.axes, ans.shape)]
  }),
  argmax: zero("argmax"),
  argmin: zero("argmin"),
  cumsum: linear("cumsum"),
  cumprod: cumulativeRule("cumprod", (a, ta, b, tb) => [lax.mul(a, b), lax.add(lax.mul(ta, b), lax.mul(a, tb))]),
  cummax: cumulativeRule("cummax", chooseTangent(lax.max, true)),
  cummin: cumulativeRule("cummin", chooseTangent(lax.min, false)),
  cumlogsumexp: cumulativeRule("cumlogsumexp", logaddexpTangent),
  sort: (primals, tangents, params) => {
    // JAX's _sort_jvp: sort a position iota along, then take every tangent by the permutation
    const iota = lax.iota("int32", primals[0]!.shape, params.dimension)
    const outs = bind("sort", [...primals, iota], params)
    const perm = outs[outs.length - 1]!
    return [
      outs.slice(0, -1),
      tangents.map((t) => (t === null || t.dtype === "float0" ? null : takeAlong(t, perm, params.dimension)))
    ]
  },
  top_k: (primals, tangents, params) => {
    const outs = bind("top_k", primals, params)
    const t = tangents[0] ?? null
    const last = primals[0]!.ndim - 1
    return [outs, [t === null || t.dtype === "float0" ? null : takeAlong(t, outs[1]!, last), null]]
  },

  broadcast_in_dim: linear("broadcast_in_dim"),
  reshape: linear("reshape"),
  transpose: linear("transpose"),
  squeeze: linear("squeeze"),
  expand_dims: linear("expand_dims"),
  rev: linear("rev"),
  slice: linear("slice"),
  pad: linear("pad"),
  concatenate: linear("concatenate"),
  split: linear("split"),
  gather: single((primals, tangents, params) => {
    const [, idx] = primals as readonly [Tensor, Tensor]
    const ans = bind1("gather", primals, params)
    const tx = tangents[0]
    return [ans, tx === null || tx === undefined ? null : lax.gather(tx, idx, params.axis)]
  }),
  scatter_add: single((primals, tangents, params) => {
    const [x, idx, u] = primals as readonly [Tensor, Tensor, Tensor]
    const ans = bind1("scatter_add", primals, params)
    const [tx, , tu] = tangents
    if ((tx ?? null) === null && (tu ?? null) === null) return [ans, null]
    return [ans, lax.scatterAdd(instantiate(tx ?? null, x.aval), idx, instantiate(tu ?? null, u.aval), params.axis)]
  }),
  scatter: single(scatterJvp),
  dot_general: bilinear("dot_general"),
  conv_general_dilated: bilinear("conv_general_dilated"),
  fft: linear("fft"),
  reduce_window_sum: linear("reduce_window_sum"),
  reduce_window_max: single(([x], [t], params) => {
    const out = bind1("reduce_window_max", [x!], params)
    return [out, t === null ? null : chooserTangent(t!, x!, params, "ge")]
  }),
  reduce_window_min: single(([x], [t], params) => {
    const out = bind1("reduce_window_min", [x!], params)
    return [out, t === null ? null : chooserTangent(t!, x!, params, "le")]
  }),
  // linear in the first operand; the selection is piecewise constant in the second
  select_and_gather_add: single(([t, x], [dt], params) => [
    bind1("select_and_gather_add", [t!, x!], params),
    dt === null || dt === undefined ? null : bind1("select_and_gather_add", [dt, x!], params)
  ]),
  select_and_scatter_add: single(([s, x], [ds], params) => [
    bind1("select_and_scatter_add", [s!, x!], params),
    ds === null || ds === undefined ? null : bind1("select_and_scatter_add", [ds, x!], params)
  ]),
  iota: zero("iota"),

  ...linalgJvpRules,
  psum: single((primals, tangents, params) => [bind1("psum", primals, params), psumOf(tangents[0]!, params.axisName)]),
  pmax: single(collectiveChooser("pmax")),
  pmin: single(collectiveChooser("pmin")),
  axis_index: zero("axis_index"),
  // linear: the tangent goes through the same collective
  all_gather: single((primals, tangents, params) => [
    bind1("all_gather", primals, params),
    bind1("all_gather", [tangents[0]!], params)
  ]),
  psum_scatter: single((primals, tangents, params) => [
    bind1("psum_scatter", primals, params),
    bind1("psum_scatter", [tangents[0]!], params)
  ]),
  ppermute: single((primals, tangents, params) => [
    bind1("ppermute", primals, params),
    bind1("ppermute", [tangents[0]!], params)
  ]),
  all_to_all: single((primals, tangents, params) => [
    bind1("all_to_all", primals, params),
    bind1("all_to_all", [tangents[0]!], params)
  ]),

  // JAX's debug_callback_jvp_rule: the callback sees the primals only; there is nothing to differentiate
  debug_callback: (primals, _tangents, params) => [bind("debug_callback", primals, params), []],
  // JAX's io_callback_jvp_rule
  io_callback: () => {
    throw new DerivativeNotImplementedError({ primitive: "io_callback", detail: "IO callbacks do not support JVP." })
  },
  // JAX's pure_callback_jvp_rule
  pure_callback: () => {
    throw new DerivativeNotImplementedError({
      primitive: "pure_callback",
      detail: "Pure callbacks do not support JVP. Please use `customJvp` to use callbacks while taking gradients."
    })
  },
  jit_call: jitCallJvp,
  cond: condJvp,
  while: whileJvp,
  scan: scanJvp,
  remat: rematJvp,
  linear_solve: linearSolveJvp,
  checkpoint_name: linear("checkpoint_name")
}
