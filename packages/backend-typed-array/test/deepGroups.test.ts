/**
 * Fusion groups whose expressions are thousands of levels deep: the JS code
 * generator binds a `const` every few dozen levels, so V8's parser (which
 * recurses once per level of nesting) never sees one deep expression.
 */
import { DType, Kernel } from "@diffect/core"
import type { FusedKernelSpec } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { compileFusedJs, compileFusedJsSource, compileFusedLoop } from "../src/internal/fused.js"

/** `x + step` applied `n` times, each node read once (one nested expression before the fix). */
const addChain = (dtype: "float32" | "float64", n: number, step: number): FusedKernelSpec => {
  const t = Kernel.scalarType(dtype)!
  let y: Kernel.Expr = Kernel.input(0, t)
  const rounded = new Set<Kernel.Expr>()
  for (let i = 0; i < n; i++) {
    y = Kernel.add(y, Kernel.constant(step, t))
    if (dtype === "float32") rounded.add(y)
  }
  return { shape: [3], inputs: [{ dtype, strides: [1] }], outputs: [{ dtype, lanes: [y] }], rounded }
}

const host = (dtype: DType.DType, values: ReadonlyArray<number>): DType.HostArray => {
  const a = DType.allocHost(dtype, values.length)
  values.forEach((v, i) => (a[i] = v))
  return a
}

describe("deep fusion groups (typed-array)", () => {
  it("a chain of 2,048 single-use adds (a fusion group of the deepest kind) compiles to JS and to SIMD, and computes x + 2,048", () => {
    // before: RangeError: Maximum call stack size exceeded in `new Function` (from about 2,000 levels; fusion.ts bounds groups at 2,048 levels)
    const spec = addChain("float64", 2048, 1)
    const { loop, source } = compileFusedJsSource(spec)
    assert.notInclude(source, "WebAssembly SIMD")
    const [out] = loop([host("float64", [0.5, 1, -2])])
    assert.deepStrictEqual(Array.from(out!), [2048.5, 2049, 2046])
    // the group's own choice, SIMD at any size for a kernel this large: its emitter computes every
    // 64 levels into a local (before: RangeError from 2,048 levels, at 8 elements and more)
    for (const n of [3, 8, 4100]) {
      const simd = compileFusedLoop({ ...spec, shape: [n] })
      assert.include(simd.source, "WebAssembly SIMD")
      const xs = Array.from({ length: n }, (_, i) => i / 4 - 1)
      assert.deepStrictEqual(Array.from(simd.loop([host("float64", xs)])[0]!), xs.map((x) => x + 2048))
    }
    // no line of the source nests deeper than the bound (32 levels of parentheses, plus the loop's own)
    const deepest = Math.max(
      ...source.split("\n").map((l) => {
        let d = 0
        let m = 0
        for (const c of l) {
          if (c === "(") m = Math.max(m, ++d)
          else if (c === ")") d--
        }
        return m
      })
    )
    assert.isAtMost(deepest, 40)
  })

  it("float32 chains round at every step (x + 0.1 2,048 times, as float32 arithmetic does)", () => {
    // y = np.float32(0.5); for _ in range(2048): y = np.float32(y + np.float32(0.1))
    // -> 205.30332946777344 (the float64 sum would be 205.3)
    const [out] = compileFusedJs(addChain("float32", 2048, 0.1))([host("float32", [0.5, 0.5, 0.5])])
    assert.deepStrictEqual(Array.from(out!), [205.30332946777344, 205.30332946777344, 205.30332946777344])
  })
})
