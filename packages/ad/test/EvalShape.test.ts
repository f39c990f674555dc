/**
 * `evalShape` and `ShapeDtypeStruct` (JAX's `jax.eval_shape`, `jax.ShapeDtypeStruct`; cases after
 * jax/tests/api_test.py's test_eval_shape*): output types without computing, and the staging
 * functions (`makeProgram`, `jit(f).lower`, `linearTranspose`) at abstract arguments.
 */
import { ArgumentError, lax, np, ShapeDtypeStruct, toJsSync, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { evalShape, jit, linearTranspose, makeProgram } from "../src/index.js"
import { failure, run } from "./gradHelpers.js"

const shapeOf = (s: unknown) => {
  assert.instanceOf(s, ShapeDtypeStruct)
  return [(s as ShapeDtypeStruct).shape, (s as ShapeDtypeStruct).dtype, (s as ShapeDtypeStruct).weakType]
}

describe("ShapeDtypeStruct", () => {
  it("holds a shape, a dtype and a weak type, prints as JAX's, and is a pytree leaf", () => {
    const s = new ShapeDtypeStruct([2, 3], "float32")
    assert.strictEqual(String(s), "ShapeDtypeStruct(shape=(2, 3), dtype=float32)")
    assert.strictEqual(
      String(new ShapeDtypeStruct([5], "int32", { weakType: true })),
      "ShapeDtypeStruct(shape=(5,), dtype=int32, weak_type=True)"
    )
    assert.strictEqual(s.size, 6)
    assert.strictEqual(s.ndim, 2)
    assert.deepStrictEqual(Tree.leaves({ a: s, b: [s] }), [s, s])
  })

  it("bad shapes and dtypes are typed errors", () => {
    assert.throws(() => new ShapeDtypeStruct([2, -1], "float32"), /non-negative integer/)
    assert.throws(() => new ShapeDtypeStruct(3 as never, "float32"), ArgumentError)
    assert.throws(() => new ShapeDtypeStruct([2], "float16" as never), /dtype float16 is not supported/)
  })
})

describe("evalShape (JAX's eval_shape)", () => {
  const fun = (x: Tensor, y: Tensor) => np.tanh(np.add(np.matmul(x, y), 3))

  it("test_eval_shape: the output type of a function of tensors", () => {
    assert.deepStrictEqual(shapeOf(run(evalShape(fun, np.ones([2, 3]), np.ones([3, 4])))), [[2, 4], "float32", false])
  })

  it("test_eval_shape_constants: a function of no arguments", () => {
    const f = () => fun(np.ones([2, 3]), np.ones([3, 4]))
    assert.deepStrictEqual(shapeOf(run(evalShape(f))), [[2, 4], "float32", false])
  })

  it("test_eval_shape_tuple_unpacking and output_dict: pytrees in and out, JS numbers weak", () => {
    const f = (x: readonly [Tensor, Tensor], y: number) => ({ hi: np.add(np.add(x[0], x[1]), y) })
    const out = run(evalShape(f, [np.ones([2]), np.ones([2])], 3))
    assert.deepStrictEqual(shapeOf(out.hi), [[2], "float32", false])
    assert.deepStrictEqual(shapeOf(run(evalShape((y: number) => np.multiply(y, 2), 3))), [[], "float32", true])
  })

  it("test_eval_shape_duck_typing: ShapeDtypeStructs stand for the arguments, larger than memory too", () => {
    const f = (a: Tensor, b: Tensor, x: Tensor) => np.add(np.matmul(a, x), b)
    const out = run(
      evalShape(
        f,
        new ShapeDtypeStruct([3, 4], "float32"),
        new ShapeDtypeStruct([1, 5], "float32"),
        new ShapeDtypeStruct([4, 5], "float32")
      )
    )
    assert.deepStrictEqual(shapeOf(out), [[3, 5], "float32", false])
    // 4e12 elements: nothing is allocated
    const huge = run(
      evalShape((v: Tensor) => np.sum(np.exp(v), { axis: 0 }), new ShapeDtypeStruct([1000000, 4000000], "float64"))
    )
    assert.deepStrictEqual(shapeOf(huge), [[4000000], "float64", false])
  })

  it("test_eval_shape_shape_error: a shape mismatch is the op's typed error", () => {
    const e = failure(evalShape(fun, np.ones([3, 3]), np.ones([4, 4]))) as { readonly _tag: string }
    assert.strictEqual(e._tag, "ShapeError")
  })

  it("reading a value is a ConcretizationError; a bad argument an InvalidArgumentError", () => {
    const e = failure(
      evalShape((x: Tensor) => ((toJsSync(np.sum(x)) as number) > 0 ? x : np.negative(x)), np.ones([2]))
    ) as {
      readonly _tag: string
    }
    assert.strictEqual(e._tag, "ConcretizationError")
    const bad = failure(evalShape((x: Tensor) => x, "nope" as never)) as {
      readonly _tag: string
      readonly message: string
    }
    assert.strictEqual(bad._tag, "InvalidArgumentError")
    assert.include(bad.message, "(the arguments at [0])")
  })
})

describe("the staging functions take ShapeDtypeStructs", () => {
  it("makeProgram and jit(f).lower stage the same program as at tensors", () => {
    const f = (x: Tensor) => np.multiply(np.sin(x), 2)
    const abstract = new ShapeDtypeStruct([3], "float32")
    assert.strictEqual(String(run(makeProgram(f)(abstract))), String(run(makeProgram(f)(np.zeros([3])))))
    const g = jit(f)
    assert.strictEqual(run(g.lower(abstract)).text, run(g.lower(np.zeros([3]))).text)
    // lowering traced once: the tensor call of the same type hits the cache
    assert.strictEqual(g.cacheInfo().misses, 1)
    assert.deepStrictEqual(toJsSync(run(g(np.array([0, 0, 0])))), [0, 0, 0])
    // a jitted call of a ShapeDtypeStruct is refused: it needs values
    const e = failure(g(abstract as never)) as { readonly _tag: string }
    assert.strictEqual(e._tag, "InvalidArgumentError")
  })

  it("linearTranspose at ShapeDtypeStructs", () => {
    const f = (x: Tensor, y: Tensor) => lax.sub(lax.mul(x, np.array(0.5)), lax.mul(y, np.array(0.5)))
    const s = new ShapeDtypeStruct([], "float32")
    const t = run(linearTranspose(f, s, s))
    assert.deepStrictEqual(toJsSync(run(t(np.array(1)))), [0.5, -0.5])
  })
})
