/**
 * Random programs on WebGPU: compiled by jit (fused shaders, broadcast,
 * reversed, sliced and transposed inputs, reduction roots over trailing and
 * leading axes, several outputs) against
 * eager execution on the same device, within float32 rounding (fast-check).
 */
import { jit } from "@diffect/ad"
import { Backend, toJs, withBackend } from "@diffect/core"
import type { BackendShape } from "@diffect/core"
import { agree, caseArbitrary, caseArgs, flat, program } from "@diffect/test-utils/RandomPrograms"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import fc from "fast-check"
import { WebGpuBackend } from "../src/index.js"
import { skipReason } from "./setup.js"

describe.skipIf(skipReason !== undefined)("jit on WebGPU: random programs", () => {
  it.effect("compiled equals eager within float32 rounding (fast-check)", () =>
    Effect.scoped(Effect.gen(function*() {
      const backend: BackendShape = Context.get(yield* Layer.build(WebGpuBackend.layer), Backend)
      const run = <A>(effect: Effect.Effect<A, unknown, Backend>) =>
        Effect.runPromise(Effect.provideService(effect, Backend, backend))
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            caseArbitrary,
            async (c) => {
              const f = program(c.ops)
              const [x, y, row, col] = withBackend(backend, () => caseArgs(c))
              const eager = await run(toJs(withBackend(backend, () => f(x, y, row, col))))
              const compiled = await run(Effect.flatMap(jit(f)(x, y, row, col), toJs))
              const [a, b] = [flat(compiled), flat(eager)]
              assert.isTrue(agree(a, b), `jit ${JSON.stringify(a)}\neager ${JSON.stringify(b)}`)
            }
          ),
          { numRuns: 60 }
        )
      )
    })), 240_000)
})
