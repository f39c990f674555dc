/**
 * JAX parity: vmap and collectives. Each case cites the JAX test it pins
 * (tests/batching_test.py unless said otherwise); expected values are computed
 * here with plain loops, as the JAX tests compute them with NumPy.
 */
import { axisIndex, grad, hessian, jvp, pmax, pmin, psum, vjp, vmap, VmapAxisError, VmapSpecError } from "@diffect/ad"
import { lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, value } from "./parity.js"

// A seeded normal-ish generator (sum of uniforms), like `self.rng().randn`.
const randn = (seed: number) => {
  let s = seed >>> 0
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
  return (...shape: Array<number>): Array<unknown> => {
    const build = (d: number): unknown =>
      d === shape.length ? u() + u() + u() - 1.5 : Array.from({ length: shape[d]! }, () => build(d + 1))
    return build(0) as Array<unknown>
  }
}
const f64 = (v: unknown) => np.array(v as never, { dtype: "float64" })
type M = Array<Array<number>>
const matmul = (a: M, b: M): M => a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)))

describe("vmap (tests/batching_test.py)", () => {
  it("testConstantFunction: a constant output is broadcast", () => {
    expect.close(value(vmap((_x: Tensor) => 3)(np.ones([4]))), [3, 3, 3, 3])
  })

  it("testNestedBatchingMatMat: vmap of vmap of vdot is a matrix product", () => {
    const R = randn(1)
    const A = R(4, 3) as M
    const B = R(3, 2) as M
    const vdot = (a: Tensor, b: Tensor) => np.sum(np.multiply(a, b))
    const matvec = vmap(vdot, { inAxes: [0, null] })
    const matmat = vmap(matvec, { inAxes: [null, 1], outAxes: 1 })
    expect.close(value(matmat(f64(A), f64(B))), matmul(A, B), 1e-12)
  })

  it("testPerExampleGradients: gradient shapes of a two-layer network per example", () => {
    const R = randn(2)
    const sizes = [3, 2, 4]
    const params = [0, 1].map((l) => [f64(R(sizes[l + 1]!, sizes[l]!)), f64(R(sizes[l + 1]!))] as const)
    const predict = (ps: typeof params, inputs: Tensor) => {
      let x = inputs
      let out = inputs
      for (const [W, b] of ps) {
        out = np.add(np.dot(W, x), b)
        x = np.tanh(out)
      }
      return out
    }
    const loss = (ps: typeof params, data: readonly [Tensor, Tensor]) =>
      np.sum(np.power(np.subtract(predict(ps, data[0]), data[1]), 2))
    const grads = run(vmap(grad(loss), { inAxes: [null, 0] })(params, [f64(R(5, 3)), f64(R(5, 4))] as const))
    grads.forEach(([dW, db], l) => {
      expect.close(dW.shape, [5, sizes[l + 1]!, sizes[l]!])
      expect.close(db.shape, [5, sizes[l + 1]!])
    })
  })

  it("testJacobians: jacfwd and jacbwd built from vmap over basis vectors agree", () => {
    const R = randn(3)
    const A = f64(R(4, 3))
    const b = f64(R(4))
    const f = (x: Tensor) => np.tanh(np.add(np.dot(A, x), b))
    const x = f64(R(3))
    const jacfwdV = Effect.gen(function*() {
      const push = (v: Tensor) => jvp(f, [x], [v])
      const [, jac] = yield* vmap(push, { outAxes: [null, 0] })(np.eye(3, 3, { dtype: "float64" }))
      return np.transpose(jac) // rows of jac are J @ e_i
    })
    const jacbwdV = Effect.gen(function*() {
      const [, pullback] = yield* vjp(f, x)
      const [jac] = yield* vmap(pullback)(np.eye(4, 4, { dtype: "float64" }))
      return jac
    })
    expect.close(toJsSync(run(jacfwdV)), toJsSync(run(jacbwdV)), 1e-12)
  })

  it("testNpMaximumPerExampleGrad: per-example gradients through relu", () => {
    const R = randn(4)
    const x = R(10, 5) as M
    const W = R(5, 5) as M
    const fun = (W: Tensor, x: Tensor) => np.sum(np.power(np.maximum(np.dot(x, W), 0), 2))
    const ans = value(vmap(grad(fun), { inAxes: [null, 0] })(f64(W), f64(x))) as Array<M>
    x.forEach((xi, i) => {
      // d/dW sum(relu(x W)^2) = 2 * outer(x, relu(x W))
      const h = matmul([xi], W)[0]!.map((v) => Math.max(v, 0))
      expect.close(ans[i], xi.map((a) => h.map((hj) => 2 * a * hj)), 1e-12)
    })
  })

  it("testSliceLax and testRevLax", () => {
    const R = randn(5)
    const x = R(5, 10) as M
    expect.close(value(vmap((r: Tensor) => lax.slice(r, [2], [4]))(f64(x))), x.map((r) => r.slice(2, 4)))
    const y = R(2, 3) as M
    expect.close(value(vmap((r: Tensor) => lax.rev(r, [0]))(f64(y))), y.map((r) => [...r].reverse()))
    expect.close(value(vmap((r: Tensor) => lax.rev(r, [0]), { inAxes: 1, outAxes: 1 })(f64(y))), [...y].reverse())
  })

  it("testPad: lax.pad with interior padding under vmap", () => {
    const x = randn(6)(5, 10) as M
    const pad1 = (r: Array<number>) => [0, ...r.flatMap((v, i) => (i === 0 ? [v] : [0, v])), 0, 0]
    const fun = (r: Tensor) => lax.pad(r, lax.scalar(0, "float64"), [[1, 2, 1]])
    expect.close(value(vmap(fun)(f64(x))), x.map(pad1))
  })

  it("testConcatenate: operands batched on different axes or not at all", () => {
    const x = np.reshape(np.arange(10 * 2 * 3, undefined, 1, { dtype: "float64" }), [10, 2, 3])
    const y = np.reshape(np.arange(10 * 3, undefined, 1, { dtype: "float64" }), [1, 10, 3])
    const z = np.reshape(np.arange(4 * 3, undefined, 1, { dtype: "float64" }), [4, 3])
    const fun = (...args: Array<Tensor>) => lax.concatenate(args, 0)
    const ans = value(vmap(fun, { inAxes: [0, 1, null] })(x, y, z))
    const expected = np.concatenate([x, np.swapaxes(y, 0, 1), np.broadcastTo(z, [10, 4, 3])], 1)
    expect.close(ans, toJsSync(expected))
  })

  it("testTranspose and testTransposePermutation", () => {
    const x = np.reshape(np.arange(36, undefined, 1, { dtype: "float64" }), [4, 3, 3])
    expect.close(value(vmap((m: Tensor) => np.add(m, np.transpose(m)))(x)), toJsSync(np.add(x, np.swapaxes(x, -1, -2))))
    const y = np.reshape(np.arange(360, undefined, 1, { dtype: "float64" }), [6, 3, 4, 5])
    expect.close(
      value(vmap((m: Tensor) => np.transpose(m, [1, 0, 2]))(y)),
      toJsSync(np.transpose(y, [0, 2, 1, 3]))
    )
    const w = np.reshape(y, [3, 4, 6, 5])
    expect.close(
      value(vmap((m: Tensor) => np.transpose(m, [1, 2, 0]), { inAxes: 2 })(w)),
      toJsSync(np.transpose(w, [2, 1, 3, 0]))
    )
  })

  it("testNegativeAxes: negative in and out axes, and their errors", () => {
    const x = np.reshape(np.arange(60, undefined, 1, { dtype: "float64" }), [3, 4, 5])
    const sum = (t: Tensor) => np.sum(t)
    expect.close(value(vmap(sum, { inAxes: -3 })(x)), toJsSync(np.sum(x, { axis: [1, 2] })))
    expect.close(value(vmap(sum, { inAxes: -2 })(x)), toJsSync(np.sum(x, { axis: [0, 2] })))
    expect.close(value(vmap(sum, { inAxes: -1 })(x)), toJsSync(np.sum(x, { axis: [0, 1] })))
    expect.error(
      failure(vmap(sum, { inAxes: -4 })(x)),
      VmapAxisError,
      "vmap was requested to map its argument along axis -4, which implies that its rank should be at least 4, but is only 3 (its shape is (3, 4, 5))"
    )
    const id = (t: Tensor) => t
    expect.close(value(vmap(id, { outAxes: -3 })(x)), toJsSync(x))
    expect.close(value(vmap(id, { outAxes: -2 })(x)), toJsSync(np.transpose(x, [1, 0, 2])))
    expect.close(value(vmap(id, { outAxes: -1 })(x)), toJsSync(np.transpose(x, [1, 2, 0])))
    expect.error(failure(vmap(id, { outAxes: -4 })(x)), VmapAxisError, /axis -4 is out of bounds/)
    const pair = (...xs: Array<Tensor>) => xs
    const [, sevens] = run(vmap(pair, { inAxes: [0, null], outAxes: [0, -1] })(np.arange(5), np.array(7)))
    expect.close(toJsSync(sevens), [7, 7, 7, 7, 7])
    expect.error(
      failure(vmap(pair, { inAxes: [0, null], outAxes: [0, -2] })(np.arange(5), np.array(7))),
      VmapAxisError,
      /axis -2 is out of bounds/
    )
  })

  it("testNonJaxTypedOutput: a string output is a typed error", () => {
    expect.error(
      failure(vmap((_x: Tensor) => "hello")(np.arange(5))),
      VmapSpecError,
      /Output from batched function "hello" with type string is not a valid array type/
    )
  })

  it("testBatchingPreservesWeakType: a weak input stays weak inside and out", () => {
    const x = np.reshape(lax.scalar(1, "float32", true), [1])
    let inside = false
    const y = run(
      vmap((v: Tensor) => {
        inside = v.weakType
        return v
      })(x)
    )
    expect.close([inside, y.weakType], [true, true])
  })

  it("hessian (testHessian) of sum(max(x, 0)^2), as JAX documents", () => {
    const fun = (x: Tensor) => np.sum(np.power(np.maximum(x, 0), 2))
    const h = value(hessian(fun)(np.array([-1, -0.5, 0, 0.5, 1])))
    // JAX splits the tie at x = 0 between the branches of maximum: 0.5 on the diagonal there.
    expect.close(h, [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0.5, 0, 0], [0, 0, 0, 2, 0], [0, 0, 0, 0, 2]])
  })
})

describe("collectives (tests/batching_test.py)", () => {
  // testCommAssocCollective: every ordering of vmap names and collective names.
  const collectives = [
    ["psum", psum, (x: Tensor, axis: Array<number>) => np.sum(x, { axis, keepdims: true })],
    ["pmax", pmax, (x: Tensor, axis: Array<number>) => np.max(x, { axis, keepdims: true })],
    ["pmin", pmin, (x: Tensor, axis: Array<number>) => np.min(x, { axis, keepdims: true })]
  ] as const
  const nameSets = [["i"], ["i", "j"], ["i", "j", "k"]]
  const permutations = (xs: Array<string>): Array<Array<string>> =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]))
  const subsets = (xs: Array<string>): Array<Array<string>> =>
    xs.reduce<Array<Array<string>>>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]).filter((s) =>
      s.length > 0
    )
  for (const [label, collective, bulk] of collectives) {
    it(`testCommAssocCollective: ${label} over every subset and order of vmapped names`, () => {
      const x = np.reshape(np.arange(8, undefined, 1, { dtype: "float32" }), [2, 2, 2])
      for (const vmapNames of nameSets) {
        for (const names of subsets(vmapNames).flatMap(permutations)) {
          let f = (v: Tensor): unknown => np.subtract(v, collective(v, names))
          vmapNames.forEach((axisName, i) => {
            const inner = f
            f = (v: Tensor) => vmap(inner as (v: Tensor) => Tensor, { axisName, inAxes: i, outAxes: i })(v)
          })
          const positions = vmapNames.flatMap((n, i) => (names.includes(n) ? [i] : []))
          const ans = run(f(x) as Effect.Effect<Tensor, never, never>)
          expect.close(toJsSync(ans), toJsSync(np.subtract(x, bulk(x, positions))))
        }
      }
    })
  }

  it("testAxisIndex: x - axis_index", () => {
    const x = np.arange(10, undefined, 1, { dtype: "int32" })
    expect.close(value(vmap((v: Tensor) => np.subtract(v, axisIndex("i")), { axisName: "i" })(x)), [
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0
    ])
  })

  it("testGradOfPsum: psum transposes to psum, so the gradient does not vary along the axis", () => {
    // grad of -psum(x) per example: the cotangent -1 is psum'd over 5 examples (JAX: psum + pbroadcast).
    const f = vmap(grad((x: Tensor) => np.negative(psum(x, "i"))), { outAxes: null, axisName: "i" })
    expect.close(value(f(np.ones([5]))), -5)
  })

  it("psum docstring example: x / psum(x, 'i')", () => {
    expect.close(value(vmap((x: Tensor) => np.divide(x, psum(x, "i")), { axisName: "i" })(np.array([1, 3, 4]))), [
      0.125,
      0.375,
      0.5
    ])
  })
})
