/**
 * `lax.whileLoop` on every backend: the CPU backend reads the predicate once
 * per iteration and runs the loop, eagerly or compiled. WebGPU reads values
 * only asynchronously: a jitted loop run as an Effect waits for one read per
 * iteration; an eager loop (synchronous `lax`) is a typed `BackendError` there
 * (documented in docs/guide/control-flow.md) rather than a wrong value.
 */
import { jit, jvp } from "@diffect/ad"
import { Backend, BackendError, lax, np, toJs, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { backends } from "./env.js"

// x <- 2x + 1 while x < 50, from 1: 1, 3, 7, 15, 31, 63 (5 iterations); d/dx = 2^5
const loop = (x: Tensor) => lax.whileLoop((v: Tensor) => np.less(v, 50), (v: Tensor) => np.add(np.multiply(v, 2), 1), x)

for (const target of backends) {
  describe.skipIf(target.skip !== undefined)(`whileLoop on ${target.name}`, () => {
    layer(target.layer, { timeout: "60 seconds" })((it) => {
      it.effect("runs the loop (CPU) or fails with BackendError (WebGPU)", () =>
        Effect.gen(function*() {
          const backend = yield* Backend
          const attempt = Effect.try({
            try: () => withBackend(backend, () => loop(np.array(1))),
            catch: (e) => e
          })
          // compiled: one read per iteration, waited for where the backend reads asynchronously
          assert.strictEqual(yield* toJs(yield* jit(loop)(np.array(1))), 63)
          const tangent = jit((x: Tensor) => jvp(loop, [x], [np.array(1)]))
          const [, t] = yield* tangent(np.array(1))
          assert.strictEqual(yield* toJs(t), 32)
          if (backend.readSync === undefined) {
            const error = yield* Effect.flip(attempt)
            assert.instanceOf(error, BackendError)
            assert.include((error as BackendError).message, "lax.whileLoop reads its predicate back on every iteration")
            return
          }
          const y = yield* attempt
          assert.strictEqual(yield* toJs(y), 63)
        }))
    })
  })
}
