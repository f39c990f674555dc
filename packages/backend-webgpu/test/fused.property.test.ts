/**
 * Random programs on WebGPU: compiled by jit (fused shaders, broadcast,
 * reversed, sliced and transposed inputs, reduction roots over trailing and
 * leading axes, several outputs) against
 * eager execution on the same device, within float32 rounding (fast-check).
 */
import { jit } from "@diffect/ad"
import { Backend, lax, np, toJs, withBackend } from "@diffect/core"
import type { BackendShape, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import fc from "fast-check"
import { WebGpuBackend } from "../src/index.js"
import { skipReason } from "./setup.js"

type Op = readonly [kind: number, a: number, b: number]
const unary = [
  np.sin,
  np.tanh,
  np.negative,
  np.abs,
  np.exp,
  np.floor,
  (x: Tensor) => np.multiply(x, 0.5),
  // reads folded into the fused shader: a reversal (negative strides), a slice at an offset,
  // a reshaped transpose
  (x: Tensor) => np.flip(x, { axis: 1 }),
  (x: Tensor) => lax.slice(np.concatenate([x, np.exp(x)], { axis: 1 }), [0, 3], [4, 8]),
  (x: Tensor) => np.reshape(np.transpose(np.reshape(x, [5, 4])), [4, 5])
]
const binary = [np.add, np.subtract, np.multiply, np.maximum, np.minimum]
const REDUCE = unary.length + binary.length

// values of shape [4, 5]: x, y, a row [5] and a column [4, 1] broadcast; reductions broadcast back
const program = (ops: ReadonlyArray<Op>) => (x: Tensor, y: Tensor, row: Tensor, col: Tensor): Array<Tensor> => {
  const values: Array<Tensor> = [x, y, np.add(x, row), np.multiply(y, col)]
  for (const [kind, a, b] of ops) {
    const u = values[a % values.length]!
    const v = values[b % values.length]!
    if (kind < unary.length) values.push(unary[kind]!(u))
    else if (kind < REDUCE) values.push(binary[kind - unary.length]!(u, v))
    else if (kind === REDUCE) values.push(np.add(v, np.sum(u, { axis: 1, keepdims: true })))
    else if (kind === REDUCE + 1) values.push(np.add(v, np.max(u, { axis: 0, keepdims: true })))
    else values.push(np.multiply(v, np.min(u, { axis: 1, keepdims: true })))
  }
  // several outputs: the last value, its row sums, and one earlier value
  const last = values[values.length - 1]!
  return [last, np.sum(last, { axis: 1 }), values[4 + (ops.length >> 1)]!]
}

const flat = (x: unknown): Array<number> => (Array.isArray(x) ? x.flatMap(flat) : [x as number])

const same = (a: Array<number>, b: Array<number>): boolean =>
  a.length === b.length &&
  a.every((v, i) => {
    const w = b[i]!
    if (Number.isNaN(w) || Number.isNaN(v)) return Number.isNaN(w) && Number.isNaN(v)
    if (!Number.isFinite(w) || !Number.isFinite(v)) return v === w
    return Math.abs(v - w) <= 1e-5 * Math.max(1, Math.abs(w))
  })

// Within one shader the GPU's compiler may reassociate `y * col * 0.5` or skip the rounding in
// between (separate kernels round at every store), so compiled and eager agree within float32 rounding,
// not bit for bit. Near zero that rounding is a whole subnormal: llvmpipe gave -2^-149 fused and
// -0 unfused for y = 10 * 2^-149, col = -0.1 (seed 1983176115), and `floor` made it -1 against 0.
// Inputs are zero or at least 2^-20 in magnitude, so that the programs' values stay normal.
const values = (n: number) =>
  fc.array(
    fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }).map((v) =>
      Math.abs(v) < 2 ** -20 ? (Object.is(v, -0) || v < 0 ? -0 : 0) : v
    ),
    { minLength: n, maxLength: n }
  )

describe.skipIf(skipReason !== undefined)("jit on WebGPU: random programs", () => {
  it.effect("compiled equals eager within float32 rounding (fast-check)", () =>
    Effect.scoped(Effect.gen(function*() {
      const backend: BackendShape = Context.get(yield* Layer.build(WebGpuBackend.layer), Backend)
      const run = <A>(effect: Effect.Effect<A, unknown, Backend>) =>
        Effect.runPromise(Effect.provideService(effect, Backend, backend))
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(fc.nat(REDUCE + 2), fc.nat(60), fc.nat(60)), { minLength: 1, maxLength: 10 }),
            values(20),
            values(20),
            values(5),
            values(4),
            async (ops, xs, ys, rs, cs) => {
              const f = program(ops)
              const [x, y, row, col] = withBackend(backend, () => [
                np.reshape(np.array(xs), [4, 5]),
                np.reshape(np.array(ys), [4, 5]),
                np.array(rs),
                np.reshape(np.array(cs), [4, 1])
              ])
              const eager = await run(toJs(withBackend(backend, () => f(x!, y!, row!, col!))))
              const compiled = await run(Effect.flatMap(jit(f)(x!, y!, row!, col!), toJs))
              const [a, b] = [flat(compiled), flat(eager)]
              assert.isTrue(same(a, b), `jit ${JSON.stringify(a)}\neager ${JSON.stringify(b)}`)
            }
          ),
          { numRuns: 60 }
        )
      )
    })), 240_000)
})
