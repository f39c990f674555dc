// The differentiation API on every backend (the typed-array reference and WebGPU,
// when an adapter is available): the same JAX-documented values, read back with
// toJs (asynchronous on WebGPU), with the backend taken from the Effect context.
import { customVjp, grad, hessian, jacfwd, jacrev, jit, jvp, linearize, valueAndGrad, vjp, vmap } from "@diffect/ad"
import { debug, ioCallback, np, pureCallback, ShapeDtypeStruct, toJs, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { backends } from "../conformance/env.js"
import { expect } from "./parity.js"

const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => np.sum(np.square(np.add(np.multiply(x, p.w), p.b)))

for (const target of backends) {
  describe.skipIf(target.skip !== undefined)(`differentiation API on ${target.name}`, () => {
    layer(target.layer, { timeout: "60 seconds" })((it) => {
      it.effect("valueAndGrad of a pytree loss: 34, { b: 16, w: 26 }", () =>
        Effect.gen(function*() {
          const r = yield* valueAndGrad(loss)({ w: np.array(2), b: np.array(1) }, np.array([1, 2]))
          expect.close(yield* toJs(r), [34, { b: 16, w: 26 }])
        }))

      it.effect("nested grad, jvp, vjp, linearize", () =>
        Effect.gen(function*() {
          expect.close(yield* toJs(yield* grad(grad(np.sin))(np.array(1))), -Math.sin(1), 1e-6)
          expect.close(
            yield* toJs(yield* jvp(np.sin, [np.array(0.1)], [np.array(0.2)])),
            [0.09983342, 0.19900084],
            1e-6
          )
          const [, pullback] = yield* vjp((x: Tensor, y: Tensor) => np.multiply(x, y), [np.array(3), np.array(4)])
          expect.close(yield* toJs(yield* pullback(np.array(1))), [4, 3])
          const [, fJvp] = yield* linearize((x: Tensor) => np.multiply(x, x), [np.array([1, 2])])
          expect.close(yield* toJs(yield* fJvp(np.array([1, 1]))), [2, 4])
        }))

      it.effect("jacfwd, jacrev (vmap over the basis) and hessian", () =>
        Effect.gen(function*() {
          const f = (x: Tensor) => np.stack([np.multiply(x.at(0), x.at(1)), np.sin(x.at(0))])
          const expected = [[2, 1], [Math.cos(1), 0]]
          expect.close(yield* toJs(yield* jacfwd(f)(np.array([1, 2]))), expected, 1e-6)
          expect.close(yield* toJs(yield* jacrev(f)(np.array([1, 2]))), expected, 1e-6)
          const g = (x: Tensor) =>
            np.subtract(
              np.subtract(np.power(x.at(0), 3), np.multiply(2, np.multiply(x.at(0), x.at(1)))),
              np.power(x.at(1), 6)
            )
          expect.close(yield* toJs(yield* hessian(g)(np.array([1, 2]))), [[6, -2], [-2, -480]], 1e-5)
        }))

      it.effect("reduceAxes under vmap, and a custom VJP", () =>
        Effect.gen(function*() {
          const f = (w: Tensor, x: Tensor) => np.sum(np.multiply(w, x))
          const r = yield* vmap(valueAndGrad(f, { reduceAxes: ["batch"] }), {
            inAxes: [null, 0],
            axisName: "batch",
            outAxes: [0, null]
          })(
            np.array([1, 1]),
            np.array([[1, 2], [3, 4]])
          )
          expect.close(yield* toJs(r), [[3, 7], [4, 6]])
          const clip = customVjp((x: Tensor) => x)
          clip.defVjp((x) => [x, null] as const, (_r, g) => [np.clip(g, { min: -0.75, max: 0.75 })])
          expect.close(yield* toJs(yield* grad((x: Tensor) => clip(np.sin(x)))(np.array(0))), 0.75)
        }))

      it.effect("host callbacks in a jitted program: the values read back (waited for on WebGPU)", () =>
        Effect.gen(function*() {
          const seen: Array<unknown> = []
          let counter = 0
          const f = jit((x: Tensor) => {
            const y = np.multiply(x, 2)
            debug.callback((v: Tensor) => seen.push(toJsSync(v)), y)
            const doubled = pureCallback((v: Tensor) => np.multiply(v, 2), new ShapeDtypeStruct([2], "float32"), [y])
            const count = ioCallback(() => [counter++], new ShapeDtypeStruct([1], "float32"), [])
            return np.add(doubled, count)
          })
          expect.close(yield* toJs(yield* f(np.array([1, 2]))), [4, 8])
          expect.close(yield* toJs(yield* f(np.array([1, 2]))), [5, 9])
          expect.close(seen, [[2, 4], [2, 4]])
        }))
    })
  })
}
