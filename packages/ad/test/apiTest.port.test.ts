/**
 * Cases of JAX's tests/api_test.py (APITest) for grad, valueAndGrad, jvp, vjp,
 * jacfwd, jacrev and hessian that the other files of this folder and
 * test/jax-parity do not pin down: the weak types and dtypes of Jacobian blocks
 * (JAX's `_possible_downcast`), the input and output checks for Python-scalar-like
 * leaves, and integer (float0) tangents under jit. Each case names its JAX test.
 */
import {
  grad,
  hessian,
  InputDTypeError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  OutputDTypeError,
  valueAndGrad,
  vjp
} from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js, run, toJs } from "./gradHelpers.js"

// A JS number is JAX's Python float: a weakly typed float32 scalar.
const weak = (v: number) => v as unknown as Tensor
const f32 = (v: number | ReadonlyArray<number>) => np.array(v, { dtype: "float32" })
const f64 = (v: number | ReadonlyArray<number>) => np.array(v, { dtype: "float64" })
const i32 = (v: number | ReadonlyArray<number>) => np.array(v, { dtype: "int32" })
const float0 = (shape: ReadonlyArray<number>) => np.zeros(shape, { dtype: "float0" })

/** `[dtype, weakType]` of every tensor leaf, in a nested array like the result. */
const types = (tree: unknown): unknown =>
  Array.isArray(tree)
    ? tree.map(types)
    : tree !== null && typeof tree === "object" && "dtype" in tree
    ? [(tree as Tensor).dtype, (tree as Tensor).weakType]
    : tree !== null && typeof tree === "object"
    ? Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, types(v)]))
    : tree

describe("weak types of derivatives (JAX's test_ad_weak_types)", () => {
  it("grad, jacfwd and jacrev of the identity at a Python-float-like number are weakly typed", () => {
    for (const transform of [grad, jacfwd, jacrev]) {
      const out = run(transform((x: Tensor) => x)(weak(1)))
      assert.deepStrictEqual(types(out), ["float32", true])
      expect.close(js(out), 1)
    }
  })

  it("a jacfwd block has the output leaf's type, a jacrev block the input leaf's (JAX's _possible_downcast)", () => {
    // x weak times a strong float32 is a strong output
    const f = (x: Tensor) => np.multiply(x, f32(3))
    const fwd = run(jacfwd(f)(weak(2)))
    const rev = run(jacrev(f)(weak(2)))
    assert.deepStrictEqual(types([fwd, rev]), [["float32", false], ["float32", true]])
    expect.close(toJs([fwd, rev]), [3, 3])
    // a strong input whose output is weak-free: both strong
    assert.deepStrictEqual(types(run(jacrev(f)(f32(2)))), ["float32", false])
  })

  it("test_jacobian_on_pytrees with Python floats: every block is weakly typed", () => {
    for (const jac of [jacfwd, jacrev]) {
      const pair = (x: Tensor, y: Tensor) => [x, y]
      const a = run(jac(pair)(weak(0), weak(1)))
      const b = run(jac(pair, { argnums: [0, 1] })(weak(0), weak(1)))
      const c = run(jac((x: [Tensor, Tensor, Tensor]) => x.slice(0, 2))([weak(1), weak(2), weak(3)]))
      assert.deepStrictEqual(types(a), [["float32", true], ["float32", true]])
      assert.deepStrictEqual(types(b), [[["float32", true], ["float32", true]], [["float32", true], ["float32", true]]])
      assert.deepStrictEqual(types(c), [0, 1].map(() => [0, 1, 2].map(() => ["float32", true])))
      expect.close(toJs([a, b, c]), [[1, 0], [[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0]]])
    }
  })

  it("blocks of an empty input or output keep the example's type", () => {
    const fwd = run(jacfwd((x: Tensor) => np.multiply(np.sum(x), weak(2)))(f32([])))
    const rev = run(jacrev((x: Tensor) => np.multiply(x, np.zeros([0])))(weak(1)))
    assert.deepStrictEqual([...fwd.shape], [0])
    assert.deepStrictEqual([...rev.shape], [0])
    assert.deepStrictEqual(types([fwd, rev]), [["float32", false], ["float32", true]])
  })

  it("hessian of x^2 at a Python float is weakly typed, at a float32 array strong", () => {
    const h = (x: Tensor) => np.multiply(x, x)
    const a = run(hessian(h)(weak(2)))
    const b = run(hessian(h)(f32(2)))
    assert.deepStrictEqual(types([a, b]), [["float32", true], ["float32", false]])
    expect.close(toJs([a, b]), [2, 2])
  })

  it("jacfwd with hasAux at a Python float (JAX's test_jacfwd_and_aux_basic): the Jacobian is weak", () => {
    const [jac, aux] = run(
      jacfwd((x: Tensor) => [np.power(x, 3), [np.power(x, 2)]] as const, { hasAux: true })(weak(3))
    )
    assert.deepStrictEqual(types(jac), ["float32", true])
    expect.close(toJs([jac, aux]), [27, [9]])
  })

  it("the dtypes of test_heterogeneous_jacfwd / _jacrev are unchanged: output's (fwd), input's (rev)", () => {
    const f = (t: [Tensor, Tensor]) => [t[0], t[1], np.add(t[0], t[1])]
    const a: [Tensor, Tensor] = [f32([2]), f64([3])]
    const fwd = run(jacfwd(f)(a))
    const rev = run(jacrev(f)(a))
    const F = ["float32", false]
    const D = ["float64", false]
    assert.deepStrictEqual(types(fwd), [[F, F], [D, D], [D, D]])
    assert.deepStrictEqual(types(rev), [[F, D], [F, D], [F, D]])
    expect.close(toJs(fwd), [[[[1]], [[0]]], [[[0]], [[1]]], [[[1]], [[1]]]])
    expect.close(toJs(rev), toJs(fwd))
  })
})

describe("input and output checks on scalar-like values (JAX's _check_scalar, _check_*_dtype_revderiv)", () => {
  it("a boolean output is a bool scalar: grad rejects its dtype, not its shape", () => {
    // JAX: core.typeof(True) is bool[], so _check_output_dtype_grad raises
    expect.error(
      failure(grad((_x: Tensor) => true as unknown as Tensor)(f32(1))),
      OutputDTypeError,
      /^grad requires real-valued outputs \(output dtype that is a sub-dtype of np\.floating\), but got bool\./
    )
  })

  it("a float0 input is neither numerical nor integer: grad and jacrev reject it, even with allowInt", () => {
    const message =
      /^(grad|jacrev) requires numerical-valued inputs \(input dtype that is a sub-dtype of np\.bool_ or np\.number\), but got float0\.$/
    expect.error(failure(grad((_x: Tensor) => f32(1))(float0([]))), InputDTypeError, message)
    expect.error(failure(grad((_x: Tensor) => f32(1), { allowInt: true })(float0([2]))), InputDTypeError, message)
    expect.error(failure(jacrev((_x: Tensor) => f32([1]))(float0([2]))), InputDTypeError, message)
  })

  it("test_complex_input_jacfwd_raises_error: jacfwd of sin at 1+2j", () => {
    assert.instanceOf(failure(jacfwd((x: Tensor) => np.sin(x))(np.array({ re: 1, im: 2 }))), InputDTypeError)
  })
})

describe("integer inputs under jit (JAX's test_jit_jvp_of_int, test_jit_vjp_of_int, test_jit_grad_of_int)", () => {
  it("jvp of jit(x + 1) at an int32 with a float0 tangent: the tangent out is float0", () => {
    const [y, t] = run(jvp(jit((x: Tensor) => np.add(x, i32(1))), [i32(2)], [float0([])]))
    assert.deepStrictEqual(types([y, t]), [["int32", false], ["float0", false]])
    expect.close(js(y), 3)
  })

  it("jit of the VJP function of x + y at two int32s gives two float0 cotangents", () => {
    const [y, pullback] = run(vjp((x: Tensor, y: Tensor) => np.add(x, y), [i32(2), i32(1)]))
    const cts = run(jit(pullback)(float0([])))
    expect.close(js(y), 3)
    assert.deepStrictEqual(types(cts), [["float0", false], ["float0", false]])
  })

  it("jit of grad of x[i] w.r.t. (x, i) with allowInt", () => {
    const gradF = grad((x: Tensor, i: Tensor) => np.take(x, i), { argnums: [0, 1], allowInt: true })
    const [gx, gi] = run(jit(gradF)(np.ones([2]), i32(1)))
    expect.close(js(gx), [0, 1])
    assert.deepStrictEqual(types(gi), ["float0", false])
  })
})

describe("transformations keep the function's signature (JAX's test_grad_wrap)", () => {
  it("jit with a static flag around grad, jacfwd and jacrev of `flag ? x : zeros`", () => {
    for (const transform of [grad, jacfwd, jacrev]) {
      const myFunction = jit(transform((x: Tensor, flag: boolean) => (flag ? x : np.zerosLike(x))), {
        staticArgnums: [1]
      })
      expect.close(js(run(myFunction(weak(1), false))), 0)
      expect.close(js(run(myFunction(weak(1), true))), 1)
    }
  })

  it("valueAndGrad passes the non-differentiated arguments through (JAX's test_value_and_grad_argnums flag)", () => {
    const f = (x: Tensor, y: Tensor, z: Tensor, flag: boolean) => {
      assert.isTrue(flag)
      return np.add(np.add(np.multiply(1, x), np.multiply(2, y)), np.multiply(3, z))
    }
    expect.close(toJs(run(valueAndGrad(f, { argnums: [2, 0] })(weak(1), weak(1), weak(1), true))), [6, [3, 1]])
  })
})
