/**
 * jit of very long elementwise chains: fusion bounds each group's kernel IR
 * depth (fusion.ts's MAX_GROUP_DEPTH, in IR levels), so no code generator
 * overflows the stack, and compile time stays linear in the chain's length.
 */
import { jit } from "@diffect/ad"
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { MAX_GROUP_DEPTH } from "../src/internal/fusion.js"
import { js, run, tensor } from "./gradHelpers.js"

const fusionGroups = (text: string): number =>
  text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("fusion")).length

describe("jit of long chains", () => {
  it("100,000 adds of 1 compile and give x + 100,000", () => {
    // before: RangeError: Maximum call stack size exceeded in the JS loop's `new Function`
    const f = (x: Tensor) => {
      let y = x
      for (let i = 0; i < 100_000; i++) y = np.add(y, 1)
      return y
    }
    assert.deepStrictEqual(js(run(jit(f)(tensor([0.5, 1, -2])))), [100_000.5, 100_001, 99_998])
  }, 120_000)

  it("500 float32 sines over 4,096 elements (the SIMD kernel) split by IR depth and equal eager", () => {
    // before: RangeError in the SIMD code generator (500 members, 15,000 IR levels, in one group)
    const f = (x: Tensor) => {
      let y = x
      for (let i = 0; i < 500; i++) y = np.sin(np.add(y, 0.5))
      return y
    }
    const x = np.arange(4096, { dtype: "float32" })
    const got = js(run(jit(f)(x))) as Array<number>
    assert.deepStrictEqual(got, js(f(x)))
    // the fixed point of y = sin(y + 0.5): scipy.optimize.brentq(lambda y: np.sin(y + 0.5) - y, 0, 2)
    // -> 0.9973004; every start converges to it well within 500 steps
    for (const v of got) assert.approximately(v, 0.9973004, 1e-6)
    // a sine decomposes to about 29 levels: groups of at most MAX_GROUP_DEPTH levels
    const groups = fusionGroups(run(jit(f).lower(x)).text)
    assert.isAtLeast(groups, Math.ceil((500 * 28) / MAX_GROUP_DEPTH))
    assert.isAtMost(groups, 50)
  }, 120_000)

  it(
    "24 chained float32 erfInv over 4,096 elements (a JS loop past V8's optimizable size, run in stages) equal eager",
    () => {
      // erfInv's float64 algorithm keeps the group on the JS path; 18 or more steps made one function of
      // over 60 KB of bytecode, which V8 never optimizes: 63 ms a call (4.2 s the first) against 4.8 ms
      const f = (x: Tensor) => {
        let y = x
        for (let i = 0; i < 24; i++) y = np.multiply(lax.erfInv(y), 0.4)
        return y
      }
      const x = np.linspace(-0.999, 0.999, { num: 4096, dtype: "float32" })
      const got = js(run(jit(f)(x))) as Array<number>
      assert.deepStrictEqual(got, js(f(x)))
      // 0.4 erfinv(t) < t on (0, 0.999] (erfinv(t) < 2.5 t there), so every value falls towards 0;
      // in float64, y = x; 24 times y = 0.4 * scipy.special.erfinv(y) -> at most 6.94e-11 over this x
      for (const v of got) assert.isAtMost(Math.abs(v), 1e-9)
    },
    120_000
  )
})
