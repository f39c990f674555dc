import { assert, layer } from "@effect/vitest"
import { np, type Tensor, toJsSync, Tree, vmap } from "diffect"
import { type Backend, runSync } from "diffect"
import { Effect } from "effect"
import { Mesh, pmap } from "../src/index.js"
import {
  axesProbe,
  collectives,
  divergentCond,
  divergentWhile,
  gatherScatter,
  gradMean,
  gradReduced,
  psumInJit,
  stagedCollectives,
  treeCollectives
} from "./fixtures/steps.js"

// The raw elements of a tensor, for bit-for-bit comparisons (Object.is tells -0 from 0 and NaN from NaN).
const bits = (t: unknown): Array<number> => [toJsSync(t as Tensor)].flat(4) as Array<number>
const sameBits = (actual: unknown, expected: unknown): void => {
  const a = bits(actual)
  const e = bits(expected)
  assert.strictEqual(a.length, e.length)
  a.forEach((v, i) => assert.isTrue(Object.is(v, e[i]), `element ${i}: ${v} !== ${e[i]}`))
}

// Inputs whose float sums round differently in different orders.
const data = (n: number, dtype: "float32" | "float64") =>
  np.array(
    Array.from({ length: n }, (_, i) => [Math.sin(i + 1) * 1e3, 1 / (i + 3), Math.cos(7 * i) * 1e-3]),
    { dtype }
  )

// One mesh for the whole file: a worker's first call loads diffect (seconds from TypeScript sources).
layer(Mesh.layer({ workers: 2 }), { timeout: 120_000 })("pmap on a mesh of worker threads", (it) => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of [2, 8]) {
      it.effect(`collectives equal vmap's bit for bit (${dtype}, axis of ${n} over 2 workers)`, () =>
        Effect.gen(function*() {
          const x = data(n, dtype)
          const out = yield* pmap(collectives, { axisName: "i" })(x)
          const expected = runSync(vmap(collectives.f, { axisName: "i" })(x))
          for (const key of ["sum", "mean", "max", "min", "index", "centered"] as const) {
            sameBits(out[key], expected[key])
          }
          // and the values are what they should be: the index counts across workers
          assert.deepStrictEqual(bits(out.index), Array.from({ length: n }, (_, i) => i))
        }))
    }
  }

  for (const n of [2, 8]) {
    it.effect(`collectives over pytrees (leaves reduced together, and one by one) equal vmap's bit for bit (axis of ${n})`, () =>
      Effect.gen(function*() {
        const x = data(n, "float32")
        const out = yield* pmap(treeCollectives, { axisName: "i" })(x)
        const expected = runSync(vmap(treeCollectives.f, { axisName: "i" })(x))
        const [got, gotDef] = Tree.flatten(out)
        const [want, wantDef] = Tree.flatten(expected)
        assert.isTrue(Tree.treedefEquals(gotDef, wantDef), `${gotDef} vs ${wantDef}`)
        assert.strictEqual(got.length, 19)
        got.forEach((leaf, i) => {
          assert.strictEqual((leaf as Tensor).dtype, (want[i] as Tensor).dtype)
          sameBits(leaf, want[i])
        })
        // and what they should be: psum of the constant leaves is n copies, pmean of x its column means
        assert.deepStrictEqual(bits(out.sum.c), Array(n).fill(2.5 * n))
        const xs = toJsSync(x) as Array<Array<number>>
        const means = bits(out.mean.e)
        for (let j = 0; j < 3; j++) {
          assert.closeTo(means[j]!, xs.reduce((s, row) => s + row[j]!, 0) / n, 1e-9 * (1 + Math.abs(means[j]!)))
        }
      }))
  }

  it.effect("pmap(valueAndGrad(loss, { reduceAxes })) equals vmap's gradient, and the summed gradient", () =>
    Effect.gen(function*() {
      const w = np.array([0.5, -1.25, 2], { dtype: "float64" })
      const x = data(8, "float64")
      const y = np.array([1, 2, 3, 4, 5, 6, 7, 8], { dtype: "float64" })
      const [value, g] = yield* pmap(gradReduced, { axisName: "i", inAxes: [null, 0, 0] })(w, x, y)
      const [ev, eg] = runSync(vmap(gradReduced.f, { axisName: "i", inAxes: [null, 0, 0] })(w, x, y))
      sameBits(value, ev)
      sameBits(g, eg)
      // reduceAxes sums the replicated w's gradient over all 8 examples: grad of sum_i loss_i
      // = sum_i 2 (w . x_i - y_i) x_i, written out in float64
      const ws = bits(w)
      const xs = toJsSync(x) as Array<Array<number>>
      const ys = bits(y)
      const total = [0, 0, 0]
      xs.forEach((xi, i) => {
        const err = xi.reduce((s, v, j) => s + v * ws[j]!, 0) - ys[i]!
        xi.forEach((v, j) => total[j] += 2 * err * v)
      })
      const gs = bits(g)
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 3; j++) assert.closeTo(gs[i * 3 + j]!, total[j]!, 1e-9 * Math.abs(total[j]!))
      }
    }))

  it.effect("pmean of per-shard gradients (outAxes: null) equals vmap's", () =>
    Effect.gen(function*() {
      const w = np.array([0.5, -1.25, 2], { dtype: "float32" })
      const x = data(4, "float32")
      const y = np.array([1, 2, 3, 4], { dtype: "float32" })
      const out = yield* pmap(gradMean, { axisName: "i", inAxes: [null, 0, 0], outAxes: null })(w, x, y)
      const expected = runSync(vmap(gradMean.f, { axisName: "i", inAxes: [null, 0, 0], outAxes: null })(w, x, y))
      sameBits(out.value, expected.value)
      sameBits(out.grad, expected.grad)
    }))

  for (const dtype of ["float32", "float64"] as const) {
    it.effect(`inAxes/outAxes: any axis, per-argument pytrees, negative axes, equal vmap's bit for bit (${dtype})`, () =>
      Effect.gen(function*() {
        const grid = (rows: number, cols: number, seed: number) =>
          np.array(
            Array.from(
              { length: rows },
              (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + 3 * i + j) * 10 ** (j % 3))
            ),
            { dtype }
          )
        const t = { a: grid(3, 4, 1), b: grid(4, 2, 2) }
        const c = grid(5, 4, 3)
        const specs = {
          axisName: "i",
          inAxes: [{ a: 1, b: 0 }, -1],
          outAxes: { sum: 1, scaled: -1, index: 0 }
        } as const
        const out = yield* pmap(axesProbe, specs)(t, c)
        const expected = runSync(vmap(axesProbe.f, specs)(t, c))
        assert.deepStrictEqual(out.sum.shape, [3, 4])
        assert.deepStrictEqual(out.scaled.shape, [5, 4])
        for (const key of ["sum", "scaled", "index"] as const) sameBits(out[key], expected[key])
        // by hand: column j of sum is a[:, j] + sum(b[j, :])
        const a = toJsSync(t.a) as Array<Array<number>>
        const b = toJsSync(t.b) as Array<Array<number>>
        const sum = toJsSync(out.sum) as Array<Array<number>>
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 4; j++) {
            assert.closeTo(sum[i]![j]!, a[i]![j]! + b[j]![0]! + b[j]![1]!, 1e-4 * (1 + Math.abs(sum[i]![j]!)))
          }
        }
        assert.deepStrictEqual(bits(out.index), [0, 1, 2, 3])

        // A spec that is not a prefix of its argument, or a bad leaf, is a typed error.
        const notPrefix = yield* Effect.flip(pmap(axesProbe, { axisName: "i", inAxes: [[0, 1], 0] })(t, c))
        assert.strictEqual(notPrefix._tag, "PmapArgumentError")
        assert.include(notPrefix.message, "the specification at argument 0 is an array of 2 entries")
        const outOfBounds = yield* Effect.flip(pmap(axesProbe, { axisName: "i", inAxes: [{ a: 2, b: 0 }, 1] })(t, c))
        assert.strictEqual(
          outOfBounds.message,
          "pmap: axis 2 is out of bounds for the argument at argument 0['a'] of 2 dimensions"
        )
        const badOut = yield* Effect.flip(pmap(axesProbe, { axisName: "i", inAxes: [0, 1], outAxes: 0.5 })(t, c))
        assert.include(badOut.message, "outAxes leaves are integers (axes), null or \"resident\"")
      }))
  }

  for (const [dtype, n] of [["float32", 2], ["float64", 2], ["float32", 4]] as const) {
    it.effect(`collectives inside jit, scan, cond, whileLoop, checkpoint and custom rules, and grad through them, equal vmap's (${dtype}, axis of ${n} over 2 workers)`, () =>
      Effect.gen(function*() {
        const x = data(n, dtype)
        const out = yield* pmap(stagedCollectives, { axisName: "i" })(x)
        const expected = runSync(
          vmap(stagedCollectives.f, { axisName: "i" })(x) as Effect.Effect<typeof out, unknown, Backend>
        )
        const [got, gotDef] = Tree.flatten(out)
        const [want, wantDef] = Tree.flatten(expected)
        assert.isTrue(Tree.treedefEquals(gotDef, wantDef), `${gotDef} vs ${wantDef}`)
        assert.strictEqual(got.length, 34)
        got.forEach((leaf, i) => sameBits(leaf, want[i]))
        // the staged collectives are the eager ones
        const close = (a: unknown, b: unknown) => {
          const [as] = Tree.flatten(a)
          const [bs] = Tree.flatten(b)
          as.forEach((t, i) => {
            const u = bits(t)
            const v = bits(bs[i])
            u.forEach((e, j) => {
              if (e !== v[j]) assert.closeTo(e, v[j]!, 1e-5 * (1 + Math.abs(v[j]!)), `leaf ${i}, element ${j}`)
            })
          })
        }
        close(out.jitted, out.eager)
        close(out.control, out.controlEager)
        // and what they should be
        const xs = toJsSync(x) as Array<Array<number>>
        const col = (j: number) => xs.map((r) => r[j]!)
        const sum = (v: Array<number>) => v.reduce((a, b) => a + b, 0)
        const sumSin = Array.from({ length: 3 }, (_, j) => sum(col(j).map(Math.sin)))
        for (const r of [0, 1]) {
          bits(out.jitted.sum as Tensor).slice(3 * r, 3 * r + 3).forEach((v, j) =>
            assert.closeTo(v, sumSin[j]!, 1e-4 * (1 + Math.abs(sumSin[j]!)))
          )
        }
        assert.deepStrictEqual(bits(out.control.count), Array(n).fill(3))
        const totals = bits(out.control.total)
        totals.forEach((v, k) => assert.closeTo(v, 6 * sum(col(k % 3)), 1e-3 * (1 + Math.abs(v))))
      }))
  }

  for (const [dtype, n] of [["float32", 2], ["float64", 2], ["float32", 4]] as const) {
    it.effect(`allGather, psumScatter, ppermute, allToAll and raggedAllToAll across workers equal vmap's bit for bit (${dtype}, axis of ${n})`, () =>
      Effect.gen(function*() {
        const x = data(n, dtype)
        const out = yield* pmap(gatherScatter, { axisName: "i" })(x)
        const expected = runSync(
          vmap(gatherScatter.f, { axisName: "i" })(x) as Effect.Effect<typeof out, unknown, Backend>
        )
        const [got] = Tree.flatten(out)
        const [want] = Tree.flatten(expected)
        assert.strictEqual(got.length, 18)
        got.forEach((leaf, i) => sameBits(leaf, want[i]))
        // and what they are: every instance holds the whole axis; the ring shift moves rows by one
        const rows = toJsSync(x) as Array<Array<number>>
        assert.deepStrictEqual(toJsSync(out.eager.gathered), Array.from({ length: n }, () => rows))
        const ring = toJsSync(out.jitted.ring) as Array<Array<number>>
        ring.forEach((row, k) => assert.deepStrictEqual(row, rows[(k + n - 1) % n]))
        // every instance holds the last instance's cos(row)
        const last = toJsSync(np.cos(np.take(x, n - 1, { axis: 0 }))) as Array<number>
        ;(toJsSync(out.eager.fromLast) as Array<Array<number>>).forEach((row) =>
          row.forEach((v, c) => assert.closeTo(v, last[c]!, 1e-6 * (1 + Math.abs(last[c]!))))
        ) // raggedAllToAll: every instance holds each instance's first element at that instance's row
        ;(toJsSync(out.jitted.ragged) as Array<Array<number>>).forEach((row) =>
          assert.deepStrictEqual(row, [...rows.map((r) => r[0]!), 0])
        )
        // instance j receives every instance i's multiple (j + 1) of its row, at index i (swapped)
        // or along the second axis (transposed)
        const swapped = toJsSync(out.jitted.swapped) as Array<Array<Array<number>>>
        const transposed = toJsSync(out.eager.transposed) as Array<Array<Array<number>>>
        swapped.forEach((block, j) =>
          block.forEach((row, i) =>
            row.forEach((v, c) => {
              const want = rows[i]![c]! * (j + 1)
              assert.closeTo(v, want, 1e-6 * Math.abs(want))
              assert.strictEqual(transposed[j]![c]![i], v)
            })
          )
        )
      }))
  }

  it.effect("staged control flow that takes a collective on some workers only is a typed error, not a hang", () =>
    Effect.gen(function*() {
      // worker 0's row sums to 2 (the psum branch, and 2 trips), worker 1's to -2 (no psum, no trip)
      const x = np.array([[1, 1], [-1, -1]])
      for (const remote of [divergentCond, divergentWhile]) {
        const error = yield* Effect.flip(pmap(remote, { axisName: "i" })(x).pipe(Effect.timeout("60 seconds")))
        assert.strictEqual(error._tag, "CollectiveMismatchError", error.message)
        assert.include(error.message, "that another worker never applies")
      }
      // the same functions where every worker takes the same way
      const same = yield* pmap(divergentCond, { axisName: "i" })(np.array([[1, 1], [2, 2]]))
      assert.deepStrictEqual(toJsSync(same), [[3, 3], [3, 3]])
    }))

  it.effect("a worker's jitted collective runs its program in compiled pieces: one trace, then cached", () =>
    Effect.gen(function*() {
      const x = np.array([[1, 2, 3], [4, 5, 6]])
      for (let k = 0; k < 3; k++) {
        const out = yield* pmap(psumInJit, { axisName: "i" })(x)
        assert.deepStrictEqual(toJsSync(out), [[5, 7, 9], [5, 7, 9]])
      }
    }))
})

// Rows of `width` values whose sums round differently in different orders: column 0 is 2^53, 1,
// 1, ... (in float64, 2^53 + 1 + 1 is 2^53 but 1 + 1 + 2^53 is 2^53 + 2).
const wide = (n: number, width: number, dtype: "float32" | "float64") =>
  np.array(
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: width }, (_, j) =>
        j === 0 ? (i === 0 ? 2 ** 53 : 1) : Math.sin(i * width + j + 1) * 10 ** (j % 7 - 3))),
    { dtype }
  )

// Three workers and slots of 64 bytes: each all-reduce is split in uneven shares (41 elements in
// 14, 14 and 13; a one-element leaf in two empty shares and one), and payloads larger than a slot
// go through in chunks, each reduced share by share.
layer(Mesh.layer({ workers: 3, slotBytes: 64 }), { timeout: 120_000 })("pmap on three workers, small slots", (it) => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of [3, 6]) {
      it.effect(`collectives equal vmap's bit for bit (${dtype}, axis of ${n} over 3 workers, 41 columns)`, () =>
        Effect.gen(function*() {
          const x = wide(n, 41, dtype)
          const out = yield* pmap(collectives, { axisName: "i" })(x)
          const expected = runSync(vmap(collectives.f, { axisName: "i" })(x))
          for (const key of ["sum", "mean", "max", "min", "index", "centered"] as const) {
            sameBits(out[key], expected[key])
          }
          const xs = toJsSync(x) as Array<Array<number>>
          const sums = bits(out.sum)
          for (let j = 0; j < 41; j++) {
            const want = xs.reduce((s, row) => s + row[j]!, 0)
            assert.closeTo(sums[j]!, want, 1e-5 * (1 + Math.abs(want)))
          }
        }))
    }
  }

  it.effect("collectives over pytrees equal vmap's bit for bit (axis of 3, leaves of 1 to 41 elements)", () =>
    Effect.gen(function*() {
      for (const width of [1, 2, 41]) {
        const x = wide(3, width, "float32")
        const [got] = Tree.flatten(yield* pmap(treeCollectives, { axisName: "i" })(x))
        const [want] = Tree.flatten(runSync(vmap(treeCollectives.f, { axisName: "i" })(x)))
        assert.strictEqual(got.length, want.length)
        got.forEach((leaf, i) => sameBits(leaf, want[i]))
      }
    }))
})
