/**
 * Shared by the WebGPU tests: whether WebGPU works here (@diffect/test-utils), a
 * way to force garbage collection, float32 ulps, and a function run on a backend.
 */
import { np, toJs, withBackend } from "@diffect/core"
import type { BackendShape, Tensor } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { Effect } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

/** Why the WebGPU tests are skipped on this machine (`undefined`: they run). */
export const skipReason: string | undefined = await Backends.webGpuSkipReason()

/**
 * Forces a full garbage collection: `global.gc` under `--expose-gc`, else one
 * obtained by enabling the flag at run time (V8 then exposes `gc` to new contexts).
 */
export const gc: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

/** The error of `got` against the float64 `exact`, in float32 ulps of `exact` (subnormal spacing below 2^-126). */
export const ulps = (got: number, exact: number): number => {
  const e = Math.abs(exact)
  const exponent = e < 2 ** -126 ? -126 : Math.floor(Math.log2(e))
  return Math.abs(got - exact) / 2 ** (exponent - 23)
}

/** `f` of the float32 values `xs` on `backend`, read back as numbers. */
export const runOn = (
  backend: BackendShape,
  f: (x: Tensor) => Tensor,
  xs: Float32Array
): Effect.Effect<Array<number>, unknown> =>
  toJs(withBackend(backend, () => f(np.array(xs)))) as Effect.Effect<Array<number>, unknown>

/** Lets FinalizationRegistry callbacks run after a collection. */
export const collect = Effect.promise(async () => {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
})
