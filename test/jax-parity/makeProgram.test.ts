// JAX parity: jax.make_jaxpr (diffect's makeProgram). Each case names the JAX
// docstring or test whose behaviour it pins down.
import { grad, makeProgram } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { run } from "./parity.js"

describe("jax.make_jaxpr parity", () => {
  it("docstring: make_jaxpr(sin(cos(x)))(3.0)", () => {
    const program = run(makeProgram((x: Tensor) => np.sin(np.cos(x)))(np.array(3)))
    // JAX prints one equation per line, outputs as a tuple
    assert.strictEqual(
      String(program),
      ["{ lambda ; a:f32[]. let", "    b:f32[] = cos a", "    c:f32[] = sin b", "  in (c,) }"].join("\n")
    )
  })

  it("docstring: make_jaxpr(grad(f))(3.0) stages the derivative computation", () => {
    const program = run(makeProgram((x: Tensor) => grad((y: Tensor) => np.sin(np.cos(y)))(x))(np.array(3)))
    const text = String(program)
    // d/dx sin(cos x) = cos(cos x) * -sin x: the staged program computes both factors
    // and multiplies them into the cotangent 1.0 (a captured constant here, where JAX
    // prints the literal inline).
    for (const eqn of [/= cos b$/m, /= sin b$/m, /= cos c$/m, /= neg g$/m, /= mul h d$/m]) assert.match(text, eqn)
    assert.match(text, /^\{ lambda a:f32\[\] ; b:f32\[\]\. let/)
  })

  it("pytree inputs are flattened in sorted key order (b before w)", () => {
    const program = run(
      makeProgram((p: { w: Tensor; b: Tensor }) => np.add(p.w, p.b))({ w: np.zeros([2]), b: np.zeros([2]) })
    )
    assert.strictEqual(
      String(program),
      ["{ lambda ; a:f32[2] b:f32[2]. let", "    c:f32[2] = add b a", "  in (c,) }"].join("\n")
    )
  })
})
