/**
 * Batching rules (JAX's `primitive_batchers`): how each primitive runs on
 * operands that carry a batch dimension. A rule gets the operands' values, where
 * their batch dimensions are (`null`: not batched), the primitive's parameters and
 * the vmapped axis, and returns the results and their batch dimensions, one per
 * output (`single` adapts a rule written for one output).
 *
 * The vmap handler calls a rule only when some operand is batched (or for a
 * collective over its own axis), so rules never see an all-`null` `dims`
 * otherwise.
 *
 * @since 0.1.0
 */
import { ArgumentError, aval, bind, bind1, fromKinds, lax, np } from "@diffect/core"
import type { Params, Primitive, Tensor } from "@diffect/core"
import { evalProgram } from "@diffect/core/Program"
import type { Program } from "@diffect/core/Program"
import { makeProgramFlat } from "@diffect/core/Staging"
import type { BatchDim } from "../internal/batchingAxes.js"
import { batchAt, batchAtFront, canonicalAxis, moveAxis, shiftAxis } from "../internal/batchingAxes.js"
import { convBatch } from "./conv.js"
import { fftBatch } from "./fft.js"
import { linalgBatchRules } from "./linalg.js"
import { linearSolveBatch } from "./linearSolve.js"
import { rematBatch } from "./remat.js"
import { scanBatch } from "./scan.js"
import { reduceWindowBatch, selectBatch } from "./window.js"

/**
 * The axis a vmap maps over: its size and, when given, its name.
 *
 * @since 0.1.0
 */
export interface AxisData {
  readonly size: number
  readonly name: string | undefined
  /** Set when the axis spans workers (`pmap`): this vmap holds only this worker's slices of it. */
  readonly spmd?: SpmdAxis | undefined
}

/**
 * A named axis that spans workers (SPMD: each worker runs the same program on
 * its own slices): `size` is the whole axis, this worker holds the slices
 * `offset .. offset + local size`. `allGather` takes this worker's slices
 * (batch dimension first) and gives every worker's, in rank order (one
 * `[size, ...]` tensor), so that a collective reduces exactly the stack that a
 * one-process vmap would reduce.
 *
 * @since 0.1.0
 */
export interface SpmdAxis {
  readonly size: number
  readonly offset: number
  readonly allGather: (local: Tensor) => Tensor
  /**
   * Optional: `reduce(allGather(local), [0])` in one pass, without the gathered
   * stack (an all-reduce), bit for bit; `undefined` when it cannot (then the
   * rule gathers and reduces).
   */
  readonly allReduce?: ((local: Tensor, kind: SpmdReduction) => Tensor | undefined) | undefined
  /**
   * Optional: `allReduce` of several values at once (a collective over a pytree's leaves), in
   * fewer rounds of the exchange than one per value (JAX's and XLA's all-reduce combining): the
   * result for each value it takes equals its `allReduce`, bit for bit; `undefined` for the
   * values it leaves (each then takes its own collective, after these).
   */
  readonly allReduceMany?:
    | ((locals: ReadonlyArray<Tensor>, kind: SpmdReduction) => ReadonlyArray<Tensor | undefined>)
    | undefined
}

/**
 * The reductions of the collectives over an SPMD axis: `psum`, `pmax`, `pmin`,
 * and `pmean` ("mean": the sum rounded to the dtype, then divided by the
 * axis's size and rounded again, as `psum` followed by a division).
 *
 * @since 0.1.0
 */
export type SpmdReduction = "sum" | "max" | "min" | "mean"

/**
 * A program batched over `axis` (JAX's `batch_jaxpr`): inputs flagged in
 * `batched` carry the batch dimension first; outputs flagged in `outBatched`
 * too (an output flagged in `forceBatched` always is). Cached by program, mask
 * and axis. Given to the rules of higher-order primitives by the handler that
 * owns it (a rule importing the handler would be an import cycle).
 *
 * @since 0.1.0
 */
export type BatchOfProgram = (
  program: Program,
  batched: ReadonlyArray<boolean>,
  axis: AxisData,
  forceBatched?: ReadonlyArray<boolean>
) => { readonly program: Program; readonly outBatched: ReadonlyArray<boolean> }

/**
 * A batching rule for primitive `P`. `batchOf` batches the programs of a
 * higher-order primitive.
 *
 * @since 0.1.0
 */
export type BatchRule<P extends Primitive> = (
  operands: ReadonlyArray<Tensor>,
  dims: ReadonlyArray<BatchDim>,
  params: Params<P>,
  axis: AxisData,
  batchOf: BatchOfProgram
) => readonly [outs: ReadonlyArray<Tensor>, dims: ReadonlyArray<BatchDim>]

/**
 * `debug_callback` (JAX's `debug_batching_rule`): unrolled over the batch, one
 * call per index with that index's slices (unbatched operands as they are).
 */
const debugCallbackBatch: BatchRule<"debug_callback"> = (operands, dims, params) => {
  const at = dims.findIndex((d) => d !== null)
  const size = at < 0 ? 1 : operands[at]!.shape[dims[at]!]!
  for (let i = 0; i < size; i++) {
    const slices = operands.map((x, k) => (dims[k] === null ? x : lax.indexInDim(x, i, dims[k]!, false)))
    bind("debug_callback", slices, params)
  }
  return [[], []]
}

/**
 * `pure_callback` (JAX's `ffi_batching_rule`): by its `vmapMethod`, a `scan`
 * over the batch calling it once per index (`"sequential"`, unrolled for
 * `"sequential_unrolled"`), or one call with the batch axis in front of the
 * batched operands and a size-1 (`"expand_dims"`) or full (`"broadcast_all"`)
 * axis on the others, whose results have the batch in front.
 */
const pureCallbackBatch: BatchRule<"pure_callback"> = (operands, dims, params) => {
  const { resultAvals, vmapMethod } = params
  const at = dims.findIndex((d) => d !== null)
  const size = operands[at]!.shape[dims[at]!]!
  const front = operands.map((x, k) => (dims[k] === null ? x : moveAxis(x, dims[k]!, 0)))
  const batchedAvals = resultAvals.map((a) => aval([size, ...a.shape], a.dtype, a.weakType))
  if (vmapMethod === "expand_dims" || vmapMethod === "broadcast_all") {
    const n = vmapMethod === "broadcast_all" ? size : 1
    const args = front.map((x, k) => (dims[k] === null ? lax.broadcast(x, [n]) : x))
    const outs = bind("pure_callback", args, { ...params, resultAvals: batchedAvals })
    return [outs, outs.map(() => 0)]
  }
  if (vmapMethod === "sequential" || vmapMethod === "sequential_unrolled") {
    const bindOne = (args: ReadonlyArray<Tensor>) => bind("pure_callback", args, params)
    return sequentialCalls(front, dims, bindOne, vmapMethod === "sequential_unrolled" ? size : 1)
  }
  throw new ArgumentError({
    operation: "vmap of pureCallback",
    argument: "vmapMethod",
    expected:
      "one of \"sequential\", \"sequential_unrolled\", \"expand_dims\" or \"broadcast_all\" (pureCallback's option; JAX's vmap_method)",
    got: "none"
  })
}

/**
 * `io_callback` (JAX's `io_callback_batching_rule`): a `scan` over the batch
 * calling it once per index, in order; an ordered one cannot be batched.
 */
const ioCallbackBatch: BatchRule<"io_callback"> = (operands, dims, params) => {
  if (params.ordered) {
    throw new ArgumentError({
      operation: "vmap of ioCallback",
      argument: "ordered",
      expected: "an unordered callback (Cannot `vmap` ordered IO callback.)",
      got: "ordered: true"
    })
  }
  const front = operands.map((x, k) => (dims[k] === null ? x : moveAxis(x, dims[k]!, 0)))
  return sequentialCalls(front, dims, (args) => bind("io_callback", args, params), 1)
}

/**
 * A host callback batched as a `scan` over the batch (JAX's `lax.map` of it): one call per
 * index with that index's slices of the batched operands (`front`: batch axis first) and the
 * unbatched ones as they are; the results stacked along a new leading axis.
 */
const sequentialCalls = (
  front: ReadonlyArray<Tensor>,
  dims: ReadonlyArray<BatchDim>,
  bindOne: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  unroll: number
): readonly [ReadonlyArray<Tensor>, ReadonlyArray<BatchDim>] => {
  const batched = front.filter((_, k) => dims[k] !== null)
  const body = (
    carry: ReadonlyArray<Tensor>,
    xs: ReadonlyArray<Tensor>
  ): [ReadonlyArray<Tensor>, ReadonlyArray<Tensor>] => {
    let b = 0
    return [carry, bindOne(front.map((x, k) => (dims[k] === null ? x : xs[b++]!)))]
  }
  const [, outs] = lax.scan(body, [], batched, { unroll })
  return [outs as ReadonlyArray<Tensor>, (outs as ReadonlyArray<Tensor>).map(() => 0)]
}

/**
 * A batching rule of a primitive with one output: the result and its batch dimension.
 *
 * @since 0.1.0
 */
export type SingleBatchRule<P extends Primitive> = (
  operands: ReadonlyArray<Tensor>,
  dims: ReadonlyArray<BatchDim>,
  params: Params<P>,
  axis: AxisData
) => readonly [Tensor, BatchDim]

/**
 * The rule of a single-output primitive as a `BatchRule`.
 *
 * @since 0.1.0
 */
export const single = <P extends Primitive>(rule: SingleBatchRule<P>): BatchRule<P> => (xs, dims, params, axis) => {
  const [out, dim] = rule(xs, dims, params, axis)
  return [[out], [dim]]
}

// ---------------------------------------------------------------------------
// Builders for the shapes that repeat

/** Elementwise of one operand: the batch dimension passes through (to every output). */
const vectorized = <P extends Primitive>(p: P): BatchRule<P> => ([x], [d], params) => {
  const outs = bind(p, [x!], params)
  return [outs, outs.map(() => d!)]
}

/**
 * Elementwise of several operands of one shape: bring every batch dimension to
 * the first batched operand's position, materializing it on unbatched operands.
 */
const elementwise = <P extends Primitive>(p: P): BatchRule<P> => (xs, dims, params, axis) => {
  const first = dims[0]!
  let target: number | null = first
  let agree = true
  for (let i = 1; i < dims.length; i++) {
    const d = dims[i]!
    if (d !== first) agree = false
    if (target === null) target = d
  }
  if (agree) {
    const outs = bind(p, xs, params)
    return [outs, outs.map(() => first)]
  }
  const to = target as number
  const aligned = xs.map((x, i) => batchAt(x, dims[i]!, to, axis.size))
  const outs = bind(p, aligned, params)
  return [outs, outs.map(() => to)]
}

/** Reductions over `axes`: shift the axes past the batch dimension. */
const reducer =
  <P extends "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod">(p: P): SingleBatchRule<P> =>
  ([x], [d], params) => {
    const bd = d!
    const ndim = x!.ndim - 1
    let removedBefore = 0
    const axes = params.axes.map((a) => {
      const c = canonicalAxis(a, ndim)
      if (c < bd) removedBefore++
      return shiftAxis(c, bd)
    })
    return [bind1(p, [x!], { axes } as Params<P>), bd - removedBefore]
  }

/** `argmax`/`argmin`: one reduced axis. */
const argReducer = <P extends "argmax" | "argmin">(p: P): SingleBatchRule<P> => ([x], [d], params) => {
  const bd = d!
  const a = canonicalAxis(params.axis, x!.ndim - 1)
  return [bind1(p, [x!], { axis: shiftAxis(a, bd) } as Params<P>), a < bd ? bd - 1 : bd]
}

/**
 * Collectives: over this vmap's own axis the batch dimension is reduced away
 * (an unbatched operand is constant along the axis: `ifUnbatched` gives the
 * reduction of n copies); over another axis the operand's batch layout is
 * untouched.
 */
const collective = <P extends "psum" | "pmax" | "pmin">(
  p: P,
  kind: Exclude<SpmdReduction, "mean">,
  reduce: (x: Tensor, axes: ReadonlyArray<number>) => Tensor,
  ifUnbatched: (x: Tensor, size: number) => Tensor
): SingleBatchRule<P> =>
([x], [d], params, axis) => {
  if (params.axisName !== axis.name) return [bind1(p, [x!], params), d!]
  const spmd = axis.spmd
  // Across workers: an unbatched value is the same on every worker (it depends on
  // replicated inputs only); a batched one is gathered in rank order first.
  if (spmd !== undefined) {
    if (d === null) return [ifUnbatched(x!, spmd.size), null]
    const local = moveAxis(x!, d!, 0)
    return [spmd.allReduce?.(local, kind) ?? reduce(spmd.allGather(local), [0]), null]
  }
  return [d === null ? ifUnbatched(x!, axis.size) : reduce(x!, [d!]), null]
}

/** Operands at the front (materializing unbatched ones), for rules that need all batched. */
const allAtFront = (xs: ReadonlyArray<Tensor>, dims: ReadonlyArray<BatchDim>, size: number): Array<Tensor> =>
  xs.map((x, i) => batchAtFront(x, dims[i]!, size))

const range = (n: number, from = 0): Array<number> => {
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) out[i] = from + i
  return out
}

/**
 * Folds the batch dimension into the indexed axis so that one `gather` or
 * `scatter_add` serves every batch member: `x` (batch first) becomes
 * `[n * A, ...rest]`, and each member's indices are clamped into `[0, A)` (the
 * primitives clamp) and offset by `member * A`.
 */
const foldIndexed = (
  x: Tensor,
  indices: Tensor,
  axis: number,
  size: number
): readonly [flat: Tensor, offsetIndices: Tensor, restShape: ReadonlyArray<number>] => {
  const moved = moveAxis(x, axis + 1, 1) // [n, A, ...pre, ...post]
  const A = moved.shape[1]!
  const rest = moved.shape.slice(2)
  const flat = lax.reshape(moved, [size * A, ...rest])
  const idxShape = indices.shape
  const clamped = lax.max(
    lax.min(indices, lax.full(idxShape, A - 1, "int32")),
    lax.full(idxShape, 0, "int32")
  )
  const offsets = lax.mul(lax.iota("int32", idxShape, 0), lax.full(idxShape, A, "int32"))
  return [flat, lax.add(clamped, offsets), rest]
}

/** Moves a block of `count` axes starting at `from` to start at `to` (other axes keep their order). */
const moveBlock = (x: Tensor, from: number, count: number, to: number): Tensor => {
  if (from === to || count === 0) return x
  const others: Array<number> = []
  for (let i = 0; i < x.ndim; i++) if (i < from || i >= from + count) others.push(i)
  const perm = others.slice()
  perm.splice(to, 0, ...range(count, from))
  return lax.transpose(x, perm)
}

// ---------------------------------------------------------------------------
// Structured rules

const broadcastInDimRule: SingleBatchRule<"broadcast_in_dim"> = ([x], [d], params) => {
  const front = moveAxis(x!, d!, 0)
  const n = front.shape[0]!
  return [
    lax.broadcastInDim(front, [n, ...params.shape], [0, ...params.broadcastDimensions.map((b) => b + 1)]),
    0
  ]
}

const reshapeRule: SingleBatchRule<"reshape"> = ([x], [d], params) => {
  const front = moveAxis(x!, d!, 0)
  return [lax.reshape(front, [front.shape[0]!, ...params.newSizes]), 0]
}

const transposeRule: SingleBatchRule<"transpose"> = ([x], [d], params) => {
  const bd = d!
  const ndim = x!.ndim - 1
  const perm = [bd, ...params.permutation.map((p) => shiftAxis(canonicalAxis(p, ndim), bd))]
  return [lax.transpose(x!, perm), 0]
}

const squeezeRule: SingleBatchRule<"squeeze"> = ([x], [d], params) => {
  const bd = d!
  const ndim = x!.ndim - 1
  let before = 0
  const dimensions = params.dimensions.map((a) => {
    const c = canonicalAxis(a, ndim)
    if (c < bd) before++
    return shiftAxis(c, bd)
  })
  return [lax.squeeze(x!, dimensions), bd - before]
}

const expandDimsRule: SingleBatchRule<"expand_dims"> = ([x], [d], params) => {
  const front = moveAxis(x!, d!, 0)
  const outNdim = x!.ndim - 1 + params.dimensions.length
  return [lax.expandDims(front, params.dimensions.map((a) => canonicalAxis(a, outNdim) + 1)), 0]
}

const revRule: SingleBatchRule<"rev"> = ([x], [d], params) => {
  const bd = d!
  const ndim = x!.ndim - 1
  return [lax.rev(x!, params.dimensions.map((a) => shiftAxis(canonicalAxis(a, ndim), bd))), bd]
}

const sliceRule: SingleBatchRule<"slice"> = ([x], [d], params) => {
  const bd = d!
  const start = params.startIndices.slice()
  const limit = params.limitIndices.slice()
  start.splice(bd, 0, 0)
  limit.splice(bd, 0, x!.shape[bd]!)
  let strides: Array<number> | null = null
  if (params.strides !== null) {
    strides = params.strides.slice()
    strides.splice(bd, 0, 1)
  }
  return [lax.slice(x!, start, limit, strides), bd]
}

// JAX's `_pad_batch_rule`: a batched padding value cannot be a scalar operand of
// `pad`, so pad with zero and select the per-member padding value where the mask
// (the padded image of an all-true array) is false.
const padRule: SingleBatchRule<"pad"> = ([x, padValue], [dx, dp], params, axis) => {
  const config: Array<readonly [number, number, number]> = [[0, 0, 0], ...params.config]
  const operand = batchAtFront(x!, dx!, axis.size)
  if (dp === null) return [lax.pad(operand, padValue!, config), 0]
  const zero = lax.scalar(0, operand.dtype, operand.weakType)
  const padded = lax.pad(operand, zero, config)
  const mask = lax.pad(lax.full(operand.shape, 1, "bool"), lax.scalar(0, "bool"), config)
  const fill = lax.broadcastInDim(moveAxis(padValue!, dp!, 0), padded.shape, [0])
  return [lax.select(mask, padded, fill), 0]
}

const concatenateRule: SingleBatchRule<"concatenate"> = (xs, dims, params, axis) => {
  // Operands share their rank; the first batched one has one extra dimension.
  const first = dims.findIndex((d) => d !== null)
  const dim = canonicalAxis(params.dimension, xs[first]!.ndim - 1)
  return [lax.concatenate(allAtFront(xs, dims, axis.size), dim + 1), 0]
}

// JAX's `_split_batch_rule`: split along the shifted axis; every piece keeps the batch dimension.
const splitRule: BatchRule<"split"> = ([x], [d], { axis, sizes }) => {
  const bd = d!
  const outs = bind("split", [x!], { sizes, axis: shiftAxis(axis, bd) })
  return [outs, outs.map(() => bd)]
}

// The cumulative reductions run along the shifted axis; the batch dimension stays.
const cumulativeRule =
  <P extends "cumsum" | "cumprod" | "cummax" | "cummin" | "cumlogsumexp">(p: P): SingleBatchRule<P> =>
  ([x], [d], params) => {
    const bd = d!
    const a = canonicalAxis(params.axis, x!.ndim - 1)
    return [bind1(p, [x!], { axis: shiftAxis(a, bd), reverse: params.reverse } as Params<P>), bd]
  }

// Every operand batched at the front (JAX's _sort_batch_rule); the sorted dimension shifts by one.
const sortRule: BatchRule<"sort"> = (xs, dims, params, axis) => {
  const ys = xs.map((x, i) => batchAtFront(x, dims[i]!, axis.size))
  const outs = bind("sort", ys, { ...params, dimension: params.dimension + 1 })
  return [outs, outs.map(() => 0)]
}

// top_k works on the last axis: the batch dimension goes to the front, out of its way.
const topKRule: BatchRule<"top_k"> = ([x], [d], params, axis) => {
  const outs = bind("top_k", [batchAtFront(x!, d!, axis.size)], params)
  return [outs, [0, 0]]
}

const gatherRule: SingleBatchRule<"gather"> = ([x, indices], [dx, di], params, axis) => {
  if (di === null) {
    // Only the operand is batched: gather along the shifted axis.
    const bd = dx!
    const a = canonicalAxis(params.axis, x!.ndim - 1)
    const shifted = shiftAxis(a, bd)
    return [lax.gather(x!, indices!, shifted), bd < shifted ? bd : bd - 1 + indices!.ndim]
  }
  if (dx === null) {
    // Only the indices are batched: the output holds the indices' shape at `axis`.
    const a = canonicalAxis(params.axis, x!.ndim)
    return [lax.gather(x!, indices!, a), a + di!]
  }
  // Both batched: each member gathers from its own operand.
  const a = canonicalAxis(params.axis, x!.ndim - 1)
  const idx = moveAxis(indices!, di!, 0)
  const [flat, offset] = foldIndexed(moveAxis(x!, dx!, 0), idx, a, axis.size)
  // gather gives [n, ...idx, ...pre, ...post]; JAX's order is [n, ...pre, ...idx, ...post].
  const out = lax.gather(flat, offset, 0)
  return [moveBlock(out, 1, idx.ndim - 1, 1 + a), 0]
}

const scatterAddRule: SingleBatchRule<"scatter_add"> = (
  [operand, indices, updates],
  [dOp, dIdx, dUpd],
  params,
  axis
) => {
  const n = axis.size
  const opNdim = operand!.ndim - (dOp === null ? 0 : 1)
  const a = canonicalAxis(params.axis, opNdim)
  const op = batchAtFront(operand!, dOp!, n)
  const upd = batchAtFront(updates!, dUpd!, n)
  if (dIdx === null) return [lax.scatterAdd(op, indices!, upd, a + 1), 0]
  const idx = moveAxis(indices!, dIdx!, 0)
  const [flat, offset, rest] = foldIndexed(op, idx, a, n)
  // updates are [n, ...pre, ...idx, ...post]; the folded scatter wants [n, ...idx, ...pre, ...post].
  const k = idx.ndim - 1
  const updFolded = moveBlock(upd, 1 + a, k, 1)
  const summed = lax.scatterAdd(flat, offset, updFolded, 0)
  const A = op.shape[a + 1]!
  const unfolded = lax.reshape(summed, [n, A, ...rest])
  return [moveAxis(unfolded, 1, a + 1), 0]
}

// `scatter` batches as `scatter_add` does (the batch folded into the indexed axis).
const scatterRule: SingleBatchRule<"scatter"> = ([operand, indices, updates], [dOp, dIdx, dUpd], params, axis) => {
  const n = axis.size
  const opNdim = operand!.ndim - (dOp === null ? 0 : 1)
  const a = canonicalAxis(params.axis, opNdim)
  const op = batchAtFront(operand!, dOp!, n)
  const upd = batchAtFront(updates!, dUpd!, n)
  const opts = { uniqueIndices: params.uniqueIndices }
  if (dIdx === null) return [lax.scatter(op, indices!, upd, a + 1, params.combine, opts), 0]
  const idx = moveAxis(indices!, dIdx!, 0)
  const [flat, offset, rest] = foldIndexed(op, idx, a, n)
  const updFolded = moveBlock(upd, 1 + a, idx.ndim - 1, 1)
  const combined = lax.scatter(flat, offset, updFolded, 0, params.combine, opts)
  const unfolded = lax.reshape(combined, [n, op.shape[a + 1]!, ...rest])
  return [moveAxis(unfolded, 1, a + 1), 0]
}

// JAX's `_dot_general_batch_rule`: a batched lhs or rhs dimension is a free
// dimension of the product; when both are batched it becomes a batch dimension.
const dotGeneralRule: SingleBatchRule<"dot_general"> = ([lhs, rhs], [dl, dr], primitiveParams) => {
  const [[lc, rc], [lb, rb]] = [primitiveParams.contracting, primitiveParams.batch]
  // lax.dotGeneral's options: the precision alone (the dimensions are its positional arguments)
  const params = primitiveParams.precision === undefined ? {} : { precision: primitiveParams.precision }
  const lNdim = lhs!.ndim - (dl === null ? 0 : 1)
  const rNdim = rhs!.ndim - (dr === null ? 0 : 1)
  const lcN = lc.map((a) => canonicalAxis(a, lNdim))
  const rcN = rc.map((a) => canonicalAxis(a, rNdim))
  const lbN = lb.map((a) => canonicalAxis(a, lNdim))
  const rbN = rb.map((a) => canonicalAxis(a, rNdim))
  if (dl !== null && dr !== null) {
    const l = moveAxis(lhs!, dl, 0)
    const r = moveAxis(rhs!, dr, 0)
    const up = (a: number) => a + 1
    return [lax.dotGeneral(l, r, [lcN.map(up), rcN.map(up)], [[0, ...lbN.map(up)], [0, ...rbN.map(up)]], params), 0]
  }
  if (dl !== null) {
    const shift = (a: number) => shiftAxis(a, dl)
    const lc2 = lcN.map(shift)
    const lb2 = lbN.map(shift)
    // Position of the batch dimension among lhs's free dimensions.
    let freeBefore = 0
    for (let i = 0; i < dl; i++) if (!lc2.includes(i) && !lb2.includes(i)) freeBefore++
    return [lax.dotGeneral(lhs!, rhs!, [lc2, rcN], [lb2, rbN], params), lb.length + freeBefore]
  }
  const drr = dr!
  const shift = (a: number) => shiftAxis(a, drr)
  const rc2 = rcN.map(shift)
  const rb2 = rbN.map(shift)
  let freeBefore = 0
  for (let i = 0; i < drr; i++) if (!rc2.includes(i) && !rb2.includes(i)) freeBefore++
  const lhsFree = lNdim - lcN.length - lbN.length
  return [lax.dotGeneral(lhs!, rhs!, [lcN, rc2], [lbN, rb2], params), lb.length + lhsFree + freeBefore]
}

// `iota` has no operands, so it is never batched; the handler only sends it here
// through the dynamic axis environment, with nothing to batch.
const iotaRule: SingleBatchRule<"iota"> = (_xs, _dims, params) => [
  lax.iota(params.dtype, params.shape, params.dimension),
  null
]

const axisIndexRule: SingleBatchRule<"axis_index"> = (_xs, _dims, params, axis) => {
  if (params.axisName !== axis.name) return [bind1("axis_index", [], params), null]
  const iota = lax.iota("int32", [axis.size], 0)
  const offset = axis.spmd?.offset ?? 0
  return [offset === 0 ? iota : lax.add(iota, lax.full([axis.size], offset, "int32")), 0]
}

// Every instance's value along `axis`, in order (`[total, ...]`): the batch, or across workers
// every worker's slices in rank order; n copies of an unbatched value.
const everyInstance = (x: Tensor, d: BatchDim, axis: AxisData): Tensor => {
  const spmd = axis.spmd
  const total = spmd?.size ?? axis.size
  if (d === null) return lax.broadcastInDim(x, [total, ...x.shape], x.shape.map((_, i) => i + 1))
  const local = moveAxis(x, d, 0)
  return spmd === undefined ? local : spmd.allGather(local)
}

// The collectives below over another vmap's axis: this batch dimension moved first, the
// collective's own axis parameter shifted past it.
const otherAxisFirst = (x: Tensor, d: BatchDim): Tensor => (d === null ? x : moveAxis(x, d, 0))

// `x`'s axis `axis` split into `[factor, size / factor]`, and two adjacent axes folded into one.
const splitAxisInto = (x: Tensor, axis: number, factor: number): Tensor =>
  lax.reshape(x, [...x.shape.slice(0, axis), factor, x.shape[axis]! / factor, ...x.shape.slice(axis + 1)])
const foldAxes = (x: Tensor, axis: number): Tensor =>
  lax.reshape(x, [...x.shape.slice(0, axis), x.shape[axis]! * x.shape[axis + 1]!, ...x.shape.slice(axis + 2)])

const allGatherRule: SingleBatchRule<"all_gather"> = ([x], [d], params, axis) => {
  if (params.axisName !== axis.name) {
    if (d === null) return [bind1("all_gather", [x!], params), null]
    return [bind1("all_gather", [otherAxisFirst(x!, d!)], { ...params, axis: params.axis + 1 }), 0]
  }
  // the same value on every instance: not batched
  const full = moveAxis(everyInstance(x!, d!, axis), 0, params.axis)
  return [params.tiled ? foldAxes(full, params.axis) : full, null]
}

const psumScatterRule: SingleBatchRule<"psum_scatter"> = ([x], [d], params, axis) => {
  if (params.axisName !== axis.name) {
    if (d === null) return [bind1("psum_scatter", [x!], params), null]
    return [
      bind1("psum_scatter", [otherAxisFirst(x!, d!)], { ...params, scatterDimension: params.scatterDimension + 1 }),
      0
    ]
  }
  const spmd = axis.spmd
  const total = spmd?.size ?? axis.size
  // psum's sum over every instance (across workers too), then each instance's index (or block) of it
  const [summed] = psumRule([x!], [d!], { axisName: params.axisName }, axis)
  const s = params.scatterDimension
  const split = params.tiled ? splitAxisInto(summed, s, total) : summed
  const offset = spmd?.offset ?? 0
  const mine = lax.slice(
    split,
    split.shape.map((_, i) => (i === s ? offset : 0)),
    split.shape.map((n, i) => (i === s ? offset + axis.size : n))
  )
  return [moveAxis(mine, s, 0), 0]
}

const ppermuteRule: SingleBatchRule<"ppermute"> = ([x], [d], params, axis) => {
  if (params.axisName !== axis.name) return [bind1("ppermute", [x!], params), d!]
  const full = everyInstance(x!, d!, axis)
  const total = full.shape[0]!
  const source = new Array<number>(total).fill(-1)
  for (const [src, dst] of params.perm) source[dst] = src
  const offset = axis.spmd?.offset ?? 0
  const mine = source.slice(offset, offset + axis.size)
  const taken = lax.gather(full, np.array(mine.map((v) => Math.max(v, 0)), { dtype: "int32" }), 0)
  if (mine.every((v) => v >= 0)) return [taken, 0]
  const sent = lax.broadcastInDim(np.array(mine.map((v) => v >= 0)), taken.shape, [0])
  return [lax.select(sent, taken, lax.zerosLike(taken)), 0]
}

const allToAllRule: SingleBatchRule<"all_to_all"> = ([x], [d], params, axis) => {
  const { concatAxis, splitAxis } = params
  if (params.axisName !== axis.name) {
    if (d === null) return [bind1("all_to_all", [x!], params), null]
    // JAX's `_all_to_all_batcher`: the axes past the batch dimension shift by one
    const shifted = {
      ...params,
      splitAxis: splitAxis + (d! <= splitAxis ? 1 : 0),
      concatAxis: concatAxis + (d! <= concatAxis ? 1 : 0)
    }
    return [bind1("all_to_all", [x!], shifted), d!]
  }
  // every instance i's value (first axis), its split axis cut into blocks j; instance j gets block
  // j of every value, concatenated along the concatenation axis in the order of i
  const full = everyInstance(x!, d!, axis)
  const total = full.shape[0]!
  const blocks = moveAxis(splitAxisInto(full, splitAxis + 1, total), splitAxis + 1, 0)
  const all = foldAxes(moveAxis(blocks, 1, concatAxis + 1), concatAxis + 1)
  const offset = axis.spmd?.offset ?? 0
  if (offset === 0 && axis.size === total) return [all, 0]
  const ends = all.shape.map((n, i) => (i === 0 ? offset + axis.size : n))
  return [lax.slice(all, all.shape.map((_, i) => (i === 0 ? offset : 0)), ends), 0]
}

/** `jit_call`: a call of the batched program (JAX's `_pjit_batcher`); batch dimensions moved first. */
const jitCallRule: BatchRule<"jit_call"> = (xs, dims, { name, program }, axis, batchOf) => {
  const { outBatched, program: batched } = batchOf(program, dims.map((d) => d !== null), axis)
  const operands = xs.map((x, i) => (dims[i] === null ? x : moveAxis(x, dims[i]!, 0)))
  const outs = bind("jit_call", operands, { name, program: batched })
  return [outs, outBatched.map((b) => (b ? 0 : null))]
}

/**
 * `cond` (JAX's `_cond_batching_rule`). A batched index: every branch runs on
 * the batch (operands of the branches not taken are passed through
 * `stop_gradient`, as JAX does, so that reverse mode does not see them) and a
 * select per output picks each member's branch. An unbatched index with
 * batched operands: a `cond` of the batched branches (an output is batched
 * when it is in any branch).
 */
const condRule: BatchRule<"cond"> = ([index, ...ops], [indexDim, ...opDims], { branches }, axis, batchOf) => {
  if (indexDim !== null && indexDim !== undefined) {
    const idx = moveAxis(index!, indexDim, 0)
    const xs = ops.map((x, i) => batchAtFront(x, opDims[i] ?? null, axis.size))
    const every = ops.map(() => true)
    const taken = branches.map((_, k) => lax.eq(idx, k))
    const results = branches.map((b, k) => {
      const { program } = batchOf(b, every, axis, b.outputs.map(() => true))
      const guarded = xs.map((x) => lax.select(atRank(taken[k]!, x), x, bind1("stop_gradient", [x], {})))
      return evalProgram(program, program.consts, guarded)
    })
    let outs = results[results.length - 1]!
    for (let k = results.length - 2; k >= 0; k--) {
      outs = outs.map((o, i) => lax.select(atRank(taken[k]!, o), results[k]![i]!, o))
    }
    return [outs, outs.map(() => 0)]
  }
  const batched = opDims.map((d) => d !== null)
  const xs = ops.map((x, i) => (opDims[i] === null ? x : moveAxis(x, opDims[i]!, 0)))
  const outBatched = branches.map((b) => batchOf(b, batched, axis).outBatched).reduce((a, b) =>
    a.map((v, i) => v || b[i]!)
  )
  const batchedBranches = branches.map((b) => batchOf(b, batched, axis, outBatched).program)
  const outs = bind("cond", [index!, ...xs], { branches: batchedBranches })
  return [outs, outBatched.map((b) => (b ? 0 : null))]
}

/**
 * `while` (JAX's `_while_loop_batching_rule`). Which carry components are
 * batched is a fixpoint over the body. An unbatched predicate: a `while` of
 * the batched programs. A batched predicate: every carry is batched, the loop
 * runs while any member's predicate holds, and the body keeps the carry of a
 * member whose predicate is false (finished members are frozen).
 */
const whileRule: BatchRule<"while"> = (xs, dims, params, axis, batchOf) => {
  const { body, bodyConsts: nb, cond, condConsts: nc } = params
  const isB = (d: BatchDim | undefined) => d !== null && d !== undefined
  const ccB = dims.slice(0, nc).map(isB)
  const bcB = dims.slice(nc, nc + nb).map(isB)
  let carryB = dims.slice(nc + nb).map(isB)
  let outB = batchOf(body, [...bcB, ...carryB], axis).outBatched
  for (let k = 0; k < carryB.length && !outB.every((b, i) => !b || carryB[i]); k++) {
    carryB = carryB.map((b, i) => b || outB[i]!)
    outB = batchOf(body, [...bcB, ...carryB], axis).outBatched
  }
  const predB = batchOf(cond, [...ccB, ...carryB], axis).outBatched[0]!
  const front = (x: Tensor, i: number) => (dims[i] === null ? x : moveAxis(x, dims[i]!, 0))
  const cc = xs.slice(0, nc).map((x, i) => front(x, i))
  const bc = xs.slice(nc, nc + nb).map((x, i) => front(x, nc + i))
  if (!predB) {
    const carry = xs.slice(nc + nb).map((x, i) => (carryB[i] ? batchAtFront(x, dims[nc + nb + i]!, axis.size) : x))
    const outs = bind("while", [...cc, ...bc, ...carry], {
      cond: batchOf(cond, [...ccB, ...carryB], axis).program,
      body: batchOf(body, [...bcB, ...carryB], axis, carryB).program,
      condConsts: nc,
      bodyConsts: nb
    })
    return [outs, carryB.map((b) => (b ? 0 : null))]
  }
  const every = carryB.map(() => true)
  const condP = batchOf(cond, [...ccB, ...every], axis).program
  const bodyP = batchOf(body, [...bcB, ...every], axis, every).program
  const carry = xs.slice(nc + nb).map((x, i) => batchAtFront(x, dims[nc + nb + i] ?? null, axis.size))
  const anyRunning = makeProgramFlat((ins) => {
    const running = evalProgram(condP, condP.consts, ins)[0]!
    return [lax.gt(lax.reduceMax(lax.convertElementType(running, "int32"), [0]), 0)]
  }, condP.inAvals)
  const frozenBody = makeProgramFlat((ins) => {
    const state = ins.slice(nc + nb)
    const running = evalProgram(condP, condP.consts, [...ins.slice(0, nc), ...state])[0]!
    const next = evalProgram(bodyP, bodyP.consts, ins.slice(nc))
    return next.map((v, i) => lax.select(atRank(running, v), v, state[i]!))
  }, [...condP.inAvals.slice(0, nc), ...bodyP.inAvals])
  const outs = bind("while", [...cc, ...cc, ...bc, ...carry], {
    cond: anyRunning,
    body: frozenBody,
    condConsts: nc,
    bodyConsts: nc + nb
  })
  return [outs, outs.map(() => 0)]
}

/** A predicate over the batch (`[B]`) broadcast to `x`'s shape (batch first). */
const atRank = (pred: Tensor, x: Tensor): Tensor => x.ndim === 1 ? pred : lax.broadcastInDim(pred, x.shape, [0])

const times = (x: Tensor, size: number): Tensor => lax.mul(x, lax.full(x.shape, size, x.dtype, x.weakType))
const psumRule = collective("psum", "sum", lax.reduceSum, times)
const same = (x: Tensor): Tensor => x

/**
 * The batching rule of every primitive: elementwise primitives get theirs from
 * their kind (`vectorized` for one operand, `elementwise` otherwise), the others
 * are listed (a missing entry is a compile error).
 *
 * @since 0.1.0
 */
export const batchRules: { readonly [P in Primitive]: BatchRule<P> } = fromKinds<
  { readonly [P in Primitive]: BatchRule<P> }
>((p, kind) => (kind === "unary" ? vectorized(p) : elementwise(p)), {
  reduce_sum: single(reducer("reduce_sum")),
  reduce_max: single(reducer("reduce_max")),
  reduce_min: single(reducer("reduce_min")),
  reduce_prod: single(reducer("reduce_prod")),
  argmax: single(argReducer("argmax")),
  argmin: single(argReducer("argmin")),
  cumsum: single(cumulativeRule("cumsum")),
  cumprod: single(cumulativeRule("cumprod")),
  cummax: single(cumulativeRule("cummax")),
  cummin: single(cumulativeRule("cummin")),
  cumlogsumexp: single(cumulativeRule("cumlogsumexp")),
  sort: sortRule,
  top_k: topKRule,
  broadcast_in_dim: single(broadcastInDimRule),
  reshape: single(reshapeRule),
  transpose: single(transposeRule),
  squeeze: single(squeezeRule),
  expand_dims: single(expandDimsRule),
  rev: single(revRule),
  slice: single(sliceRule),
  pad: single(padRule),
  concatenate: single(concatenateRule),
  split: splitRule,
  gather: single(gatherRule),
  scatter_add: single(scatterAddRule),
  scatter: single(scatterRule),
  dot_general: single(dotGeneralRule),
  reduce_window_sum: single(([x], [d], params, axis) =>
    reduceWindowBatch("reduce_window_sum", x!, d!, params, axis.size)
  ),
  reduce_window_max: single(([x], [d], params, axis) =>
    reduceWindowBatch("reduce_window_max", x!, d!, params, axis.size)
  ),
  reduce_window_min: single(([x], [d], params, axis) =>
    reduceWindowBatch("reduce_window_min", x!, d!, params, axis.size)
  ),
  select_and_gather_add: single(([t, x], [dt, dx], params, axis) =>
    selectBatch("select_and_gather_add", t!, x!, dt!, dx!, params, axis.size)
  ),
  select_and_scatter_add: single(([s, x], [ds, dx], params, axis) =>
    selectBatch("select_and_scatter_add", s!, x!, ds!, dx!, params, axis.size)
  ),
  bitcast_convert_type: vectorized("bitcast_convert_type"),
  fft: single(([x], [d], params, axis) => fftBatch(x!, d!, params, axis.size)),
  conv_general_dilated: single(([lhs, rhs], [dl, dr], params) => convBatch(lhs!, rhs!, dl!, dr!, params)),
  iota: single(iotaRule),
  ...linalgBatchRules,
  psum: single(psumRule),
  pmax: single(collective("pmax", "max", lax.reduceMax, same)),
  pmin: single(collective("pmin", "min", lax.reduceMin, same)),
  axis_index: single(axisIndexRule),
  all_gather: single(allGatherRule),
  psum_scatter: single(psumScatterRule),
  ppermute: single(ppermuteRule),
  all_to_all: single(allToAllRule),
  debug_callback: debugCallbackBatch,
  pure_callback: pureCallbackBatch,
  io_callback: ioCallbackBatch,
  jit_call: jitCallRule,
  cond: condRule,
  while: whileRule,
  scan: scanBatch,
  remat: rematBatch,
  linear_solve: linearSolveBatch,
  checkpoint_name: single(([x], [d], params) => [bind1("checkpoint_name", [x!], params), d!])
})
