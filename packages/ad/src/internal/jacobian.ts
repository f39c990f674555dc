/**
 * Dense Jacobians from the flat handlers (JAX's `jacfwd` and `jacrev`).
 *
 * jacfwd linearizes `f` once and pushes forward every standard basis vector of
 * the inputs; jacrev builds the VJP once and pulls back every basis vector of the
 * outputs. By default the basis is pushed through in one batched call with
 * `vmapFlat` (as JAX does); the `"loop"` strategy applies the linear map once per
 * basis vector, and serves as a cross-check.
 *
 * The result is the output's tree of the input's tree: leaf (y, x) has shape
 * `y.shape ++ x.shape`, and y's tangent dtype (jacfwd) or x's (jacrev).
 */
import { ArgumentError, aval, ConcreteTensor, DType, lax, Shape, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import {
  allLeaves,
  checkCallable,
  checkInputDTypeFwd,
  checkInputDTypeRev,
  checkOutputDTypeFwd,
  checkOutputDTypeRev,
  flattenArgs,
  normalizeArgnums,
  tangentDType,
  unflattenArgs
} from "./args.js"
import type { Argnums, FlatArg } from "./args.js"
import { rebuildAux, zeroCotangent } from "./grad.js"
import { jvpFlat } from "./jvp.js"
import { linearizeFlat } from "./linearize.js"
import { flattenOutput, makeOutCapture } from "./output.js"
import type { OutCapture } from "./output.js"
import { resolve } from "./shell.js"
import { convertTangent, tangentAval, zerosOf } from "./tangents.js"
import { vjpFlat } from "./vjp.js"
import { vmapFlat } from "./vmap.js"

const { sizeOf } = Shape

/** Options of jacfwd and jacrev. @category Transformations @since 0.1.0 */
export interface JacobianOptions {
  readonly argnums?: number | ReadonlyArray<number>
  readonly hasAux?: boolean
  readonly holomorphic?: boolean
  readonly allowInt?: boolean
}

/** How basis vectors are pushed through the linear map. */
export type Strategy = "vmap" | "loop"

/**
 * Rows `offset .. offset+size` of an identity of order `total`, shaped
 * `[total, ...shape]` (JAX's `_std_basis` for one leaf), as host data.
 */
const basisBlock = (total: number, offset: number, shape: ReadonlyArray<number>, dtype: DType.DType): Tensor => {
  const size = sizeOf(shape)
  const data = DType.allocHost(dtype, total * size)
  if (dtype !== "float0") {
    const lanes = dtype === "complex64" || dtype === "complex128" ? 2 : 1
    for (let e = 0; e < size; e++) data[((offset + e) * size + e) * lanes] = 1
  }
  return new ConcreteTensor(aval([total, ...shape], dtype), data, undefined)
}

/** Basis vector `e` of a block as a tensor of `shape` (the loop strategy). */
const unitVector = (shape: ReadonlyArray<number>, e: number, dtype: DType.DType): Tensor => {
  const data = DType.allocHost(dtype, sizeOf(shape))
  if (dtype !== "float0") data[e * (dtype === "complex64" || dtype === "complex128" ? 2 : 1)] = 1
  return new ConcreteTensor(aval(shape, dtype), data, undefined)
}

/** `x` of shape `[...lead, ...rest]` with its axis `axis` sliced to `[start, start+len)`. */
const sliceAxis = (x: Tensor, axis: number, start: number, len: number): Tensor => {
  const starts = x.shape.map((_, i) => (i === axis ? start : 0))
  const limits = x.shape.map((d, i) => (i === axis ? start + len : d))
  return lax.slice(x, starts, limits, null)
}

/** Pushes each row of the stacked `basis` (leading axis of size `total`) through `linear`. */
const pushBasis = (
  strategy: Strategy,
  linear: (xs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  shapes: ReadonlyArray<ReadonlyArray<number>>,
  dtypes: ReadonlyArray<DType.DType>,
  outNdims: (outs: number) => ReadonlyArray<number>
): ReadonlyArray<Tensor> => {
  const total = shapes.reduce((n, s) => n + sizeOf(s), 0)
  if (strategy === "vmap" && total > 0) {
    const basis: Array<Tensor> = []
    let offset = 0
    for (let i = 0; i < shapes.length; i++) {
      basis.push(basisBlock(total, offset, shapes[i]!, dtypes[i]!))
      offset += sizeOf(shapes[i]!)
    }
    // The batch axis goes first in every output: [total, ...y.shape].
    return vmapFlat(linear, basis, basis.map(() => 0), (n) => outNdims(n).map(() => 0))
  }
  // Loop: one application per basis vector, stacked along a new leading axis.
  const zeros = shapes.map((s, i) => lax.full(s, 0, dtypes[i]!))
  const rows: Array<ReadonlyArray<Tensor>> = []
  for (let i = 0; i < shapes.length; i++) {
    const size = sizeOf(shapes[i]!)
    for (let e = 0; e < size; e++) {
      const input = zeros.slice()
      input[i] = unitVector(shapes[i]!, e, dtypes[i]!)
      rows.push(linear(input))
    }
  }
  if (rows.length === 0) return []
  return rows[0]!.map((_, j) => lax.concatenate(rows.map((r) => lax.expandDims(r[j]!, [0])), 0))
}

/** Assembles the out-tree-of-in-tree result from blocks `block(y, x)`. */
const assemble = (
  outCapture: OutCapture,
  outs: ReadonlyArray<Tensor>,
  flat: ReadonlyArray<FlatArg>,
  argnums: Argnums,
  block: (y: number, x: number) => Tensor
): unknown => {
  const xs = allLeaves(flat)
  const perOut = outs.slice(0, outCapture.count).map((_, y) => {
    const row = unflattenArgs(flat, xs.map((_, x) => block(y, x)))
    return argnums.single ? row[0] : row
  })
  return Tree.unflatten(outCapture.def!, perOut)
}

interface Traced {
  readonly argnums: Argnums
  readonly flat: ReadonlyArray<FlatArg>
  readonly primals: ReadonlyArray<Tensor>
  readonly capture: OutCapture
  readonly fn: (xs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
}

const prepare = (
  name: string,
  f: (...args: ReadonlyArray<unknown>) => unknown,
  options: JacobianOptions,
  args: ReadonlyArray<unknown>
): Traced => {
  checkCallable(name, f)
  const argnums = normalizeArgnums(options.argnums ?? 0, args.length)
  const flat = flattenArgs(name, argnums.indices.map((i) => args[i]), argnums.indices)
  const primals = allLeaves(flat)
  const capture = makeOutCapture()
  const hasAux = options.hasAux === true
  const fn = (xs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const full = args.slice()
    const rebuilt = unflattenArgs(flat, xs)
    for (let j = 0; j < argnums.indices.length; j++) full[argnums.indices[j]!] = rebuilt[j]
    return flattenOutput(name, resolve(name, f(...full)), hasAux, capture)
  }
  return { argnums, flat, primals, capture, fn }
}

const finish = (options: JacobianOptions, capture: OutCapture, outs: ReadonlyArray<Tensor>, jac: unknown): unknown =>
  options.hasAux === true ? [jac, rebuildAux(capture.aux, outs)] : jac

/**
 * `f`'s outputs and its JVP at `primals`: linearized once, or, for a function that has no
 * linearization (a `customVmap` call: forward mode only, as in JAX), its JVP evaluated per push
 * (JAX's jacfwd is always `vmap` of `jvp`; linearizing first saves re-running the primal).
 */
const linearizedOrForward = (
  fn: (xs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>
): readonly [ReadonlyArray<Tensor>, (ts: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>] => {
  try {
    const [outs, jvpFn] = linearizeFlat(fn, primals)
    return [outs, jvpFn]
  } catch (e) {
    if (!(e instanceof ArgumentError && e.operation === "customVmap")) throw e
    return [fn(primals), (ts) => jvpFlat(fn, primals, ts)[1]]
  }
}

/** JAX's `jacfwd`, synchronous. */
export const jacfwdSync = (
  f: (...args: ReadonlyArray<unknown>) => unknown,
  options: JacobianOptions,
  args: ReadonlyArray<unknown>,
  strategy: Strategy = "vmap"
): unknown => {
  const t = prepare("jacfwd", f, options, args)
  const holomorphic = options.holomorphic ?? false
  for (const x of t.primals) checkInputDTypeFwd(holomorphic, x)
  const [outs, jvpFn] = linearizedOrForward(t.fn, t.primals)
  const n = t.capture.count
  for (let j = 0; j < n; j++) checkOutputDTypeFwd(holomorphic, outs[j]!)
  const columns = pushBasis(
    strategy,
    (ts) => jvpFn(ts).slice(0, n),
    t.primals.map((x) => x.shape),
    t.primals.map((x) => x.dtype),
    () => outs.slice(0, n).map((y) => y.ndim)
  )
  // columns[y]: [total, ...y.shape]; block (y, x): rows of leaf x, moved last, reshaped.
  const offsets: Array<number> = []
  let total = 0
  for (const x of t.primals) {
    offsets.push(total)
    total += x.size
  }
  const jac = assemble(t.capture, outs, t.flat, t.argnums, (y, x) => {
    const yv = outs[y]!
    const xv = t.primals[x]!
    const shape = [...yv.shape, ...xv.shape]
    // Typed as the output leaf, weak type included (JAX's _possible_downcast to the example y).
    const like = tangentAval(yv.aval)
    if (total === 0 || xv.size === 0) return zerosOf({ ...like, shape })
    const rows = sliceAxis(columns[y]!, 0, offsets[x]!, xv.size) // [n_x, ...y.shape]
    const perm = [...yv.shape.map((_, i) => i + 1), 0]
    return convertTangent(lax.reshape(lax.transpose(rows, perm), shape), like.dtype, like.weakType)
  })
  return finish(options, t.capture, outs, jac)
}

/** JAX's `jacrev`, synchronous. */
export const jacrevSync = (
  f: (...args: ReadonlyArray<unknown>) => unknown,
  options: JacobianOptions,
  args: ReadonlyArray<unknown>,
  strategy: Strategy = "vmap"
): unknown => {
  const t = prepare("jacrev", f, options, args)
  const holomorphic = options.holomorphic ?? false
  for (const x of t.primals) checkInputDTypeRev("jacrev", holomorphic, options.allowInt ?? false, x)
  const [outs, pullback] = vjpFlat(t.fn, t.primals)
  const n = t.capture.count
  const mains = outs.slice(0, n)
  for (const y of mains) checkOutputDTypeRev("jacrev", holomorphic, y)
  const auxZeros = outs.slice(n).map(zeroCotangent)
  const rows = pushBasis(
    strategy,
    (cts) => pullback(auxZeros.length === 0 ? cts : [...cts, ...auxZeros]),
    mains.map((y) => y.shape),
    mains.map((y) => tangentDType(y.dtype)),
    () => t.primals.map((x) => x.ndim)
  )
  // rows[x]: [total, ...x.shape]; block (y, x): rows of output y, reshaped.
  const offsets: Array<number> = []
  let total = 0
  for (const y of mains) {
    offsets.push(total)
    total += y.size
  }
  const jac = assemble(t.capture, outs, t.flat, t.argnums, (y, x) => {
    const yv = mains[y]!
    const xv = t.primals[x]!
    const shape = [...yv.shape, ...xv.shape]
    // Typed as the input leaf, weak type included (JAX's _possible_downcast to the example x).
    const like = tangentAval(xv.aval)
    if (total === 0 || yv.size === 0) return zerosOf({ ...like, shape })
    return convertTangent(lax.reshape(sliceAxis(rows[x]!, 0, offsets[y]!, yv.size), shape), like.dtype, like.weakType)
  })
  return finish(options, t.capture, outs, jac)
}
