/**
 * Property tests: random shapes, axes, permutations, slices and paddings run on
 * the WebGPU backend and on the typed-array backend must agree exactly. The
 * data are small integers in float32, so sums and products of a few terms are
 * exact and any difference is a kernel bug, not rounding.
 */
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend, lax, np } from "@diffect/core"
import type { BackendShape, Tensor } from "@diffect/core"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import fc from "fast-check"
import { runCase } from "./compare.js"
import { backends } from "./env.js"

const reference = makeTypedArrayBackend()
const webgpu = backends.find((b) => b.name === "webgpu")!

const shapeArb = (minRank: number, maxRank: number, maxDim = 4) =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank })

const sizeOf = (shape: ReadonlyArray<number>) => shape.reduce((a, b) => a * b, 1)

// Small integers (exact in float32 sums) from a seed, in the given shape.
const data = (shape: ReadonlyArray<number>, seed: number): Tensor =>
  np.reshape(
    np.array(Array.from({ length: sizeOf(shape) }, (_, k) => ((k * 7 + seed * 13) % 11) - 5)),
    [...shape]
  )

const same = (backend: BackendShape, run: () => Tensor) =>
  Effect.gen(function*() {
    const got = yield* runCase(backend, run)
    const want = yield* runCase(reference, run)
    assert.deepStrictEqual([...got.shape], [...want.shape])
    assert.deepStrictEqual(got.data, want.data)
  })

// Runs a property whose body is an Effect on the backend under test.
const check = <T>(arb: fc.Arbitrary<T>, body: (t: T) => Effect.Effect<void, unknown>) =>
  Effect.promise(() => fc.assert(fc.asyncProperty(arb, (t) => Effect.runPromise(body(t))), { numRuns: 40 }))

describe.skipIf(webgpu.skip !== undefined)("WebGPU agrees with typed-array on random shapes", () => {
  layer(WebGpuBackend.layer, { timeout: "60 seconds" })((it) => {
    it.effect("transpose by any permutation", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 5).chain((shape) =>
          fc.shuffledSubarray(shape.map((_, d) => d), { minLength: shape.length, maxLength: shape.length })
            .map((perm) => ({ shape, perm }))
        )
        yield* check(arb, ({ shape, perm }) => same(backend, () => lax.transpose(data(shape, 1), perm)))
      }), 120_000)

    it.effect("reductions over any subset of axes", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 4, 5).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axes: fc.subarray(shape.map((_, d) => d)),
            op: fc.constantFrom("sum", "max", "min", "prod")
          })
        )
        yield* check(arb, ({ axes, op, shape }) =>
          same(backend, () => {
            const x = op === "prod" ? lax.sign(data(shape, 2)) : data(shape, 2)
            return op === "sum"
              ? lax.reduceSum(x, axes)
              : op === "max"
              ? lax.reduceMax(x, axes)
              : op === "min"
              ? lax.reduceMin(x, axes)
              : lax.reduceProd(x, axes)
          }))
      }), 120_000)

    it.effect("long rows reduce through chunked partials", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = fc.record({ rows: fc.integer({ min: 1, max: 3 }), len: fc.integer({ min: 65, max: 9000 }) })
        yield* check(arb, ({ len, rows }) => same(backend, () => lax.reduceSum(data([rows, len], 3), [1])))
      }), 120_000)

    it.effect("slices with strides", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 4, 6).chain((shape) =>
          fc.tuple(
            ...shape.map((n) =>
              fc.tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: 3 }))
                .map(([a, b, s]) => [Math.min(a, b), Math.max(a, b), s] as const)
            )
          ).map((spec) => ({ shape, spec }))
        )
        yield* check(arb, ({ shape, spec }) =>
          same(backend, () =>
            lax.slice(
              data(shape, 4),
              spec.map(([a]) => a),
              spec.map(([, b]) => b),
              spec.map(([, , s]) => s)
            )))
      }), 120_000)

    it.effect("pad with negative, positive and interior padding", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 3, 4).chain((shape) =>
          fc.tuple(
            ...shape.map((n) =>
              fc.tuple(fc.integer({ min: -2, max: 3 }), fc.integer({ min: -2, max: 3 }), fc.integer({ min: 0, max: 2 }))
                .filter(([lo, hi, interior]) => lo + hi + n + (n - 1) * interior >= 0)
            )
          ).map((config) => ({ shape, config }))
        )
        yield* check(arb, ({ config, shape }) => same(backend, () => lax.pad(data(shape, 5), np.array(9), config)))
      }), 120_000)

    it.effect("broadcast_in_dim, rev and concatenate", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 4).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            revDims: fc.subarray(shape.map((_, d) => d)),
            lead: fc.integer({ min: 1, max: 3 }),
            axis: fc.integer({ min: 0, max: shape.length - 1 })
          })
        )
        yield* check(arb, ({ axis, lead, revDims, shape }) =>
          Effect.gen(function*() {
            yield* same(backend, () => lax.broadcastInDim(data(shape, 6), [lead, ...shape], shape.map((_, d) => d + 1)))
            yield* same(backend, () => lax.rev(data(shape, 7), revDims))
            yield* same(backend, () => lax.concatenate([data(shape, 8), lax.rev(data(shape, 9), [axis])], axis))
          }))
      }), 120_000)

    it.effect("gather and scatter_add with clamped indices", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 3).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axis: fc.integer({ min: 0, max: shape.length - 1 }),
            indices: fc.array(fc.integer({ min: -3, max: 7 }), { minLength: 1, maxLength: 6 })
          })
        )
        yield* check(arb, ({ axis, indices, shape }) =>
          Effect.gen(function*() {
            const idx = () => np.array(indices, { dtype: "int32" })
            yield* same(backend, () => lax.gather(data(shape, 10), idx(), axis))
            const updates = [...shape.slice(0, axis), indices.length, ...shape.slice(axis + 1)]
            yield* same(backend, () => lax.scatterAdd(data(shape, 11), idx(), data(updates, 12), axis))
          }))
      }), 120_000)

    it.effect("dot_general with any batch and contracting dimensions", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        // lhs dims: batch b, free m, contracting k in a random order; rhs: batch, contracting, free n.
        const arb = fc.record({
          b: fc.integer({ min: 1, max: 3 }),
          m: fc.integer({ min: 1, max: 9 }),
          k: fc.integer({ min: 1, max: 9 }),
          n: fc.integer({ min: 1, max: 9 }),
          lhsOrder: fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
          rhsOrder: fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 })
        })
        yield* check(arb, ({ b, k, lhsOrder, m, n, rhsOrder }) => {
          const lhsSizes = [b, m, k]
          const rhsSizes = [b, k, n]
          const lhsShape = lhsOrder.map((d) => lhsSizes[d]!)
          const rhsShape = rhsOrder.map((d) => rhsSizes[d]!)
          return same(backend, () =>
            lax.dotGeneral(
              data(lhsShape, 13),
              data(rhsShape, 14),
              [[lhsOrder.indexOf(2)], [rhsOrder.indexOf(1)]],
              [[lhsOrder.indexOf(0)], [rhsOrder.indexOf(0)]]
            ))
        })
      }), 120_000)

    it.effect("argmax/argmin along any axis, short and long lines", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = fc.oneof(
          shapeArb(1, 3, 6),
          fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1025, max: 6000 })).map(([r, n]) => [r, n])
        ).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axis: fc.integer({ min: 0, max: shape.length - 1 }),
            max: fc.boolean(),
            seed: fc.integer({ min: 0, max: 50 })
          })
        )
        yield* check(arb, ({ axis, max, seed, shape }) =>
          same(backend, () => (max ? lax.argmax : lax.argmin)(data(shape, seed), axis)))
      }), 120_000)

    it.effect("cumsum along any axis, both directions", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const arb = shapeArb(1, 3, 6).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axis: fc.integer({ min: 0, max: shape.length - 1 }),
            reverse: fc.boolean()
          })
        )
        yield* check(arb, ({ axis, reverse, shape }) => same(backend, () => lax.cumsum(data(shape, 15), axis, reverse)))
      }), 120_000)
  })
})
