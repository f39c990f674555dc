/**
 * JAX parity: cases ported from jax/tests/custom_api_test.py and api_test.py that the
 * other parity files do not have. Each case names its JAX test; expected values are
 * JAX's own (derived by hand in the comments).
 */
import { checkpoint, customJvp, customVjp, grad, jit, jvp, linearTranspose, makeProgram, vjp, vmap } from "@diffect/ad"
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, run, value } from "./parity.js"

const f64 = (v: number) => np.array(v, { dtype: "float64" })
const sumOf = <E, R>(e: Effect.Effect<Tensor, E, R>) => Effect.map(e, (t) => np.sum(t))

// sin with a JVP rule that doubles the derivative (custom_api_test.py's f in test_jit, test_remat)
const sin2 = customJvp((x: Tensor) => np.sin(x))
sin2.defJvp(([x], [g]) => [sin2(x), np.multiply(np.multiply(2, np.cos(x)), g)])

// 3x whose JVP rule says 2 (CustomJVPTest.test_initial_style)
const times3 = customJvp((x: Tensor) => np.multiply(3, x))
times3.defJvp(([x], [g]) => [times3(x), np.multiply(2, g)])

// sin whose VJP rule doubles the cotangent (CustomVJPTest.test_initial_style)
const sinV = customVjp((x: Tensor) => np.sin(x))
sinV.defVjp((x: Tensor) => [sinV(x), np.cos(x)] as const, (cosX, g) => [np.multiply(np.multiply(2, cosX), g)])

const scanOnce = (f: (x: Tensor) => Tensor) => (x: Tensor) =>
  lax.scan((c: Tensor, _: null) => [f(c), null] as const, x, null, { length: 1 })[0]

describe("custom rules inside staged bodies (jaxprs keep custom_jvp_call / custom_vjp_call)", () => {
  it("CustomJVPTest.test_jit: jit, jit of jit, jit of jvp, jvp of jit", () => {
    const x = f64(3)
    expect.close(value(jit(sin2)(x)), Math.sin(3), 1e-12)
    expect.close(value(jit(jit(sin2))(x)), Math.sin(3), 1e-12)
    const want = [Math.sin(3), 2 * Math.cos(3) * 3]
    expect.close(value(jit((x: Tensor) => jvp(sin2, [x], [x]))(x)), want, 1e-12)
    expect.close(value(jvp(jit(sin2), [x], [x])), want, 1e-12)
  })

  it("CustomJVPTest.test_initial_style: the rule is used inside lax.scan, under jit and to second order", () => {
    const foo = scanOnce(times3)
    const x = f64(3)
    expect.close(value(grad(foo)(x)), 2)
    expect.close(value(grad(jit(foo))(x)), 2)
    expect.close(value(jit(grad(foo))(x)), 2)
    expect.close(value(grad(grad(foo))(x)), 0)
    expect.close(value(grad(grad(jit(foo)))(x)), 0)
    expect.close(value(jit(grad(grad(foo)))(x)), 0)
  })

  it("CustomJVPTest.test_initial_style_vmap: vmap of the scan, and per-example gradients", () => {
    const foo = scanOnce(times3)
    expect.close(value(vmap(foo)(np.ones([3]))), [3, 3, 3])
    expect.close(value(jit(vmap(foo))(np.ones([3]))), [3, 3, 3])
    expect.close(value(grad((x: Tensor) => sumOf(vmap(foo)(x)))(np.ones([3]))), [2, 2, 2])
    expect.close(value(grad((x: Tensor) => sumOf(jit(vmap(foo))(x)))(np.ones([3]))), [2, 2, 2])
  })

  it("the rule is used inside lax.map, lax.foriLoop, lax.cond, lax.whileLoop and checkpoint", () => {
    // d/dx of times3 by its rule is 2 per application
    const x = f64(0.5)
    expect.close(value(grad((x: Tensor) => np.sum(lax.map(times3, np.stack([x]))))(x)), 2)
    expect.close(value(grad((x: Tensor) => lax.foriLoop(0, 2, (_i: Tensor, c: Tensor) => times3(c), x))(x)), 4)
    expect.close(value(grad((x: Tensor) => lax.cond(np.array(true), times3, (v: Tensor) => v, x))(x)), 2)
    const loop = (x: Tensor) =>
      lax.whileLoop(
        (c: readonly [Tensor, Tensor]) => np.less(c[0], 2),
        (c: readonly [Tensor, Tensor]) => [np.add(c[0], np.array(1, { dtype: "int32" })), times3(c[1])] as const,
        [np.array(0, { dtype: "int32" }), x] as const
      )[1]
    expect.close(value(jvp(loop, [x], [f64(1)])), [4.5, 4])
    expect.close(value(grad(checkpoint(times3))(x)), 2)
  })

  it("CustomJVPTest.test_hard_stuff3: relu's rule (0 at 0) inside a 10-step scan, against max's tie rule", () => {
    // c = [x, 0, 0, 0, 0]; each step c0 <- relu(c0), ci <- c(i-1) + ci. At x = 1 the last entry is
    // C(10, 4) x = 210 x. At x = 0 with the rule's derivative 0, only the first step carries x into
    // c1, whence C(9, 3) = 84 paths reach c4. lax.max's balanced derivative 1/2 at the tie adds
    // sum_{t=1..6} 2^-t C(9 - t, 3) = 40.015625 (jax's _balanced_eq).
    const withRule = customJvp((x: Tensor) => np.maximum(x, 0))
    withRule.defJvp(([x], [t]) => [withRule(x), lax.select(np.greater(x, 0), t, lax.fullLike(t, 0))])
    const chain = (relu: (x: Tensor) => Tensor) => (x: Tensor) => {
      const z = np.zerosLike(x)
      const [c] = lax.scan(
        (
          c: Array<Tensor>,
          _: null
        ): [Array<Tensor>, null] => [[relu(c[0]!), ...c.slice(1).map((ci, i) => np.add(c[i]!, ci))], null],
        [x, z, z, z, z],
        null,
        { length: 10 }
      )
      return c[4]!
    }
    const xs = np.arange(3, { dtype: "float64" })
    expect.close(value(vmap(grad(chain(withRule)))(xs)), [84, 210, 210], 1e-12)
    expect.close(value(jit(vmap(grad(chain(withRule))))(xs)), [84, 210, 210], 1e-12)
    expect.close(value(jvp(jit(vmap(chain(withRule))), [xs], [np.ones([3], { dtype: "float64" })])), [[
      0,
      210,
      420
    ], [84, 210, 210]], 1e-12)
    expect.close(value(grad(chain((x: Tensor) => np.maximum(x, 0)))(f64(0))), 124.015625, 1e-12)
  })

  it("CustomVJPTest.test_initial_style: bwd is used inside lax.scan, to second order", () => {
    const foo = scanOnce(sinV)
    expect.close(value(grad(foo)(f64(3))), 2 * Math.cos(3), 1e-12)
    // d/dx [2 cos x] = -2 sin x: the bwd rule is differentiated again
    expect.close(value(grad(grad(foo))(f64(3))), -2 * Math.sin(3), 1e-12)
  })

  it("CustomVJPTest.test_initial_style_vmap", () => {
    const times3V = customVjp((x: Tensor) => np.multiply(3, x))
    times3V.defVjp((x: Tensor) => [times3V(x), np.cos(x)] as const, (cosX, g) => [np.multiply(np.multiply(2, cosX), g)])
    const foo = scanOnce(times3V)
    const xs = np.arange(3, { dtype: "float64" })
    expect.close(value(vmap(foo)(xs)), [0, 3, 6], 1e-12)
    expect.close(value(grad((x: Tensor) => sumOf(vmap(foo)(x)))(xs)), [0, 1, 2].map((v) => 2 * Math.cos(v)), 1e-12)
  })

  it("CustomJVPTest.test_remat and test_remat_higher_order", () => {
    const g0 = (x: Tensor) => sin2(sin2(x))
    const g = checkpoint(g0)
    const x = f64(2)
    expect.close(value(Effect.succeed(g(x))), Math.sin(Math.sin(2)), 1e-12)
    // 4 times d/dx sin(sin x): each application's rule doubles its factor
    expect.close(value(grad(g)(x)), 4 * Math.cos(Math.sin(2)) * Math.cos(2), 1e-12)
    const want2 = run(grad(grad(g0))(x))
    expect.close(value(grad(grad(checkpoint(g0)))(x)), value(Effect.succeed(want2)), 1e-12)
    expect.close(value(grad(checkpoint((y: Tensor) => run(grad(g0)(y))))(x)), value(Effect.succeed(want2)), 1e-12)
    const want3 = value(grad(grad(grad(g0)))(x))
    expect.close(value(grad(grad(grad(checkpoint(g0))))(x)), want3, 1e-12)
  })

  it("CustomVJPTest.test_remat and test_remat_higher_order", () => {
    const g0 = (x: Tensor) => sinV(sinV(x))
    const x = f64(2)
    expect.close(value(grad(checkpoint(g0))(x)), 4 * Math.cos(Math.sin(2)) * Math.cos(2), 1e-12)
    expect.close(value(grad(grad(checkpoint(g0)))(x)), value(grad(grad(g0))(x)), 1e-12)
    expect.close(value(grad(grad(grad(checkpoint(g0))))(x)), value(grad(grad(grad(g0)))(x)), 1e-12)
  })

  it("makeProgram keeps a custom_jvp_call equation (jax.make_jaxpr prints custom_jvp_call)", () => {
    const text = String(run(makeProgram(scanOnce(times3))(f64(1))))
    expect.close(/custom_jvp_call\[name=[^\]]*\]/.test(text) ? 1 : 0, 1)
  })

  it("linearTranspose through a jitted custom_jvp function transposes its body (JAX's custom_jvp_call transpose)", () => {
    const f = jit((x: Tensor) => times3(x))
    const t = run(linearTranspose(f, f64(1)))
    expect.close(value(t(f64(2))), [6], 1e-12)
  })

  it("CustomVJPTest.test_nestable_vjp: a vjp inside fwd, its function as the residual", () => {
    const sq = (x: Tensor) => np.power(x, 2)
    const g = customVjp((x: Tensor) => sq(x))
    g.defVjp(
      (x: Tensor) => run(vjp(sq, [x])),
      (pullback, yBar) => run(pullback(yBar))
    )
    const [, gVjp] = run(vjp(g, [f64(1)]))
    expect.close(value(gVjp(f64(1))), [2], 1e-12)
  })
})
