/**
 * `raggedAllToAll` (JAX's `lax.ragged_all_to_all`; tests/ragged_collective_test.py): JAX's
 * examples, a JS reference of JAX's pseudo-code over random consistent offsets and sizes
 * (fast-check), float64 central differences for the gradient, jit, and typed errors.
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { raggedAllToAll } from "../src/RaggedAllToAll.js"
import { vjp } from "../src/Vjp.js"
import { vmap } from "../src/Vmap.js"
import { arr, failure, run, thrown, values } from "./vmapSupport.js"

const i32 = (v: ReadonlyArray<ReadonlyArray<number>>) => arr(v as never, "int32")

// one instance per row of each argument
const exchange = (
  operand: Tensor,
  output: Tensor,
  inOff: Tensor,
  send: Tensor,
  outOff: Tensor,
  recv: Tensor
) =>
  run(
    vmap(
      (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor, f: Tensor) => raggedAllToAll(a, b, c, d, e, f, "x"),
      { axisName: "x" }
    )(operand, output, inOff, send, outOff, recv) as Effect.Effect<Tensor, never, never>
  )

/** JAX's pseudo-code: instance r's result, slot by slot (`xs[s]`: instance s's operand rows). */
const reference = (
  operands: ReadonlyArray<ReadonlyArray<number>>,
  outputs: ReadonlyArray<ReadonlyArray<number>>,
  inOff: ReadonlyArray<ReadonlyArray<number>>,
  send: ReadonlyArray<ReadonlyArray<number>>,
  outOff: ReadonlyArray<ReadonlyArray<number>>
): Array<Array<number>> => {
  const n = operands.length
  const k = inOff[0]!.length
  const per = k / n
  const results = outputs.map((o) => [...o])
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < k; i++) {
      const dst = Math.floor(i / per)
      for (let t = 0; t < send[s]![i]!; t++) results[dst]![outOff[s]![i]! + t] = operands[s]![inOff[s]![i]! + t]!
    }
  }
  return results
}

describe("raggedAllToAll: values", () => {
  it("JAX's test_ragged_all_to_all (int32, two instances)", () => {
    const got = exchange(
      i32([[1, 2, 2], [3, 4, 0]]),
      i32([[0, 0, 0, 0], [0, 0, 0, 0]]),
      i32([[0, 1], [0, 1]]),
      i32([[1, 2], [1, 1]]),
      i32([[0, 0], [1, 2]]),
      i32([[1, 1], [2, 1]])
    )
    assert.strictEqual(got.dtype, "int32")
    assert.deepStrictEqual(values(got), [[1, 3, 0, 0], [2, 2, 4, 0]])
  })

  it("rows of a trailing shape move whole; unwritten rows keep output's values", () => {
    // two instances, operand rows of length 2, two slices per instance (one to each)
    const got = exchange(
      arr([[[1, 1], [2, 2], [3, 3]], [[10, 10], [20, 20], [30, 30]]]),
      arr([[[-1, -1], [-1, -1], [-1, -1], [-1, -1]], [[-2, -2], [-2, -2], [-2, -2], [-2, -2]]]),
      i32([[0, 1], [2, 0]]),
      i32([[1, 2], [1, 1]]),
      i32([[3, 0], [1, 2]]),
      i32([[1, 1], [2, 1]])
    )
    // instance 0 gets its own row 0 at 3 and instance 1's row 2 at 1; instance 1 gets instance 0's
    // rows 1-2 at 0 and its own row 0 at 2
    assert.deepStrictEqual(values(got), [
      [[-1, -1], [30, 30], [-1, -1], [1, 1]],
      [[2, 2], [3, 3], [10, 10], [-2, -2]]
    ])
  })

  it("equals JAX's pseudo-code over random consistent offsets and sizes, 1 to 4 instances (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.nat(), (n, per, seed) => {
        let state = seed + 1
        const rand = (m: number) => {
          state = (state * 1103515245 + 12345) % 2147483648
          return state % m
        }
        const k = n * per
        const rows = 6
        // room for every slot's largest slice after a start of 0 or 1
        const width = 2 * k + 1
        // send[s][i]: rows instance s sends in slot i; slots to one receiver do not overlap there
        const send = Array.from({ length: n }, () => Array.from({ length: k }, () => rand(3)))
        const inOff = send.map((row) => row.map((size) => rand(rows - size + 1)))
        const outOff = send.map(() => new Array<number>(k).fill(0))
        for (let dst = 0; dst < n; dst++) {
          let at = rand(2)
          for (let s = 0; s < n; s++) {
            for (let q = 0; q < per; q++) {
              outOff[s]![dst * per + q] = at
              at += send[s]![dst * per + q]!
            }
          }
        }
        // recv[r][s * per + q] = send[s][r * per + q]
        const recv = Array.from(
          { length: n },
          (_, r) => Array.from({ length: k }, (_, slot) => send[Math.floor(slot / per)]![r * per + (slot % per)]!)
        )
        const operands = Array.from({ length: n }, (_, s) => Array.from({ length: rows }, (_, j) => 100 * s + j))
        const outputs = Array.from({ length: n }, () => new Array<number>(width).fill(-1))
        const got = exchange(arr(operands), arr(outputs), i32(inOff), i32(send), i32(outOff), i32(recv))
        assert.deepStrictEqual(values(got), reference(operands, outputs, inOff, send, outOff))
      }),
      { numRuns: 60 }
    )
  })

  it("under jit, and inside a jitted vmap", () => {
    const args = [
      arr([[1, 2, 2], [3, 4, 0]]),
      arr([[0, 0, 0, 0], [0, 0, 0, 0]]),
      i32([[0, 1], [0, 1]]),
      i32([[1, 2], [1, 1]]),
      i32([[0, 0], [1, 2]]),
      i32([[1, 1], [2, 1]])
    ] as const
    const f = (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor, g: Tensor) =>
      vmap((...xs: Array<Tensor>) => raggedAllToAll(xs[0]!, xs[1]!, xs[2]!, xs[3]!, xs[4]!, xs[5]!, "x"), {
        axisName: "x"
      })(a, b, c, d, e, g)
    assert.deepStrictEqual(values(run(jit(f)(...args))), [[1, 3, 0, 0], [2, 2, 4, 0]])
  })
})

describe("raggedAllToAll: derivatives", () => {
  const offsets = [i32([[0, 1], [0, 1]]), i32([[1, 2], [1, 1]]), i32([[0, 0], [1, 2]]), i32([[1, 1], [2, 1]])] as const
  const weights = arr([[1, -2, 3, 0.5], [0.25, 4, -1, 2]])
  const loss = (operand: Tensor, output: Tensor) =>
    Effect.map(
      vmap(
        (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor, f: Tensor) =>
          np.sin(raggedAllToAll(np.square(a), b, c, d, e, f, "x")),
        { axisName: "x" }
      )(operand, output, ...offsets),
      (y) => np.sum(np.multiply(weights, y))
    )

  it("the gradients of operand and output match central differences (JAX's test_ragged_all_to_all_grad)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 14, maxLength: 14 }), (xs) => {
        const operand = (v: ReadonlyArray<number>) => np.reshape(np.array(v.slice(0, 6), { dtype: "float64" }), [2, 3])
        const output = (v: ReadonlyArray<number>) => np.reshape(np.array(v.slice(6), { dtype: "float64" }), [2, 4])
        const [ga, gb] = run(grad(loss, { argnums: [0, 1] })(operand(xs), output(xs))) as [Tensor, Tensor]
        const g = [...(values(ga) as Array<Array<number>>).flat(), ...(values(gb) as Array<Array<number>>).flat()]
        const value = (v: ReadonlyArray<number>) => values(run(loss(operand(v), output(v)))) as number
        const h = 1e-6
        xs.forEach((_, k) => {
          const fd = (value(xs.map((v, q) => (q === k ? v + h : v))) - value(xs.map((v, q) => (q === k ? v - h : v)))) /
            (2 * h)
          assert.closeTo(g[k]!, fd, 1e-6 * (1 + Math.abs(fd)))
        })
      }),
      { numRuns: 3 }
    )
  })

  it("the cotangent of output is zero where slices were written (hand-derived)", () => {
    const f = (operand: Tensor, output: Tensor) =>
      vmap(
        (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor, g: Tensor) => raggedAllToAll(a, b, c, d, e, g, "x"),
        { axisName: "x" }
      )(operand, output, ...offsets)
    const [, back] = run(vjp(f, [arr([[1, 2, 2], [3, 4, 0]]), arr([[0, 0, 0, 0], [0, 0, 0, 0]])]))
    const [dOperand, dOutput] = run(back(arr([[1, 2, 3, 4], [5, 6, 7, 8]]))) as [Tensor, Tensor]
    // instance 0 wrote rows 0 and 1, instance 1 rows 0-2
    assert.deepStrictEqual(values(dOutput), [[0, 0, 3, 4], [0, 0, 0, 8]])
    // operand rows go where they were sent: instance 0's row 0 to (0, 0), rows 1-2 to (1, 0-1);
    // instance 1's row 0 to (0, 1), row 1 to (1, 2)
    assert.deepStrictEqual(values(dOperand), [[1, 5, 6], [2, 7, 0]])
  })
})

describe("raggedAllToAll: errors", () => {
  const good = [arr([1, 2]), arr([0, 0]), i32([[0]]), i32([[1]]), i32([[0]]), i32([[1]])] as const
  const call = (...xs: ReadonlyArray<Tensor>) =>
    failure(
      vmap(
        (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor, f: Tensor) => raggedAllToAll(a, b, c, d, e, f, "x"),
        { axisName: "x", inAxes: [null, null, 0, 0, 0, 0] }
      )(xs[0]!, xs[1]!, xs[2]!, xs[3]!, xs[4]!, xs[5]!)
    ) as { readonly _tag: string; readonly message: string }

  it("offsets must be integer rank-1 arrays of equal length, a multiple of the axis size", () => {
    const e1 = call(good[0], good[1], arr([[0.5]]), good[3], good[4], good[5])
    assert.strictEqual(e1._tag, "DTypeError")
    assert.include(e1.message, "inputOffsets must be integer type, but got float64.")
    const e2 = call(good[0], good[1], good[2], good[3], np.zeros([1, 1, 1], { dtype: "int32" }), good[5])
    assert.strictEqual(e2._tag, "ShapeError")
    assert.include(e2.message, "outputOffsets must be rank 1 with positive dimension size, but got shape (1, 1).")
    const e3 = call(good[0], good[1], good[2], i32([[1, 1]]), good[4], good[5])
    assert.strictEqual(e3._tag, "ShapeError")
    assert.include(e3.message, "inputOffsets and sendSizes must have the same length, but got 1 and 2.")
  })

  it("operand and output: one dtype, equal trailing shapes; the axis must be bound", () => {
    const e1 = call(arr([1, 2]), arr([[0, 0]]), good[2], good[3], good[4], good[5])
    assert.strictEqual(e1._tag, "ShapeError")
    assert.include(e1.message, "operand and output shapes must be equal, except for the outermost dimension")
    const e2 = call(arr([1, 2]), arr([0, 0], "float32"), good[2], good[3], good[4], good[5])
    assert.strictEqual(e2._tag, "DTypeError")
    const one = arr([0], "int32")
    const unbound = thrown(() => raggedAllToAll(arr([1]), arr([0]), one, one, one, one, "y"))
    assert.strictEqual(unbound._tag, "UnboundAxisError")
  })
})
