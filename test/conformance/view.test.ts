/**
 * One View on both backends: a random chain of transpose, broadcast_in_dim,
 * rev, slice, pad and reshape run op by op on each backend equals the chain
 * composed into one View (core/src/View.ts) and read element by element. And
 * the kernels share View's handling of negative dimensions, where the two
 * backends' own copies used to disagree.
 */
import { aval, Backend, lax, np } from "@diffect/core"
import type { BackendShape, Tensor } from "@diffect/core"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import fc from "fast-check"
import { chainArb, composeChain, iotaFlat, PAD, readView } from "../../packages/core/test/viewOps.js"
import type { ViewOp } from "../../packages/core/test/viewOps.js"
import { runCase } from "./compare.js"
import { backends } from "./env.js"

const f32 = (v: number | ReadonlyArray<number>) => np.array(v as number, { dtype: "float32" })

const step = (x: Tensor, op: ViewOp): Tensor => {
  switch (op.kind) {
    case "transpose":
      return lax.transpose(x, op.permutation)
    case "broadcast":
      return lax.broadcastInDim(x, op.shape, op.dims)
    case "rev":
      // lax.rev takes non-negative dimensions (as JAX's does); View normalizes.
      return lax.rev(x, op.dimensions.map((d) => (d < 0 ? d + x.shape.length : d)))
    case "slice":
      return lax.slice(x, op.startIndices, op.limitIndices, op.strides)
    case "pad":
      return lax.pad(x, f32(PAD), op.config)
    case "reshape":
      return lax.reshape(x, op.shape)
  }
}

/** Runs `primitive` directly on the backend (no abstract evaluation) and reads the result. */
const execute = (
  backend: BackendShape,
  primitive: "rev" | "concatenate",
  inputs: ReadonlyArray<{ readonly data: ReadonlyArray<number>; readonly shape: ReadonlyArray<number> }>,
  params: { readonly dimensions: ReadonlyArray<number> } | { readonly dimension: number },
  outShape: ReadonlyArray<number>
) =>
  Effect.suspend(() => {
    const avals = inputs.map((x) => aval(x.shape, "float32"))
    const buffers = inputs.map((x, i) => backend.fromHost(new Float32Array(x.data), avals[i]!))
    const out = aval(outShape, "float32")
    const [b] = backend.execute(primitive, buffers, avals, params as never, [out])
    return Effect.map(backend.read(b!, out), (host) => Array.from(host as Float32Array))
  })

for (const b of backends) {
  describe.skipIf(b.skip !== undefined)(`View on ${b.name}`, () => {
    layer(b.layer, { timeout: "60 seconds" })((it) => {
      it.effect("a chain of shape ops run one by one equals its composed view", () =>
        Effect.gen(function*() {
          const backend = yield* Backend
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(chainArb(5), ({ ops, shape }) =>
                Effect.runPromise(Effect.gen(function*() {
                  const x = iotaFlat(shape)
                  const composed = composeChain(x, ops)
                  const want = readView(composed.view, composed.src)
                  const got = yield* runCase(backend, () => ops.reduce(step, lax.reshape(f32(x.data), shape)))
                  assert.deepStrictEqual([...got.shape], [...want.shape])
                  assert.deepStrictEqual(got.data, want.data)
                }))),
              { numRuns: b.name === "webgpu" ? 40 : 150 }
            )
          )
        }), 180_000)

      it.effect("rev and concatenate count negative dimensions from the end", () =>
        Effect.gen(function*() {
          const backend = yield* Backend
          const x = { data: [0, 1, 2, 3, 4, 5], shape: [2, 3] }
          assert.deepStrictEqual(yield* execute(backend, "rev", [x], { dimensions: [-1] }, [2, 3]), [2, 1, 0, 5, 4, 3])
          assert.deepStrictEqual(yield* execute(backend, "rev", [x], { dimensions: [-2, 1] }, [2, 3]), [
            5,
            4,
            3,
            2,
            1,
            0
          ])
          const y = { data: [6, 7], shape: [2, 1] }
          assert.deepStrictEqual(yield* execute(backend, "concatenate", [x, y], { dimension: -1 }, [2, 4]), [
            0,
            1,
            2,
            6,
            3,
            4,
            5,
            7
          ])
        }))
    })
  })
}
