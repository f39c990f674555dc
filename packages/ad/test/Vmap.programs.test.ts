/**
 * Random programs under vmap: chains of primitives that move, add and remove
 * axes, so that batch dimensions travel through many rules in a row. Each
 * program is checked against running it once per example, and its per-example
 * gradient (vmap of grad) against a loop of grads.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { grad } from "../src/Grad.js"
import { vmap } from "../src/Vmap.js"
import { assertClose, prng, randomTensor, run, stack } from "./vmapSupport.js"
import type { Rng } from "./vmapSupport.js"

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** One random step on `x`; constants come from `rng`, so every call of the program builds the same ones. */
const step = (rng: Rng, x: Tensor): Tensor => {
  const s = x.shape
  switch (rng.int(0, 9)) {
    case 0:
      return lax.sin(x)
    case 1:
      return lax.mul(x, randomTensor(rng, s))
    case 2:
      return s.length < 2 ? lax.tanh(x) : lax.transpose(x, rng.shuffle(range(s.length)))
    case 3: {
      if (s.length === 0) return lax.exp(lax.mul(x, lax.full([], 0.1, "float64")))
      const axes = range(s.length).filter(() => rng.next() < 0.5)
      return lax.reduceSum(x, axes)
    }
    case 4: {
      if (s.length >= 3) return lax.neg(x)
      const at = rng.int(0, s.length)
      const shape = [...s.slice(0, at), 2, ...s.slice(at)]
      return lax.broadcastInDim(x, shape, range(s.length).map((i) => (i < at ? i : i + 1)))
    }
    case 5:
      return lax.reshape(x, [...s].reverse())
    case 6:
      return s.length === 0 ? lax.cos(x) : lax.cumsum(x, rng.int(0, s.length - 1), rng.next() < 0.5)
    case 7: {
      if (s.length === 0) return x
      const a = rng.int(0, s.length - 1)
      // Contract axis a with a constant vector: removes that axis.
      return lax.dotGeneral(x, randomTensor(rng, [s[a]!]), [[a], [0]])
    }
    case 8:
      return lax.add(
        x,
        lax.pad(
          randomTensor(rng, s.map((d) => Math.max(d - 1, 0))),
          lax.scalar(0.5, "float64"),
          s.map((d) => [d > 0 ? 1 : 0, 0, 0] as const)
        )
      )
    default:
      return lax.integerPow(x, 2)
  }
}

const program = (seed: number, length: number) => (x: Tensor): Tensor => {
  const rng = prng(seed)
  let y = x
  for (let i = 0; i < length; i++) y = step(rng, y)
  return y
}

const sumAll = (x: Tensor): Tensor => lax.reduceSum(x, range(x.ndim))

describe("random programs under vmap", () => {
  it("match a loop over the batch (values)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 6 }), (seed, length) => {
        const rng = prng(seed ^ 0x5bd1e995)
        const shape = range(rng.int(0, 3)).map(() => rng.int(1, 3))
        const n = rng.int(1, 3)
        const examples = range(n).map(() => randomTensor(rng, shape, "float64", -1, 1))
        const inAxis = rng.int(0, shape.length)
        const f = program(seed, length)
        const perExample = examples.map(f)
        const outAxis = rng.int(0, perExample[0]!.ndim)
        const out = run(vmap(f, { inAxes: inAxis, outAxes: outAxis })(stack(examples, inAxis)))
        const expected = stack(perExample, outAxis)
        assert.deepStrictEqual(out.shape, expected.shape)
        assertClose(out, expected, 1e-10)
      }),
      { numRuns: 150 }
    )
  })

  it("per-example gradients match a loop of grads", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5 }), (seed, length) => {
        const rng = prng(seed ^ 0x2545f491)
        const shape = range(rng.int(0, 2)).map(() => rng.int(1, 3))
        const n = rng.int(1, 3)
        const examples = range(n).map(() => randomTensor(rng, shape, "float64", -1, 1))
        const f = program(seed, length)
        const loss = (x: Tensor) => sumAll(f(x))
        const expected = stack(examples.map((x) => run(grad(loss)(x))), 0)
        const out = run(vmap(grad(loss))(stack(examples, 0)))
        assert.deepStrictEqual(out.shape, expected.shape)
        assertClose(out, expected, 1e-10)
      }),
      { numRuns: 80 }
    )
  })
})
