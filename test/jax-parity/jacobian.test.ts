// JAX parity: jax.jacfwd, jax.jacrev, jax.hessian. Each case names the test in
// jax/tests/api_test.py (or the docstring) whose behaviour it pins down.
import {
  customVjp,
  grad,
  hessian,
  InputDTypeError,
  jacfwd,
  jacobian,
  jacrev,
  jvp,
  OutputDTypeError,
  stopGradient
} from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, value } from "./parity.js"

// The docstring function of jacfwd and jacrev.
const f = (x: Tensor) =>
  np.stack([
    x.at(0),
    np.multiply(5, x.at(2)),
    np.subtract(np.multiply(4, np.square(x.at(1))), np.multiply(2, x.at(2))),
    np.multiply(x.at(2), np.sin(x.at(0)))
  ])
const J = [[1, 0, 0], [0, 0, 5], [0, 16, -2], [1.6209, 0, 0.84147]]

describe("jax.jacfwd / jax.jacrev / jax.hessian parity", () => {
  it("docstrings of jacfwd and jacrev", () => {
    expect.close(value(jacfwd(f)(np.array([1, 2, 3]))), J, 1e-4)
    expect.close(value(jacrev(f)(np.array([1, 2, 3]))), J, 1e-4)
    // jax.jacobian is an alias of jacrev
    expect.close(value(jacobian(f)(np.array([1, 2, 3]))), J, 1e-4)
  })

  it("docstring of hessian: x0^3 - 2 x0 x1 - x1^6 at [1, 2]", () => {
    const g = (x: Tensor) =>
      np.subtract(
        np.subtract(np.power(x.at(0), 3), np.multiply(2, np.multiply(x.at(0), x.at(1)))),
        np.power(x.at(1), 6)
      )
    expect.close(value(hessian(g)(np.array([1, 2]))), [[6, -2], [-2, -480]])
  })

  it("test_std_basis shapes: jacobians of leaves of shape (3,), (3, 3) and a pytree", () => {
    const j = run(jacrev((x: Tensor) => x)(np.zeros([3, 3])))
    assert.deepStrictEqual([...j.shape], [3, 3, 3, 3])
    const t = run(jacfwd((x: unknown) => x)([np.array(0), [np.zeros([3]), np.zeros([3, 4])]]))
    // out-tree of in-tree: leaf (y, x) has shape y.shape ++ x.shape
    assert.deepStrictEqual([...(t as any)[1][1][1][1].shape], [3, 4, 3, 4])
    assert.deepStrictEqual([...(t as any)[1][0][0].shape], [3])
  })

  it("test_jacobian_on_pytrees", () => {
    for (const jac of [jacfwd, jacrev]) {
      const pair = (x: Tensor, y: Tensor) => [x, y]
      expect.close(value(jac(pair)(np.array(0), np.array(1))), [1, 0])
      expect.close(value(jac(pair, { argnums: 1 })(np.array(0), np.array(1))), [0, 1])
      expect.close(value(jac(pair, { argnums: [0, 1] })(np.array(0), np.array(1))), [[1, 0], [0, 1]])
      expect.close(
        value(jac((x: [Tensor, Tensor, Tensor]) => x.slice(0, 2))([np.array(1), np.array(2), np.array(3)])),
        [[1, 0, 0], [0, 1, 0]]
      )
      const y = np.array([2, 3, 4])
      const out = value(jac((x: Tensor, y: Tensor) => ({ x, xy: np.outer(x, y) }))(np.array([0.5, -1]), y))
      expect.close(out, { x: [[1, 0], [0, 1]], xy: [[[2, 0], [3, 0], [4, 0]], [[0, 2], [0, 3], [0, 4]]] })
    }
  })

  it("test_hessian: x.Ax gives A + A^T", () => {
    const A = np.array([[1, 2, 0, -1], [0.5, 3, 1, 0], [2, -2, 0, 1], [1, 0, 4, 2]], { dtype: "float64" })
    const h = value(
      hessian((x: Tensor) => np.dot(x, np.dot(A, x)))(np.array([0.3, -0.1, 0.7, 2], { dtype: "float64" }))
    )
    const a = [[1, 2, 0, -1], [0.5, 3, 1, 0], [2, -2, 0, 1], [1, 0, 4, 2]]
    expect.close(h, a.map((r, i) => r.map((v, j) => v + a[j]![i]!)), 1e-12)
  })

  it("test_hessian_holomorphic: x.(Ax) with complex x gives A + A^T", () => {
    const a = [[1, 2], [-1, 0.5]]
    const A = np.array(a.map((r) => r.map((re) => ({ re, im: 0 }))), { dtype: "complex128" })
    const x = np.array([{ re: 1, im: 2 }, { re: -0.5, im: 1 }], { dtype: "complex128" })
    const h = value(hessian((x: Tensor) => np.dot(x, np.dot(A, x)), { holomorphic: true })(x))
    expect.close(h, a.map((r, i) => r.map((v, j) => ({ re: v + a[j]![i]!, im: 0 }))), 1e-12)
  })

  it("test_hessian_aux", () => {
    const [h, aux] = run(hessian((x: Tensor) => [np.sum(np.square(x)), x], { hasAux: true })(np.array([1, 2])))
    expect.close(value(Effect.succeed([h, aux])), [[[2, 0], [0, 2]], [1, 2]])
  })

  it("test_hessian_on_pytrees: hessian(array(x)**2)((1., 2.))", () => {
    const h = value(hessian((x: [Tensor, Tensor]) => np.square(np.stack(x)))([np.array(1), np.array(2)]))
    expect.close(h, [[[2, 0], [0, 0]], [[0, 0], [0, 2]]])
  })

  it("test_issue1372: shapes of all four second-derivative compositions", () => {
    const quad = (v: Tensor) => np.dot(v, v)
    const g = (x: Tensor, u: Tensor) => np.add(quad(x), quad(u))
    const [x, u] = [np.ones([5]), np.ones([2])]
    const size = [5, 2]
    for (const outer of [jacfwd, jacrev]) {
      for (const inner of [jacfwd, jacrev]) {
        for (const i of [0, 1]) {
          for (const j of [0, 1]) {
            const h = run(outer(inner(g, { argnums: i }), { argnums: j })(x, u)) as unknown as Tensor
            assert.deepStrictEqual([...h.shape], [size[i], size[j]])
          }
        }
      }
    }
  })

  it("test_jacfwd_and_aux_nested / test_jacrev_and_aux_nested", () => {
    for (const jac of [jacfwd, jacrev]) {
      const inner = (x: Tensor) => jac((y: Tensor) => [np.power(y, 3), [np.power(y, 3)]] as const, { hasAux: true })(x)
      const f1 = (x: Tensor) => Effect.map(inner(x), ([, aux]) => aux[0]!)
      expect.close(value(jac(f1)(np.array(4))), 48)
      const f2 = (x: Tensor) => Effect.map(inner(x), ([, aux]) => np.multiply(aux[0]!, np.sin(x)))
      expect.close(value(jac(f2)(np.array(4))), 48 * Math.sin(4) + 64 * Math.cos(4), 1e-5)
    }
  })

  it("test_nonholomorphic_jacrev: jacrev of a real function of complex inputs equals grad", () => {
    const zs = np.array([0, 1, 2].map((k) => ({ re: k, im: 0.5 * k })), { dtype: "complex128" })
    const f = (z: Tensor) => np.cos(np.sqrt(np.sum(np.square(np.abs(np.multiply(2, z))))))
    const r = 2 * Math.sqrt([0, 1, 2].reduce((s, k) => s + 1.25 * k * k, 0))
    // d/dz of cos(|2z|) = -sin(r) * 4 conj(z) / r
    const expected = [0, 1, 2].map((k) => ({ re: (-Math.sin(r) * 4 * k) / r, im: (-Math.sin(r) * 4 * -0.5 * k) / r }))
    expect.close(value(jacrev(f)(zs)), expected, 1e-12)
  })

  it("argnums on jacobians: a negative tuple, hessian at argnums=1, jacfwd with argnums and has_aux", () => {
    const xy = (x: Tensor, y: Tensor) => np.multiply(x, y)
    expect.close(value(jacrev(xy, { argnums: [-1, 0] })(np.array(2), np.array(3))), [2, 3])
    // d^2/dy^2 x^2 y^3 = 6 x^2 y
    const f = (x: Tensor, y: Tensor) => np.multiply(np.square(x), np.power(y, 3))
    expect.close(value(hessian(f, { argnums: 1 })(np.array(2), np.array(3))), 72)
    const withAux = (x: Tensor, y: Tensor) => [np.multiply(x, y), { s: y }] as const
    expect.close(value(jacfwd(withAux, { argnums: [0, 1], hasAux: true })(np.array(2), np.array(3))), [[3, 2], {
      s: 3
    }])
  })

  it("test_jacobian_on_pytrees shapes: leaf (y, x) has shape y.shape ++ x.shape", () => {
    const j = run(
      jacrev((p: { x: Tensor; y: Tensor }) => [np.multiply(p.x, 2), np.sum(p.y)] as const)({
        x: np.ones([2]),
        y: np.ones([3, 2])
      })
    )
    assert.deepStrictEqual(
      [j[0].x.shape, j[0].y.shape, j[1].x.shape, j[1].y.shape].map((s) => [...s]),
      [[2, 2], [2, 3, 2], [2], [3, 2]]
    )
  })

  it("autodiff cookbook: hessian-vector product as jvp of grad; grad(grad(grad(tanh)))(2.0)", () => {
    const f = (x: Tensor) => np.sum(np.power(x, 3))
    // H = diag(6x): H [1, 0] at [1, 2] is [6, 0]
    expect.close(value(jvp(grad(f), [np.array([1, 2])], [np.array([1, 0])])), [[3, 12], [6, 0]])
    expect.close(value(grad(grad(grad(np.tanh)))(np.array(2))), 0.25265405, 1e-5)
  })

  it("hessian through a custom VJP (forward mode over its bwd) and a stop_gradient", () => {
    const f = customVjp((x: Tensor) => np.sin(x))
    f.defVjp((x) => [f(x), x], (x, g) => [np.multiply(g, np.cos(x))])
    expect.close(value(hessian((x: Tensor) => np.sum(f(x)))(np.array([0, 1]))), [[0, 0], [0, -Math.sin(1)]], 1e-6)
    // d^2/dx^2 [sg(x^2) x^2] = 2 sg(x^2) = 8 at 2
    expect.close(value(hessian((x: Tensor) => np.multiply(stopGradient(np.square(x)), np.square(x)))(np.array(2))), 8)
  })

  it("test_holomorphic_jac{rev,fwd}_of_float_errors, test_jacfwd_of_complex_errors, test_complex_output_jacrev_raises_error", () => {
    const sq = (x: Tensor) => np.square(x)
    for (const [jac, name] of [[jacrev, "jacrev"], [jacfwd, "jacfwd"]] as const) {
      expect.error(
        failure(jac(sq, { holomorphic: true })(np.array(3))),
        InputDTypeError,
        new RegExp(`^${name} with holomorphic=True requires inputs with complex dtype, but got float`)
      )
    }
    expect.error(
      failure(jacfwd(sq)(np.array({ re: 3, im: 1 }))),
      InputDTypeError,
      /^jacfwd requires real-valued inputs \(input dtype that is a sub-dtype of np\.floating\), but got complex/
    )
    assert.instanceOf(failure(jacrev(np.sin)(np.array({ re: 1, im: 2 }))), OutputDTypeError)
  })

  it("jacfwd of an integer or boolean output is a float0 Jacobian (JAX does not check jacfwd's output dtype)", () => {
    for (const f of [(x: Tensor) => np.astype(x, "int32"), (x: Tensor) => np.greater(x, 0)]) {
      const j = run(jacfwd(f)(np.ones([2])))
      assert.strictEqual(j.dtype, "float0")
      assert.deepStrictEqual([...j.shape], [2, 2])
    }
    // a constant output: zeros, with the input's dtype (jacrev) or the output's (jacfwd)
    expect.close(value(jacrev((_x: Tensor) => 1)(np.ones([2]))), [0, 0])
  })
})
