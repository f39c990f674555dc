// JAX parity: jax.grad. Each case names the test in jax/tests/api_test.py (or the
// JAX documentation page) whose behaviour it pins down.
import {
  ArgnumsError,
  AuxOutputError,
  customJvp,
  customVjp,
  grad,
  InputDTypeError,
  NonScalarOutputError,
  OutputDTypeError,
  stopGradient
} from "@diffect/ad"
import { ConcreteTensor, Float0OperationError, np, special, Tracer } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, provideCpu, run, thrown, value } from "./parity.js"

describe("jax.grad parity", () => {
  it("test_grad_argnums: f = 1x + 2y + 3z", () => {
    const f = (x: Tensor, y: Tensor, z: Tensor) =>
      np.add(np.add(np.multiply(1, x), np.multiply(2, y)), np.multiply(3, z))
    const one = () => np.array(1)
    expect.close(value(grad(f)(one(), one(), one())), 1)
    expect.close(value(grad(f, { argnums: 1 })(one(), one(), one())), 2)
    expect.close(value(grad(f, { argnums: [2, 0] })(one(), one(), one())), [3, 1])
  })

  it("test_grad_negative_argnums: argnums=-1 is the last argument", () => {
    const f = (x: Tensor, y: Tensor) => np.multiply(np.sum(x), np.sum(y))
    // d/dy [sum(x) sum(y)] = sum(x) everywhere
    expect.close(value(grad(f, { argnums: -1 })(np.array([1, 2, 3]), np.array([4, 5]))), [6, 6])
  })

  it("test_grad_without_enough_args_error_message", () => {
    // called with no positional arguments (JAX: partial(df, x=0.)(y=1.))
    const df = grad((x: Tensor, y: Tensor) => np.add(x, y), { argnums: 0 }) as unknown as () => Effect.Effect<
      unknown,
      unknown,
      Backend
    >
    const e = failure(df())
    expect.error(
      e,
      ArgnumsError,
      "differentiating with respect to argnums=0 requires at least 1 positional arguments to be passed by the caller, but got only 0 positional arguments."
    )
  })

  it("test_grad_nonscalar_output_hint (jax issue 2303)", () => {
    const e = failure(grad((x: Tensor) => np.stack([np.square(x)]))(np.array(1)))
    assert.instanceOf(e, NonScalarOutputError)
    const m = (e as Error).message
    assert.include(m, "Output had shape: (1,).")
    assert.include(m, "output.reshape([]) or output.at(0)")
    assert.include(m, "output.sum()")
    assert.include(m, "jacrev")
  })

  it("test_grad_tuple_output, test_grad_unit_output, test_grad_nonscalar_output", () => {
    for (
      const e of [
        failure(grad((x: Tensor) => [x, x])(np.array(1))),
        failure(grad((_x: Tensor) => [])(np.zeros([3]))),
        failure(grad((x: Tensor) => x)(np.zeros([3])))
      ]
    ) {
      expect.error(e, NonScalarOutputError, /^Gradient only defined for scalar-output functions\. /)
    }
  })

  it("test_grad_of_int_errors", () => {
    expect.error(
      failure(grad((x: Tensor) => np.power(x, 2))(np.array(3, { dtype: "int32" }))),
      InputDTypeError,
      /^grad requires real- or complex-valued inputs \(input dtype that is a sub-dtype of np\.inexact\), but got int32\./
    )
  })

  it("test_grad_of_int: with allowInt the gradient is a float0 zero of the input's shape", () => {
    const out = run(grad((x: Tensor) => np.add(x, 0.0), { allowInt: true })(np.array(1, { dtype: "int32" })))
    assert.strictEqual(out.dtype, "float0")
    assert.deepStrictEqual([...out.shape], [])
  })

  it("test_grad_of_bool: value_and_grad of a selection by a bool input", () => {
    // (lax.cond in JAX; np.where here) cond(pred) = 1. if pred else 2.
    const out = run(grad((pred: Tensor) => np.where(pred, 1, 2), { allowInt: true })(np.array(true)))
    assert.strictEqual(out.dtype, "float0")
  })

  it("test_grad_of_int_index: grad of x[i] w.r.t. (x, i)", () => {
    const [gx, gi] = run(
      grad((x: Tensor, i: Tensor) => np.take(x, i), { argnums: [0, 1], allowInt: true })(
        np.ones([2]),
        np.array(1, { dtype: "int32" })
      )
    )
    expect.close(value(Effect.succeed(gx)), [0, 1])
    assert.strictEqual(gi.dtype, "float0")
  })

  it("test_float0_reshape and test_float0_error: shape ops work on float0, arithmetic does not", () => {
    const g = run(grad((x: Tensor) => np.sum(np.add(x, 0)), { allowInt: true })(np.ones([2, 4], { dtype: "int32" })))
    assert.strictEqual(g.dtype, "float0")
    assert.deepStrictEqual([...np.reshape(g, [4, 2]).shape], [4, 2])
    assert.deepStrictEqual([...np.transpose(g).shape], [4, 2])
    // Eager operations outside a transformation throw the tagged error itself.
    const f0 = run(grad((x: Tensor) => np.add(x, 0), { allowInt: true })(np.array(1, { dtype: "int32" })))
    const e = thrown(() => np.add(f0, np.zeros([])))
    expect.error(e, Float0OperationError, /float0s do not support any operations by design/)
  })

  it("test_grad_complex_result_errors", () => {
    expect.error(
      failure(grad((x: Tensor) => np.add(np.square(x), np.complex(0, 1)))(np.array(3))),
      OutputDTypeError,
      /^grad requires real-valued outputs \(output dtype that is a sub-dtype of np\.floating\), but got complex64/
    )
  })

  it("test_complex_grad_raises_error: a complex output needs holomorphic", () => {
    assert.instanceOf(failure(grad(np.sin)(np.array({ re: 1, im: 2 }))), OutputDTypeError)
  })

  it("test_holomorphic_grad: grad(sin, holomorphic)(1+2j) = cos(1+2j)", () => {
    const g = value(
      grad((z: Tensor) => np.sin(z), { holomorphic: true })(np.array({ re: 1, im: 2 }, { dtype: "complex128" }))
    )
    expect.close(g, { re: 2.0327230070196656, im: -3.0518977991518 }, 1e-12)
  })

  it("test_holomorphic_grad_of_float_errors", () => {
    expect.error(
      failure(grad((x: Tensor) => np.square(x), { holomorphic: true })(np.array(3))),
      InputDTypeError,
      /^grad with holomorphic=True requires inputs with complex dtype, but got float/
    )
  })

  it("test_nonholomorphic_grad: sum(cos(|z|)) for z = k + 0.5k i", () => {
    const zs = np.array([0, 1, 2, 3, 4].map((k) => ({ re: k, im: 0.5 * k })), { dtype: "complex128" })
    const g = value(grad((z: Tensor) => np.sum(np.cos(np.abs(z))))(zs)) as Array<{ re: number; im: number }>
    const expected = [
      { re: 0, im: 0 },
      { re: -0.80430663, im: 0.40215331 },
      { re: -0.70368982, im: 0.35184491 },
      { re: 0.1886467, im: -0.09432335 },
      { re: 0.86873727, im: -0.43436864 }
    ]
    expect.close(g, expected, 1e-6)
  })

  it("test_grad_and_aux_basic", () => {
    const [g, aux] = run(grad((x: Tensor) => [np.power(x, 3), [np.power(x, 2)]], { hasAux: true })(np.array(3)))
    expect.close(value(Effect.succeed(g)), 27)
    expect.close(value(Effect.succeed(aux)), [9])
  })

  it("test_grad_and_aux_error: anything but a pair", () => {
    for (
      const f of [
        (_x: Tensor) => [1, 2, 3],
        (x: Tensor) => x,
        (x: Tensor) => [x]
      ]
    ) {
      expect.error(failure(grad(f, { hasAux: true })(np.array(1))), AuxOutputError, /two-element tuple/)
    }
  })

  it("test_grad_and_aux_nested: the aux of an inner grad is differentiable by an outer one", () => {
    const inner = (x: Tensor) => grad((y: Tensor) => [np.power(y, 3), [np.power(y, 3)]] as const, { hasAux: true })(x)
    const f1 = (x: Tensor) => Effect.map(inner(x), ([, aux]) => aux[0]!)
    expect.close(value(grad(f1)(np.array(4))), 3 * 16)
    const f2 = (x: Tensor) => Effect.map(inner(x), ([, aux]) => np.multiply(aux[0]!, np.sin(x)))
    // d/dx x^3 sin x = 3x^2 sin x + x^3 cos x
    expect.close(value(grad(f2)(np.array(4))), 48 * Math.sin(4) + 64 * Math.cos(4), 1e-5)
  })

  it("test_grad_and_aux_constant", () => {
    const [g, aux] = run(grad((x: Tensor) => [np.power(x, 3), [4]], { hasAux: true })(np.array(4)))
    expect.close(value(Effect.succeed(g)), 48)
    assert.deepStrictEqual(aux, [4])
    const [, aux2] = run(grad((x: Tensor) => [np.power(x, 3), [np.power(x, 2), 4]], { hasAux: true })(np.array(4)))
    expect.close(value(Effect.succeed(aux2)), [16, 4])
  })

  it("test_grad_and_aux_no_tracers (jax issue 1950): aux values are concrete", () => {
    const [, aux] = run(
      grad((x: Tensor) => [np.power(x, 2), { identity: x, p1: np.add(x, 1) }] as const, { hasAux: true })(np.array(3))
    )
    for (const v of Object.values(aux)) {
      assert.isFalse(v instanceof Tracer)
      assert.isTrue(v instanceof ConcreteTensor)
    }
    expect.close(value(Effect.succeed(aux)), { identity: 3, p1: 4 })
  })

  it("test_ad_weak_types: grad of the identity at a JS number is weakly typed", () => {
    const g = run(grad((x: Tensor) => x)(1 as unknown as Tensor))
    assert.isTrue(g.weakType)
    expect.close(value(Effect.succeed(g)), 1)
  })

  it("weak types (JAX's _convert_element_type): a weak input made strong by promotion gets a weak gradient back", () => {
    // x * float32(2) converts the weak x to strong float32 (a conversion of weak type only); its
    // transpose converts the cotangent back to x's weak type
    const g = run(grad((x: Tensor) => np.multiply(x, np.array(2, { dtype: "float32" })))(1 as unknown as Tensor))
    assert.isTrue(g.weakType)
    assert.strictEqual(g.dtype, "float32")
    expect.close(value(Effect.succeed(g)), 2)
    const h = run(grad((x: Tensor) => np.add(np.array(3, { dtype: "float32" }), np.sin(x)))(1 as unknown as Tensor))
    assert.isTrue(h.weakType)
    // a strong input stays strong
    assert.isFalse(
      run(grad((x: Tensor) => np.multiply(x, np.array(2, { dtype: "float32" })))(np.array(1, { dtype: "float32" })))
        .weakType
    )
  })

  it("test_grad_does_not_unflatten_tree_with_none: null leaves stay null", () => {
    const g = run(grad((t: [Tensor, null]) => np.sum(t[0]))([np.array([0]), null]))
    assert.strictEqual(g[1], null)
    expect.close(value(Effect.succeed(g[0])), [1])
  })

  it("float64 inputs keep float64 gradients (jax_enable_x64 behaviour)", () => {
    const g = run(grad((x: Tensor) => np.sum(np.exp(x)))(np.array([0, 1], { dtype: "float64" })))
    assert.strictEqual(g.dtype, "float64")
    expect.close(value(Effect.succeed(g)), [1, Math.E], 1e-15)
  })

  it("nested derivatives: d^3/dx^3 sin = -cos (autodidax 'higher-order')", () => {
    expect.close(value(grad(grad(grad(np.sin)))(np.array(1, { dtype: "float64" }))), -Math.cos(1), 1e-14)
  })

  it("no perturbation confusion (autodidax): d/dx [x * d/dy (x + y)](1) = 1", () => {
    const f = (x: Tensor) => Effect.map(grad((y: Tensor) => np.add(x, y))(np.array(0)), (d) => np.multiply(x, d))
    expect.close(value(grad(f)(np.array(1))), 1)
  })

  it.effect("grad inside Effect.gen, of a function returning an Effect", () =>
    Effect.gen(function*() {
      const f = (x: Tensor) => Effect.succeed(np.multiply(x, x))
      const g = yield* grad(f)(np.array(5))
      expect.close(value(Effect.succeed(g)), 10)
    }).pipe(provideCpu))

  it("stop_gradient (JAX docs, 'Stopping gradients'): d/dx [x * sg(x)] at 3 is 3", () => {
    expect.close(value(grad((x: Tensor) => np.multiply(x, stopGradient(x)))(np.array(3))), 3)
  })

  it("custom_jvp (JAX docs, log1pexp): the custom rule keeps grad finite at x = 100", () => {
    const log1pexp = customJvp((x: Tensor) => np.log(np.add(1, np.exp(x))))
    log1pexp.defJvp(([x], [t]) => [log1pexp(x), np.multiply(t, np.subtract(1, np.divide(1, np.add(1, np.exp(x)))))])
    // naive: exp(100) overflows float32 and the derivative is nan; JAX's docs give 1.0
    expect.close(value(grad(log1pexp)(np.array(100))), 1)
    expect.close(value(grad(log1pexp)(np.array(0))), 0.5)
  })

  it("custom_vjp (JAX docs, clip_gradient): the backward pass clips the cotangent", () => {
    const clip = customVjp((_lo: number, _hi: number, x: Tensor) => x)
    clip.defVjp((lo, hi, x) => [x, [lo, hi]] as const, ([lo, hi], g) => [null, null, np.clip(g, { min: lo, max: hi })])
    // d/dx clip(sin x) with a cotangent of 1 clipped to 0.75: 0.75 cos x
    expect.close(value(grad((x: Tensor) => clip(-0.75, 0.75, np.sin(x)))(np.array(0))), 0.75)
    expect.close(value(grad((x: Tensor) => np.multiply(0.5, clip(-0.75, 0.75, np.sin(x))))(np.array(0))), 0.5)
  })

  it("derivatives at kinks and ties, as JAX's rules give them", () => {
    // abs: select(x >= 0, g, -g) (lax._abs_jvp_rule): 1 at 0
    expect.close(value(grad(np.abs)(np.array(0))), 1)
    // reduce_max/reduce_min (_reduce_chooser_jvp_rule): ties share the gradient equally
    expect.close(value(grad((x: Tensor) => np.max(x))(np.array([1, 3, 3]))), [0, 0.5, 0.5])
    expect.close(value(grad((x: Tensor) => np.min(x))(np.array([1, 1, 3]))), [0.5, 0.5, 0])
    // jnp.clip is maximum then minimum: 0.5 at either bound, 1 inside
    expect.close(value(grad((x: Tensor) => np.clip(x, { min: 0, max: 1 }))(np.array(0))), 0.5)
    expect.close(value(grad((x: Tensor) => np.clip(x, { min: 0, max: 1 }))(np.array(1))), 0.5)
    expect.close(value(grad((x: Tensor) => np.clip(x, { min: 0, max: 1 }))(np.array(0.5))), 1)
    // pow: d/dx x^0 = 0 and d/dy 0^y = 0 (JAX's _pow_jvp_lhs / _replace_zero in _pow_jvp_rhs)
    expect.close(value(grad((x: Tensor) => np.power(x, 0))(np.array(0))), 0)
    expect.close(value(grad((y: Tensor) => np.power(0, y))(np.array(2))), 0)
    // the FAQ's "gradients contain NaN where using where": the unselected branch still poisons it
    expect.close(value(grad((x: Tensor) => np.where(np.greater(x, 0), np.sqrt(x), 0))(np.array(0))), NaN)
    // prod with a zero entry
    expect.close(value(grad((x: Tensor) => np.prod(x))(np.array([2, 0, 3]))), [0, 6, 0])
  })
  it("jnp.logaddexp's custom JVP: weights exp(x - out), +inf read as 0 (ufuncs.py _logaddexp_jvp)", () => {
    const both = (f: typeof np.logaddexp, x: number, y: number) =>
      value(grad((a: Tensor, b: Tensor) => f(a, b), { argnums: [0, 1] })(np.array(x), np.array(y)))
    const I = Infinity
    expect.close(both(np.logaddexp, 1, 2), [1 / (1 + Math.E), Math.E / (1 + Math.E)])
    expect.close(both(np.logaddexp, 0, 0), [0.5, 0.5])
    expect.close(both(np.logaddexp, 3, -I), [1, 0])
    // JAX's values where the output is infinite: exp(0 - 0) and exp(3 - 0); exp(NaN) at -inf, -inf
    expect.close(both(np.logaddexp, I, 3), [1, Math.exp(3)])
    expect.close(both(np.logaddexp, -I, -I), [NaN, NaN])
    expect.close(both(np.logaddexp2, 1, 2), [1 / 3, 2 / 3])
    expect.close(both(np.logaddexp2, I, 3), [1, 8])
    // the rule differentiates through itself: log(e^a + 1)'' = s(a)(1 - s(a)), 1/4 at the tie
    const second = (a: number) => value(grad(grad((x: Tensor) => np.logaddexp(x, np.array(0))))(np.array(a)))
    expect.close(second(0), 0.25)
    const s1 = 1 / (1 + Math.exp(-1))
    expect.close(second(1), s1 * (1 - s1))
  })

  it("sici's derivatives are sin x / x (1 at 0) and cos x / x, as central differences agree", () => {
    const f64 = (v: number) => np.array(v, { dtype: "float64" })
    for (const x of [0.3, 2, 4, 7.5, 40]) {
      const dSi = value(grad((t: Tensor) => special.sici(t)[0])(f64(x))) as number
      const dCi = value(grad((t: Tensor) => special.sici(t)[1])(f64(x))) as number
      const h = 1e-6
      const fd = (k: 0 | 1) =>
        ((value(Effect.succeed(special.sici(f64(x + h))[k])) as number) -
          (value(Effect.succeed(special.sici(f64(x - h))[k])) as number)) / (2 * h)
      expect.close(dSi, Math.sin(x) / x, 1e-14)
      expect.close(dCi, Math.cos(x) / x, 1e-14)
      expect.close(dSi, fd(0), 1e-7)
      expect.close(dCi, fd(1), 1e-7)
    }
    expect.close(value(grad((t: Tensor) => special.sici(t)[0])(f64(0))) as number, 1)
  })

  it("trigamma's reverse-mode derivative is polygamma(2, x) at integers too (no NaN from the unused reflection)", () => {
    const f64 = (v: number) => np.array(v, { dtype: "float64" })
    // psi''(3) = -2 zeta(3, 3) = -2 (zeta(3) - 1 - 1/8)
    const zeta3 = 1.2020569031595942
    expect.close(value(grad((t: Tensor) => special.polygamma(1, t))(f64(3))) as number, -2 * (zeta3 - 1 - 1 / 8), 1e-13)
    for (const x of [1, 7, 100, -0.5]) {
      const g = value(grad((t: Tensor) => special.polygamma(1, t))(f64(x))) as number
      expect.close(g, value(Effect.succeed(special.polygamma(2, f64(x)))) as number, 1e-12)
    }
    // and so digamma's second derivative and gammaln's third
    const dd = value(grad((y: Tensor) => run(grad(special.digamma)(y)) as Tensor)(f64(7))) as number
    expect.close(dd, value(Effect.succeed(special.polygamma(2, f64(7)))) as number, 1e-12)
  })

  it("logNdtr's reverse-mode derivative phi(x) / Phi(x) in the lower tail (no NaN from the unused log1p branch)", () => {
    // Mills' ratio Phi(-t) / phi(t) by its continued fraction 1 / (t + 1 / (t + 2 / (t + ...)))
    const mills = (t: number) => {
      let d = t
      for (let k = 80; k >= 1; k--) d = t + k / d
      return 1 / d
    }
    for (
      const [dtype, xs, tol] of [["float64", [-19, -10, -8.5], 1e-12], ["float32", [-8.5, -6, -5.5], 1e-6]] as const
    ) {
      for (const x of xs) {
        const g = value(grad((t: Tensor) => special.logNdtr(t))(np.array(x, { dtype }))) as number
        expect.close(g, 1 / mills(-x), tol * Math.abs(x))
      }
    }
  })

  it("np.i0' = I1 (0 at 0, jnp.i0's custom JVP) and np.arctanh' = 1 / (1 - x^2) (+inf at +-1, JAX's rule)", () => {
    const f64 = (v: number) => np.array(v, { dtype: "float64" })
    expect.close(value(grad((t: Tensor) => np.i0(t))(f64(0))) as number, 0)
    // I1(0.5) = 0.25789430539089631 (the series x/2 sum (x^2/4)^k / (k! (k + 1)!))
    let i1 = 0
    for (let k = 0, term = 0.25; k < 20; k++, term *= 0.0625 / (k * (k + 1))) i1 += term
    expect.close(value(grad((t: Tensor) => np.i0(t))(f64(0.5))) as number, i1, 1e-14)
    expect.close(value(grad((t: Tensor) => np.arctanh(t))(f64(1))) as number, Infinity)
    expect.close(value(grad((t: Tensor) => np.arctanh(t))(f64(-1))) as number, Infinity)
    expect.close(value(grad((t: Tensor) => np.arctanh(t))(f64(0.5))) as number, 4 / 3, 1e-15)
  })

  it("fresnel's derivatives are sin(pi x^2 / 2) and cos(pi x^2 / 2), as central differences agree", () => {
    const f64 = (v: number) => np.array(v, { dtype: "float64" })
    for (const x of [0.2, 1.2, 1.8, 3.3]) {
      const dS = value(grad((t: Tensor) => special.fresnel(t)[0])(f64(x))) as number
      const dC = value(grad((t: Tensor) => special.fresnel(t)[1])(f64(x))) as number
      const h = 1e-6
      const fd = (k: 0 | 1) =>
        ((value(Effect.succeed(special.fresnel(f64(x + h))[k])) as number) -
          (value(Effect.succeed(special.fresnel(f64(x - h))[k])) as number)) / (2 * h)
      expect.close(dS, Math.sin((Math.PI * x * x) / 2), 1e-13)
      expect.close(dC, Math.cos((Math.PI * x * x) / 2), 1e-13)
      expect.close(dS, fd(0), 1e-7)
      expect.close(dC, fd(1), 1e-7)
    }
  })

  it("dawsn's derivative is 1 - 2 x F(x), as central differences agree", () => {
    const f64 = (v: number) => np.array(v, { dtype: "float64" })
    for (const x of [0, 0.7, 3, 6.5]) {
      const d = value(grad((t: Tensor) => special.dawsn(t))(f64(x))) as number
      const f = value(Effect.succeed(special.dawsn(f64(x)))) as number
      const h = 1e-6
      const fd = ((value(Effect.succeed(special.dawsn(f64(x + h)))) as number) -
        (value(Effect.succeed(special.dawsn(f64(x - h)))) as number)) / (2 * h)
      expect.close(d, 1 - 2 * x * f, 1e-14)
      expect.close(d, fd, 1e-7)
    }
  })

  it("owensT's partial derivatives match their closed forms and central differences", () => {
    const f64 = (v: number) => np.array(v, { dtype: "float64" })
    const erf = (x: number) => 1 - (value(Effect.succeed(special.erfc(f64(x)))) as number)
    for (const [h, a] of [[0.7, 0.4], [1.5, 3], [0.2, -2]] as const) {
      const dh = value(grad((t: Tensor) => special.owensT(t, f64(a)))(f64(h))) as number
      const da = value(grad((t: Tensor) => special.owensT(f64(h), t))(f64(a))) as number
      // dT/dh = -exp(-h^2 / 2) erf(a h / sqrt 2) / (2 sqrt(2 pi)); dT/da = exp(-h^2 (1 + a^2) / 2) / (2 pi (1 + a^2))
      expect.close(dh, (-Math.exp((-h * h) / 2) * erf((a * h) / Math.SQRT2)) / (2 * Math.sqrt(2 * Math.PI)), 1e-10)
      expect.close(da, Math.exp((-h * h * (1 + a * a)) / 2) / (2 * Math.PI * (1 + a * a)), 1e-10)
      const at = (hh: number, aa: number) => value(Effect.succeed(special.owensT(f64(hh), f64(aa)))) as number
      expect.close(dh, (at(h + 1e-6, a) - at(h - 1e-6, a)) / 2e-6, 1e-7)
    }
  })
})
