/**
 * View: hand-derived views of each op, and the property that a chain of ops
 * composed as one view reads what applying the ops one by one gives.
 */
import { AxisError, View } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { applyOp, chainArb, composeChain, copyView, iotaFlat, readView } from "./viewOps.js"

const read = (v: View.View, src: ReadonlyArray<number>) => readView(v, src).data

describe("View", () => {
  const x = [0, 1, 2, 3, 4, 5] // shape [2, 3]

  it("transpose and rev compose into negative strides", () => {
    const v = View.rev(View.transpose(View.contiguous([2, 3]), [1, 0]), [0])
    assert.deepStrictEqual([...v.shape], [3, 2])
    assert.deepStrictEqual([...v.strides], [-1, 3])
    assert.strictEqual(v.offset, 2)
    assert.deepStrictEqual(read(v, x), [2, 5, 1, 4, 0, 3])
  })

  it("rev counts negative dimensions from the end and rejects out-of-range ones", () => {
    const v = View.rev(View.contiguous([2, 3]), [-1])
    assert.deepStrictEqual(read(v, x), [2, 1, 0, 5, 4, 3])
    assert.throws(() => View.rev(View.contiguous([2, 3]), [2]), AxisError)
  })

  it("broadcast_in_dim repeats with stride 0", () => {
    const v = View.broadcastInDim(View.contiguous([3, 1]), [2, 3, 2], [1, 2])
    assert.deepStrictEqual([...v.strides], [0, 1, 0])
    assert.deepStrictEqual(read(v, [7, 8, 9]), [7, 7, 8, 8, 9, 9, 7, 7, 8, 8, 9, 9])
  })

  it("pad with interior and negative low padding is a lattice mask", () => {
    // [0, 1, 2] -> interior 1: [0, p, 1, p, 2]; low -1 crops the 0, high 2 appends p, p.
    const v = View.pad(View.contiguous([3]), [[-1, 2, 1]])
    assert.deepStrictEqual([...v.shape], [6])
    assert.deepStrictEqual(v.mask, { start: [1], count: [2], step: [2] })
    assert.strictEqual(v.offset, 1)
    assert.deepStrictEqual(read(v, [10, 11, 12]), [-1, 11, -1, 12, -1, -1])
  })

  it("a strided slice of a padded view keeps only lattice points", () => {
    // pad [a, b, c] by interior 2: a p p b p p c (size 7); slice 1:7:3 reads positions 1, 4.
    const padded = View.pad(View.contiguous([3]), [[0, 0, 2]])
    const v = View.slice(padded, { startIndices: [1], limitIndices: [7], strides: [3] })
    assert.deepStrictEqual(read(v, [10, 11, 12]), [-1, -1])
    const w = View.slice(padded, { startIndices: [0], limitIndices: [7], strides: [2] })
    // positions 0, 2, 4, 6: a, p, p, c
    assert.deepStrictEqual(read(w, [10, 11, 12]), [10, -1, -1, 12])
  })

  it("reshape merges chained strides and refuses a transposed merge", () => {
    const merged = View.reshape(View.slice(View.contiguous([4, 3]), { startIndices: [1, 0], limitIndices: [3, 3] }), [
      6
    ])
    assert.isDefined(merged)
    assert.deepStrictEqual(read(merged!, Array.from({ length: 12 }, (_, i) => i)), [3, 4, 5, 6, 7, 8])
    assert.isUndefined(View.reshape(View.transpose(View.contiguous([2, 3]), [1, 0]), [6]))
    // Splitting a reversed axis is fine: strides chain negatively.
    const split = View.reshape(View.rev(View.contiguous([6]), [0]), [2, 3])
    assert.deepStrictEqual(read(split!, [0, 1, 2, 3, 4, 5]), [5, 4, 3, 2, 1, 0])
    // A padded axis that would be merged needs materializing.
    assert.isUndefined(View.reshape(View.pad(View.contiguous([2, 2]), [[0, 0, 0], [1, 0, 0]]), [6]))
  })

  it("concatenateParts tiles the output", () => {
    const parts = View.concatenateParts([[2, 1], [2, 2]], -1)
    const out = new Array<number>(6).fill(-1)
    const srcs = [[1, 2], [3, 4, 5, 6]]
    parts.forEach((p, k) => {
      const r = read(p, srcs[k]!)
      r.forEach((v, i) => {
        if (v !== -1) out[i] = v
      })
    })
    assert.deepStrictEqual(out, [1, 3, 4, 2, 5, 6])
  })

  it("a composed chain reads what the ops give one at a time", () => {
    let materialized = 0
    fc.assert(
      fc.property(chainArb(6), ({ ops, shape }) => {
        const x = iotaFlat(shape)
        const want = ops.reduce(applyOp, x)
        const composed = composeChain(x, ops)
        materialized += composed.materialized
        const got = readView(composed.view, composed.src)
        assert.deepStrictEqual([...got.shape], [...want.shape])
        assert.deepStrictEqual(got.data, want.data)
        // copyOf (what the backends run) writes the same elements.
        assert.deepStrictEqual(copyView(composed.view, composed.src).data, want.data)
      }),
      { numRuns: 400 }
    )
    // The fallback is exercised, and most reshapes need none.
    assert.isAbove(materialized, 0)
  })
})
