/**
 * JAX parity: vmap and collectives. Each case cites the JAX test it pins
 * (tests/batching_test.py unless said otherwise); expected values are computed
 * here with plain loops, as the JAX tests compute them with NumPy.
 */
import {
  axisIndex,
  grad,
  hessian,
  jvp,
  pmax,
  pmean,
  pmin,
  psum,
  vjp,
  vmap,
  VmapAxisError,
  VmapOutAxesError,
  VmapSizeError,
  VmapSpecError
} from "@diffect/ad"
import { lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
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
  it("spmdAxisName (JAX's sharding annotation) is accepted, changes nothing on one device, and is checked", () => {
    const x = np.array([[1, 2], [3, 4]])
    expect.close(value(vmap((a: Tensor) => np.sum(a), { spmdAxisName: "data" })(x)), [3, 7])
    expect.close(value(vmap((a: Tensor) => np.sum(a), { spmdAxisName: ["data", "model"] })(x)), [3, 7])
    const error = failure(vmap((a: Tensor) => a, { spmdAxisName: 3 } as never)(x)) as { _tag: string; message: string }
    assert.strictEqual(error._tag, "ArgumentError")
    assert.include(error.message, "spmdAxisName")
  })

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
      const [, jac] = yield* vmap(push, { outAxes: [null, 0] })(np.eye(3, { dtype: "float64" }))
      return np.transpose(jac) // rows of jac are J @ e_i
    })
    const jacbwdV = Effect.gen(function*() {
      const [, pullback] = yield* vjp(f, [x])
      const [jac] = yield* vmap(pullback)(np.eye(4, { dtype: "float64" }))
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
    const x = np.reshape(np.arange(10 * 2 * 3, { dtype: "float64" }), [10, 2, 3])
    const y = np.reshape(np.arange(10 * 3, { dtype: "float64" }), [1, 10, 3])
    const z = np.reshape(np.arange(4 * 3, { dtype: "float64" }), [4, 3])
    const fun = (...args: Array<Tensor>) => lax.concatenate(args, 0)
    const ans = value(vmap(fun, { inAxes: [0, 1, null] })(x, y, z))
    const expected = np.concatenate([x, np.swapaxes(y, 0, 1), np.broadcastTo(z, [10, 4, 3])], { axis: 1 })
    expect.close(ans, toJsSync(expected))
  })

  it("testTranspose and testTransposePermutation", () => {
    const x = np.reshape(np.arange(36, { dtype: "float64" }), [4, 3, 3])
    expect.close(value(vmap((m: Tensor) => np.add(m, np.transpose(m)))(x)), toJsSync(np.add(x, np.swapaxes(x, -1, -2))))
    const y = np.reshape(np.arange(360, { dtype: "float64" }), [6, 3, 4, 5])
    expect.close(
      value(vmap((m: Tensor) => np.transpose(m, { axes: [1, 0, 2] }))(y)),
      toJsSync(np.transpose(y, { axes: [0, 2, 1, 3] }))
    )
    const w = np.reshape(y, [3, 4, 6, 5])
    expect.close(
      value(vmap((m: Tensor) => np.transpose(m, { axes: [1, 2, 0] }), { inAxes: 2 })(w)),
      toJsSync(np.transpose(w, { axes: [2, 1, 3, 0] }))
    )
  })

  it("testNegativeAxes: negative in and out axes, and their errors", () => {
    const x = np.reshape(np.arange(60, { dtype: "float64" }), [3, 4, 5])
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
    expect.close(value(vmap(id, { outAxes: -2 })(x)), toJsSync(np.transpose(x, { axes: [1, 0, 2] })))
    expect.close(value(vmap(id, { outAxes: -1 })(x)), toJsSync(np.transpose(x, { axes: [1, 2, 0] })))
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

  it("test_vmap_in_axes_list (api_test.py, jax issue 2367): a dict argument with in_axes None", () => {
    const f = (d: { a: number; b: Tensor }, x: Tensor, y: Tensor) => np.add(np.add(d.a, d.b), np.add(x, y))
    const out = value(vmap(f, { inAxes: [null, 0, 0] })({ a: 5, b: np.ones([2]) }, np.zeros([3]), np.arange(3)))
    expect.close(out, [[6, 6], [7, 7], [8, 8]])
  })

  it("test_vmap_structured_in_axes (api_test.py): nested tuple and dict in_axes", () => {
    const x = np.ones([6, 2, 3])
    const y = np.ones([3, 6, 4])
    const z = np.ones([4, 5, 6])
    const foo = (t: [Tensor, [Tensor, Tensor]]) => np.matmul(t[0], np.matmul(t[1][0], t[1][1]))
    assert.deepStrictEqual([...run(vmap(foo, { inAxes: [[0, [1, 2]]] })([x, [y, z]])).shape], [6, 2, 5])
    const bar = (t: [Tensor, { a: Tensor; b: Tensor }]) => np.matmul(t[0], np.matmul(t[1].a, t[1].b))
    assert.deepStrictEqual([...run(vmap(bar, { inAxes: [[0, { a: 1, b: 2 }]] })([x, { a: y, b: z }])).shape], [6, 2, 5])
  })

  it("test_vmap_unbatched_object_passthrough_issue_183 (api_test.py): a function argument with in_axes None", () => {
    const out = vmap((f: (x: Tensor) => Tensor, x: Tensor) => f(x), { inAxes: [null, 0] })(
      (x: Tensor) => np.add(x, 1),
      np.arange(3, { dtype: "float32" })
    )
    expect.close(value(out), [1, 2, 3])
  })

  it("test_vmap_unmapped_last (api_test.py): out_axes -1 on an unbatched output broadcasts it", () => {
    assert.deepStrictEqual([...run(vmap((_x: Tensor) => np.zeros([2]), { outAxes: -1 })(np.zeros([5]))).shape], [2, 5])
  })

  it("test_vmap_mismatched_axis_sizes_error_message_issue_705 (api_test.py): argument names and types", () => {
    const X = np.ones([10, 4])
    const U = np.ones([10, 2])
    const h = (a: Tensor, b: Tensor | Array<Tensor>) => np.add(np.sum(a), np.sum(Array.isArray(b) ? b[0]! : b))
    expect.error(
      failure(vmap(h, { inAxes: [0, 1] })(X, U)),
      VmapSizeError,
      "vmap got inconsistent sizes for array axes to be mapped:\n" +
        "  * one axis had size 10: axis 0 of argument a of type float32[10,4];\n" +
        "  * one axis had size 2: axis 1 of argument b of type float32[10,2]"
    )
    expect.error(
      failure(vmap((_x: Tensor, _y: Tensor, _z: Tensor) => np.zeros([]), { inAxes: [0, 1, 0] })(X, U, X)),
      VmapSizeError,
      "vmap got inconsistent sizes for array axes to be mapped:\n" +
        "  * most axes (2 of them) had size 10, e.g. axis 0 of argument _x of type float32[10,4];\n" +
        "  * one axis had size 2: axis 1 of argument _y of type float32[10,2]"
    )
    expect.error(
      failure(vmap(h, { inAxes: [0, 1] })(X, [U, U])),
      VmapSizeError,
      "vmap got inconsistent sizes for array axes to be mapped:\n" +
        "  * most axes (2 of them) had size 2, e.g. axis 1 of argument b[0] of type float32[10,2];\n" +
        "  * one axis had size 10: axis 0 of argument a of type float32[10,4]"
    )
    expect.error(
      failure(vmap((x: Tensor) => x, { outAxes: null, axisName: "foo" })(np.array([1, 2]))),
      VmapOutAxesError,
      /vmap has mapped output.*axis_name=foo.*but out_axes is None/
    )
    expect.error(
      failure(vmap((x: Tensor) => x, { outAxes: [2, 3] })(np.array([1, 2]))),
      VmapSpecError,
      /^vmap out_axes specification must be a tree prefix of the corresponding value/
    )
  })

  it("test_vmap_explicit_axis_size_mismatch (api_test.py)", () => {
    expect.error(
      failure(vmap((x: Tensor) => x, { inAxes: 0, axisSize: 2 })(np.arange(8, { dtype: "int32" }))),
      VmapSizeError,
      "vmap got inconsistent sizes for array axes to be mapped:\n" +
        "  * the `axis_size` argument was 2;\n" +
        "  * one axis had size 8: axis 0 of argument x of type int32[8]"
    )
  })

  it("test_vmap_empty_arguments and test_vmap_scalar (api_test.py)", () => {
    expect.error(
      failure(vmap((x: Record<string, never>) => x)({})),
      VmapSizeError,
      "vmap wrapped function must be passed at least one argument containing an array or axis_size must be specified, got empty *args=({},) and **kwargs={}"
    )
    expect.close(value(vmap((x: Tensor) => x, { inAxes: null, axisSize: 1 })(np.array(1))), [1])
    expect.error(
      failure(vmap((x: Tensor) => x, { inAxes: 0, axisSize: 1 })(np.array(1))),
      VmapAxisError,
      /^vmap was requested to map its argument along axis 0/
    )
    expect.error(
      failure(vmap((x: Tensor) => x, { inAxes: 1, axisSize: 1 })(np.array(1))),
      VmapAxisError,
      /^vmap was requested to map its argument along axis 1/
    )
  })

  it("test_vmap_in_axes_non_tuple_error, _wrong_length_tuple_error, _tree_prefix_error, _bool_error (api_test.py)", () => {
    expect.error(
      failure(vmap((x: { a: Tensor }) => x.a, { inAxes: { a: 0 } })({ a: np.zeros([3]) })),
      VmapSpecError,
      "vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got { a: 0 }."
    )
    expect.error(
      failure(vmap((x: { a: Tensor }) => x.a, { inAxes: [0, { a: 0 }] })({ a: np.zeros([3, 3]) })),
      VmapSpecError,
      /but got len\(in_axes\)=2, len\(args\)=1/
    )
    expect.error(
      failure(vmap((x: Tensor) => x, { inAxes: [[0]] })(np.ones([3]))),
      VmapSpecError,
      /^vmap in_axes specification must be a tree prefix of the corresponding value;/
    )
    expect.error(
      failure(vmap((x: Tensor) => x, { inAxes: false as never })(np.zeros([3]))),
      VmapSpecError,
      /must be an int/
    )
  })

  it("testAny: vmap(jnp.any) of a bool matrix (jax issue 108)", () => {
    expect.close(value(vmap((x: Tensor) => np.any(x))(np.array([[true, false], [false, false]]))), [true, false])
    expect.close(value(vmap((x: Tensor) => np.all(x))(np.array([[true, true], [false, true]]))), [true, false])
  })

  it("testEmptyTuples: empty containers in the inputs and outputs", () => {
    expect.close(value(vmap((x: Tensor, _: []) => np.add(x, 1))(np.array([0, 1]), [])), [1, 2])
    const [result, empty] = run(vmap((x: Tensor) => [np.add(x, 1), []] as const)(np.array([0, 1])))
    expect.close(toJsSync(result), [1, 2])
    assert.deepStrictEqual(empty, [])
  })

  it("vmap docstring: a dict in_axes with None, and out_axes None / 0 for an unmapped result", () => {
    const foo = (dct: { a: number; b: Tensor }, x: number) => np.add(np.add(dct.a, dct.b), x)
    const dct = { a: 0, b: np.arange(5, { dtype: "float32" }) }
    expect.close(value(vmap(foo, { inAxes: [{ a: null, b: 0 }, null] })(dct, 1)), [1, 2, 3, 4, 5])
    const pair = (x: Tensor, y: number) => [np.add(x, y), np.multiply(y, 2)] as const
    const xs = np.arange(2, { dtype: "float32" })
    expect.close(value(vmap(pair, { inAxes: [0, null], outAxes: [0, null] })(xs, 4)), [[4, 5], 8])
    const [, broadcast] = run(vmap(pair, { inAxes: [0, null], outAxes: 0 })(xs, 4))
    expect.close(toJsSync(broadcast), [8, 8])
    assert.isTrue(broadcast.weakType)
    const m = np.reshape(np.arange(12, { dtype: "float32" }), [3, 4])
    const summed = [12, 15, 18, 21]
    expect.close(value(vmap((x: Tensor) => psum(x, "i"), { axisName: "i" })(m)), [summed, summed, summed])
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
      const x = np.reshape(np.arange(8, { dtype: "float32" }), [2, 2, 2])
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
    const x = np.arange(10, { dtype: "int32" })
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

  it("psum and pmean of pytrees (lax.psum docstring: 'x: array(s) with a mapped axis named axis_name')", () => {
    const out = value(
      vmap((x: Tensor) => psum({ a: x, b: [np.multiply(x, 2)] }, "i"), { axisName: "i" })(np.array([1, 2, 3]))
    )
    expect.close(out, { a: [6, 6, 6], b: [[12, 12, 12]] })
    const means = value(
      vmap((x: Tensor) => pmean([x, { y: np.square(x) }], "i"), { axisName: "i" })(np.array([1, 2, 3]))
    )
    expect.close(means, [[2, 2, 2], { y: [14 / 3, 14 / 3, 14 / 3] }])
  })

  it("psum of an unbatched value or a JS number is the axis size times it (psum(1, 'i') counts the instances)", () => {
    expect.close(
      value(vmap((x: Tensor) => np.add(x, psum(1, "i")), { axisName: "i" })(np.array([1, 2, 3]))),
      [4, 5, 6]
    )
    expect.close(value(vmap(() => psum(1, "i"), { axisSize: 4, axisName: "i" })()), [4, 4, 4, 4])
    expect.close(value(vmap((_x: Tensor) => psum(np.array(2), "i"), { axisName: "i" })(np.zeros([3]))), [6, 6, 6])
    // JAX's psum counts booleans as int32
    const count = run(vmap((x: Tensor) => psum(np.greater(x, 1), "i"), { axisName: "i" })(np.array([1, 2, 3])))
    assert.strictEqual(count.dtype, "int32")
    expect.close(toJsSync(count), [2, 2, 2])
  })

  it("pmean divides with '/' as JAX's does: the mean of int32 values is float32", () => {
    const m = run(vmap((x: Tensor) => pmean(x, "i"), { axisName: "i" })(np.array([1, 2], { dtype: "int32" })))
    assert.strictEqual(m.dtype, "float32")
    expect.close(toJsSync(m), [1.5, 1.5])
  })

  it("psum docstring example: x / psum(x, 'i')", () => {
    expect.close(value(vmap((x: Tensor) => np.divide(x, psum(x, "i")), { axisName: "i" })(np.array([1, 3, 4]))), [
      0.125,
      0.375,
      0.5
    ])
  })
})
