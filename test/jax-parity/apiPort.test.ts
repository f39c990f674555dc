/**
 * JAX parity: cases ported from jax/tests/custom_api_test.py and api_test.py that the
 * other parity files do not have. Each case names its JAX test; expected values are
 * JAX's own (derived by hand in the comments).
 */
import {
  checkpoint,
  CotangentMismatchError,
  customJvp,
  customVjp,
  evalProgram,
  grad,
  jit,
  JitArgnumsError,
  jvp,
  linearize,
  linearTranspose,
  makeProgram,
  vjp,
  vmap
} from "@diffect/ad"
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, value } from "./parity.js"

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

describe("api_test.py: jit, makeProgram and linearize", () => {
  it("test_make_jaxpr_static_argnums_order (jax issue 28065): static arguments in either order", () => {
    // f(1, 2, 3) = (1 + 3) - 2 * 3 = -2
    const f = (a: number, b: number, c: Tensor) => np.subtract(np.add(a, c), np.multiply(b, c))
    for (const staticArgnums of [[1, 0], [0, 1]]) {
      expect.close(value(jit(f, { staticArgnums })(1, 2, f64(3))), -2)
      const program = run(makeProgram(f, { staticArgnums })(1, 2, f64(3)))
      expect.close(program.inputs.length, 1)
      expect.close(value(Effect.succeed(evalProgram(program, program.consts, [f64(3)]))), [-2])
    }
    expect.error(
      failure(makeProgram(f, { staticArgnums: 3 })(1, 2, f64(3))),
      JitArgnumsError,
      /staticArgnums=\(3,\) but was called with only 3 positional arguments/
    )
  })

  it("test_jvp_jit_cached: two calls of a jitted closure over the JVP tracer", () => {
    // func(x) = 4x + 5x = 9x at 5 with tangent 1
    const func = (x: Tensor) =>
      Effect.gen(function*() {
        const inner = (y: Tensor) => np.multiply(y, x)
        const r1 = yield* jit(inner)(f64(4))
        const r2 = yield* jit(inner)(f64(5))
        return np.add(r1, r2)
      })
    expect.close(value(jvp(func, [f64(5)], [f64(1)])), [45, 9], 1e-12)
  })

  it("test_grad_of_jit and test_jit_of_grad: traced once per signature", () => {
    let traces = 0
    const f = jit((x: Tensor) => {
      traces++
      return np.multiply(x, x)
    })
    expect.close(value(grad(f)(f64(1))), 2)
    expect.close(value(grad(f)(f64(2))), 4)
    expect.close(traces, 1)
    const g = jit(grad(f))
    expect.close(value(g(f64(1))), 2)
    expect.close(value(g(f64(2))), 4)
  })

  it("test_issue_871: a linearized function called on a tangent of another shape", () => {
    const [, fJvp] = run(linearize((x: Tensor) => np.sum(x), [np.array([1, 2, 3])]))
    expect.error(
      failure(fJvp(np.array([[1, 2], [3, 4], [5, 6]]))),
      CotangentMismatchError,
      /^linearized function called on tangent values inconsistent with the original primal values/
    )
  })

  it("test_linear_transpose_dce (jax issue 15660): an unused boolean output of a jitted function", () => {
    const f = jit((x: Tensor) => [np.multiply(2, x), np.greater(x, 0)] as const)
    const g = (x: Tensor) => Effect.map(f(x), (out) => out[0])
    const t = run(linearTranspose(g, f64(1)))
    expect.close(value(t(f64(1))), [2])
  })

  it("test_grad_conj_symbolic_zeros (jax issue 15400): an unused conj output of a jitted function", () => {
    const f = (x: Tensor) => Effect.map(jit((a: Tensor, b: Tensor) => [a, b] as const)(x, lax.conj(x)), (o) => o[0])
    expect.close(value(grad(f)(f64(3))), 1)
  })
})
