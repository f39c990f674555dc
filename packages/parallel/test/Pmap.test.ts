import { assert, layer } from "@effect/vitest"
import { np, type Tensor, toJsSync, vmap } from "diffect"
import { runSync } from "diffect"
import { Effect } from "effect"
import { Mesh, pmap } from "../src/index.js"
import { collectives, gradMean, gradReduced, psumInJit } from "./fixtures/steps.js"

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

  it.effect("a collective over the worker axis inside jit is a CollectiveTracedError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(pmap(psumInJit, { axisName: "i" })(np.ones([2, 3])))
      assert.strictEqual(error._tag, "CollectiveTracedError", error.message)
    }))
})
