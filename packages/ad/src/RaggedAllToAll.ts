/**
 * `raggedAllToAll` (JAX's `lax.ragged_all_to_all`): the all-to-all of ragged data, slices of the
 * leading axis whose offsets and sizes are tensors.
 *
 * @since 0.1.0
 */
import { DType, isTensor, lax, np, Shape } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { DTypeError, ShapeError } from "@diffect/core/Errors"
import { argumentError } from "@diffect/core/Validate"
import { allGather, allToAll, axisSize } from "./Collectives.js"

const operation = "raggedAllToAll"

const tensorArg = (name: string, value: unknown): Tensor => {
  if (!isTensor(value)) throw argumentError(operation, name, "a Tensor", value)
  return value
}

// JAX's abstract evaluation: integer, rank 1, at least one element.
const offsetsArg = (name: string, value: unknown): Tensor => {
  const t = tensorArg(name, value)
  if (!DType.isInteger(t.dtype)) {
    throw new DTypeError({ operation, detail: `${name} must be integer type, but got ${t.dtype}.` })
  }
  if (t.ndim !== 1 || t.shape[0]! < 1) {
    throw new ShapeError({
      operation,
      detail: `${name} must be rank 1 with positive dimension size, but got shape ${Shape.formatShape(t.shape)}.`
    })
  }
  return lax.convertElementType(t, "int32")
}

/**
 * Sends slices of each instance's `operand` along the leading axis to the other instances of the
 * named axis, which write them into a copy of their `output` (JAX's `lax.ragged_all_to_all`). The
 * four index arrays have one entry per slice, `K` in all, a multiple of the axis size `n`; slices
 * `[j K/n, (j+1) K/n)` go to instance `j`. Slice `i` of an instance is
 * `operand[inputOffsets[i] : inputOffsets[i] + sendSizes[i]]`, and its receiver writes it at
 * `outputOffsets[i]` of its result (the sender says where). What an instance receives, in its
 * own slots, has the sizes `recvSizes` (which must be the senders' `sendSizes`, as
 * `allToAll(recvSizes, axisName, 0, 0, { tiled: true })`); the rest of the result is `output`.
 *
 * Built from `allGather` and `allToAll` (each instance gathers the operands and picks its rows),
 * so it works wherever those do: under `vmap` with the axis name (which JAX does not support),
 * inside `jit`, across workers, and differentiated (the cotangent of `operand` is the ragged
 * all-to-all back, the one of `output` is zero where slices were written). Slices that overlap in
 * the result: the one with the largest slot wins. Offsets and sizes out of range are undefined
 * behavior (JAX's); here rows past the operand's end read its last row.
 *
 * @example
 * import { np, raggedAllToAll, runSync, type Tensor, toJsSync, vmap } from "diffect"
 *
 * // JAX's example: two instances, one row of data each, offsets and sizes per instance
 * const exchange = vmap(
 *   (operand: Tensor, output: Tensor, inOff: Tensor, send: Tensor, outOff: Tensor, recv: Tensor) =>
 *     raggedAllToAll(operand, output, inOff, send, outOff, recv, "x"),
 *   { axisName: "x" }
 * )
 * const int32 = { dtype: "int32" } as const
 * const result = exchange(
 *   np.array([[1, 2, 2], [3, 4, 0]], int32),
 *   np.zeros([2, 4], int32),
 *   np.array([[0, 1], [0, 1]], int32),
 *   np.array([[1, 2], [1, 1]], int32),
 *   np.array([[0, 0], [1, 2]], int32),
 *   np.array([[1, 1], [2, 1]], int32)
 * )
 * console.log(toJsSync(runSync(result))) // [[1, 3, 0, 0], [2, 2, 4, 0]]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const raggedAllToAll = (
  operand: Tensor,
  output: Tensor,
  inputOffsets: Tensor,
  sendSizes: Tensor,
  outputOffsets: Tensor,
  recvSizes: Tensor,
  axisName: string
): Tensor => {
  const op = tensorArg("operand", operand)
  const out = tensorArg("output", output)
  const inOff = offsetsArg("inputOffsets", inputOffsets)
  offsetsArg("sendSizes", sendSizes)
  const outOff = offsetsArg("outputOffsets", outputOffsets)
  const recv = offsetsArg("recvSizes", recvSizes)
  const n = axisSize(axisName)
  if (op.ndim < 1 || out.ndim !== op.ndim || !Shape.shapeEquals(op.shape.slice(1), out.shape.slice(1))) {
    throw new ShapeError({
      operation,
      detail: `operand and output shapes must be equal, except for the outermost dimension, but got ${
        Shape.formatShape(op.shape)
      } and ${Shape.formatShape(out.shape)}.`
    })
  }
  if (op.dtype !== out.dtype) {
    throw new DTypeError({
      operation,
      detail: `operand and output must have one dtype, but got ${op.dtype} and ${out.dtype}.`
    })
  }
  const k = inOff.shape[0]!
  for (const [name, t] of [["sendSizes", sendSizes], ["outputOffsets", outOff], ["recvSizes", recv]] as const) {
    if (t.shape[0] !== k) {
      throw new ShapeError({
        operation,
        detail: `inputOffsets and ${name} must have the same length, but got ${k} and ${t.shape[0]}.`
      })
    }
  }
  if (k % n !== 0) {
    throw new ShapeError({
      operation,
      detail: `the number of slices (${k}) must be a multiple of the size of the axis '${axisName}' (${n}).`
    })
  }
  const perInstance = k / n
  const rows = op.shape[0]!
  const m = out.shape[0]!
  // slot s of this instance: from instance floor(s / perInstance), its slice at
  // inputOffsets (sender's) written at outputOffsets (sender's) for recvSizes[s] rows
  const from = allToAll(inOff, axisName, 0, 0, { tiled: true })
  const at = allToAll(outOff, axisName, 0, 0, { tiled: true })
  // [k, m]: which slots write row j of the result, and the last of them
  const j = lax.iota("int32", [k, m], 1)
  const slot = lax.iota("int32", [k, m], 0)
  const start = lax.broadcastInDim(at, [k, m], [0])
  const hit = lax.and(lax.ge(j, start), lax.lt(j, lax.add(start, lax.broadcastInDim(recv, [k, m], [0]))))
  const last = lax.reduceMax(lax.select(hit, slot, lax.full([k, m], -1, "int32")), [0])
  const written = lax.ge(last, lax.full([m], 0, "int32"))
  const s = lax.max(last, lax.full([m], 0, "int32"))
  // the operand row: sender * rows + its input offset + (j - the slot's output offset)
  const sender = lax.div(s, lax.full([m], perInstance, "int32"))
  const offsetIn = np.take(from, s)
  const offsetOut = np.take(at, s)
  const row = lax.clamp(
    lax.full([m], 0, "int32"),
    lax.add(offsetIn, lax.sub(lax.iota("int32", [m], 0), offsetOut)),
    lax.full([m], rows - 1, "int32")
  )
  const index = lax.add(lax.mul(sender, lax.full([m], rows, "int32")), row)
  const gathered = lax.reshape(allGather(op, axisName), [n * rows, ...op.shape.slice(1)])
  const received = np.take(gathered, index, { axis: 0 })
  return lax.select(lax.broadcastInDim(written, out.shape, [0]), received, out)
}
