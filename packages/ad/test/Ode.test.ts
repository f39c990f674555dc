/**
 * ode.odeint (JAX's jax.experimental.ode.odeint; tests/ode_test.py): closed-form solutions (decay,
 * a harmonic oscillator as a pytree state, a complex linear ODE), JAX's pendulum against SciPy's
 * odeint (1.17.1, rtol = atol = 1e-12; values quoted), adjoint gradients in y0, t and args against
 * SciPy central differences and closed forms, closures over traced values (JAX's test_grad_closure,
 * test_odeint_vmap_grad), jit, vmap, the step limit, and typed errors (forward mode is refused).
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { jvp } from "../src/Jvp.js"
import { odeint } from "../src/Ode.js"
import { vmap } from "../src/Vmap.js"
import { run, thrown, values } from "./vmapSupport.js"

const f64 = (v: np.NestedArray | number) => np.array(v as np.NestedArray, { dtype: "float64" })
const assertNear = (
  got: Tensor | ReadonlyArray<number> | number,
  want: ReadonlyArray<number> | number,
  tol: number
) => {
  const g = [got instanceof Object && "dtype" in got ? values(got as Tensor) : got].flat(3) as Array<number>
  const w = [want].flat() as Array<number>
  assert.strictEqual(g.length, w.length)
  g.forEach((v, i) => assert.approximately(v, w[i]!, tol * (1 + Math.abs(w[i]!)), `element ${i}`))
}
const decay = (y: Tensor, _t: Tensor, k: Tensor) => np.multiply(np.negative(k), y)
const ts3 = np.linspace(0, 1, { num: 3, dtype: "float64" })

describe("ode.odeint", () => {
  it("closed forms: exponential decay (float64 and float32) and a harmonic oscillator as a pytree", () => {
    assertNear(odeint(decay, f64(1), ts3, { args: [f64(2)] }), [1, Math.exp(-1), Math.exp(-2)], 1e-8)
    const f32 = odeint(decay, np.array(1), np.linspace(0, 1, { num: 3 }), { args: [np.array(2)] }) as Tensor
    assert.strictEqual(f32.dtype, "float32")
    assertNear(f32, [1, Math.exp(-1), Math.exp(-2)], 2e-6)
    const ts = np.linspace(0, 3, { num: 5, dtype: "float64" })
    const osc = odeint((s: { x: Tensor; v: Tensor }, _t: Tensor) => ({ x: s.v, v: np.negative(s.x) }), {
      x: f64(1),
      v: f64(0)
    }, ts)
    assertNear(osc.x, [0, 0.75, 1.5, 2.25, 3].map(Math.cos), 1e-7)
    assertNear(osc.v, [0, 0.75, 1.5, 2.25, 3].map((t) => -Math.sin(t)), 1e-7)
  })

  it("JAX's pendulum (test_pend_grads) against SciPy's odeint", () => {
    const pend = (y: Tensor, _t: Tensor, m: Tensor, g: Tensor) => {
      const [th, om] = [np.index(y, 0), np.index(y, 1)]
      return np.stack([om, np.subtract(np.negative(np.multiply(m, om)), np.multiply(g, np.sin(th)))])
    }
    const ys = odeint(pend, f64([Math.PI - 0.1, 0]), np.linspace(0, 1, { num: 11, dtype: "float64" }), {
      args: [f64(0.25), f64(9.8)]
    }) as Tensor
    // scipy.integrate.odeint(pend, [pi - 0.1, 0], linspace(0, 1, 11), args=(0.25, 9.8), rtol=1e-12, atol=1e-12)
    assertNear(np.take(ys, 0, { axis: 1 }), [
      3.041592653589793,
      3.0367018484474313,
      3.0217160569629034,
      2.995432036224349,
      2.9555881652848233,
      2.8986886405737238,
      2.819738953554181,
      2.711907575979876,
      2.566173881791667,
      2.371136366002722,
      2.113402046842584
    ], 1e-7)
    assertNear(np.take(ys, 1, { axis: 1 }), [
      0,
      -0.09820164469611477,
      -0.20350524657255564,
      -0.3259152589799429,
      -0.47674416605309605,
      -0.6695129449352206,
      -0.920804367988284,
      -1.2508164114792688,
      -1.682905161629582,
      -2.240437099859888,
      -2.9375809374959725
    ], 1e-7)
    // the adjoint's gradients of sum(y(1)): SciPy central differences (h = 1e-6) of the same sum
    const loss = (y0: Tensor, m: Tensor, g: Tensor) =>
      np.sum(
        np.index(odeint(pend, y0, np.linspace(0, 1, { num: 11, dtype: "float64" }), { args: [m, g] }) as Tensor, -1)
      )
    const [dy0, dm, dg] = run(
      grad(loss, { argnums: [0, 1, 2] })(f64([Math.PI - 0.1, 0]), f64(0.25), f64(9.8))
    ) as Array<Tensor>
    assertNear(dy0!, [35.003902035146695, 10.829850162652477], 1e-6)
    assertNear(dm!, 1.6679562508947754, 1e-6)
    assertNear(dg!, -0.711742023540296, 1e-6)
  })

  it("gradients in y0, the times and args match the closed form of decay", () => {
    // y(T) = y0 exp(-k (T - t0)): d/dk = -(T - t0) y(T), d/dy0 = y(T) / y0, d/dT = -k y(T), d/dt0 = k y(T)
    const yT = Math.exp(-2)
    const last = (y0: Tensor, t: Tensor, k: Tensor) => np.index(odeint(decay, y0, t, { args: [k] }) as Tensor, 2)
    const [dy0, dt, dk] = run(grad(last, { argnums: [0, 1, 2] })(f64(1), ts3, f64(2))) as Array<Tensor>
    assertNear(dy0!, yT, 1e-7)
    assertNear(dt!, [2 * yT, 0, -2 * yT], 1e-7)
    assertNear(dk!, -yT, 1e-7)
  })

  it("a func closing over a traced value is differentiated through it (JAX's test_grad_closure)", () => {
    const experiment = (x: Tensor) =>
      np.index(
        odeint(
          (y: Tensor) => np.multiply(np.negative(x), y),
          f64(1),
          np.arange(0, 10, { step: 0.1, dtype: "float64" })
        ) as Tensor,
        -1
      )
    // y(9.9) = exp(-9.9 x): d/dx = -9.9 exp(-9.9 x)
    assertNear(run(grad(experiment)(f64(0.01))) as Tensor, -9.9 * Math.exp(-0.099), 1e-7)
    // under jit and vmap too (test_grad_closure_with_vmap)
    assertNear(
      run(vmap(jit(grad(experiment)))(f64([0.1, 0.2]))) as Tensor,
      [0.1, 0.2].map((x) => -9.9 * Math.exp(-9.9 * x)),
      1e-6
    )
  })

  it("vmap over initial values, then grad (JAX's test_odeint_vmap_grad); jit", () => {
    const dx = (x: Tensor) => np.multiply(0.1, x)
    const t = f64([0, 5])
    const g = (x: Tensor) => {
      const y0s = np.stack([np.stack([x, f64(0.1)]), np.stack([x, f64(0.2)])])
      const ys = run(vmap((y0: Tensor) => odeint(dx, y0, t))(y0s)) as Tensor
      return np.sum(np.take(ys, 1, { axis: 1 }))
    }
    // each run gives x e^0.5 in its first component: the gradient is 2 e^0.5
    assertNear(run(grad(g)(f64(2))) as Tensor, 2 * Math.exp(0.5), 1e-8)
    assertNear(run(jit((k: Tensor) => odeint(decay, f64(1), ts3, { args: [k] }))(f64(2))) as Tensor, [
      1,
      Math.exp(-1),
      Math.exp(-2)
    ], 1e-8)
  })

  it("a complex state (JAX's test_complex_odeint): y' = a y e^-t", () => {
    const a = np.complex(f64(0.5), f64(-0.3))
    const ys = odeint(
      (y: Tensor, t: Tensor, alpha: Tensor) =>
        np.multiply(np.multiply(alpha, y), np.astype(np.exp(np.negative(t)), "complex128")),
      np.complex(f64(1), f64(1)),
      ts3,
      { args: [a] }
    ) as Tensor
    // (1 + 1j) * cmath.exp(a * (1 - exp(-t)))
    assertNear(np.real(ys), [1, 1.3523211345067305, 1.6056921614166855], 1e-7)
    assertNear(np.imag(ys), [1, 1.0655774175856148, 1.0885520005164213], 1e-7)
  })

  it("mxstep bounds the steps between outputs: one step cannot reach the accuracy", () => {
    const ts = f64([0, 10])
    const exact = Math.exp(-20)
    assertNear(odeint(decay, f64(1), ts, { args: [f64(2)] }), [1, exact], 1e-8)
    const limited = values(odeint(decay, f64(1), ts, { args: [f64(2)], mxstep: 1 }) as Tensor) as Array<number>
    assert.isAbove(Math.abs(limited[1]! - exact), 1e-3)
  })

  it("typed errors: times, state dtype, func's output, options, forward mode", () => {
    const f = (y: Tensor) => y
    assert.strictEqual(thrown(() => odeint(f, f64(1), np.array([0, 1], { dtype: "int32" })))._tag, "DTypeError")
    assert.strictEqual(thrown(() => odeint(f, f64(1), f64([[0, 1]])))._tag, "ShapeError")
    assert.strictEqual(thrown(() => odeint(f, np.array(1, { dtype: "int32" }), ts3))._tag, "DTypeError")
    assert.include(thrown(() => odeint((y: Tensor) => np.stack([y, y]), f64(1), ts3)).message, "func must return")
    assert.strictEqual(thrown(() => odeint(f, f64(1), ts3, { mxstep: 0 }))._tag, "ArgumentError")
    assert.strictEqual(thrown(() => odeint(f, f64(1), ts3, { rtoll: 1 } as never))._tag, "ArgumentError")
    const forward = thrown(() =>
      run(jvp((k: Tensor) => odeint(decay, f64(1), ts3, { args: [k] }) as Tensor, [f64(2)], [f64(1)]))
    )
    assert.include(forward.message, "can't apply forward-mode autodiff")
  })
})
