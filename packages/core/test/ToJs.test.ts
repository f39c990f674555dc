/**
 * Reading tensors as JS values with precise types: `toJs`/`toJsSync` with `{ rank }`
 * and `item`/`itemSync` (NumPy's `x.item()`), their errors, and their types.
 */
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { item, itemSync, np, toJs, toJsSync } from "@diffect/core"
import type {
  ArgumentError,
  BackendError,
  ConcretizationError,
  DTypeError,
  EscapedTracerError,
  JsValue,
  ReleasedTensorError,
  ShapeError
} from "@diffect/core"
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Effect } from "effect"

describe("toJsSync(tensor, { rank })", () => {
  it("reads each rank as nested arrays of numbers", () => {
    assert.strictEqual(toJsSync(np.array(2.5), { rank: 0 }), 2.5)
    assert.deepStrictEqual(toJsSync(np.array([1, 2, 3]), { rank: 1 }), [1, 2, 3])
    assert.deepStrictEqual(toJsSync(np.array([[1, 2], [3, 4]], { dtype: "int32" }), { rank: 2 }), [[1, 2], [3, 4]])
    assert.deepStrictEqual(toJsSync(np.ones([1, 2, 1]), { rank: 3 }), [[[1], [1]]])
    assert.deepStrictEqual(toJsSync(np.zeros([1, 1, 1, 2]), { rank: 4 }), [[[[0, 0]]]])
  })

  it("options other than { rank } are an ArgumentError (a misspelled rank was ignored)", () => {
    assert.throws(() => toJsSync(np.array(1), { rnk: 0 } as never), /toJsSync: options .*unknown key "rnk"/)
    assert.throws(() => toJsSync(np.array(1), [0] as never), /toJsSync: options must be an options object/)
  })

  it("is typed by the rank, so common code needs no cast", () => {
    expectTypeOf(toJsSync(np.array(1), { rank: 0 })).toEqualTypeOf<number>()
    expectTypeOf(toJsSync(np.array([1]), { rank: 1 })).toEqualTypeOf<Array<number>>()
    expectTypeOf(toJsSync(np.array([[1]]), { rank: 2 })).toEqualTypeOf<Array<Array<number>>>()
    expectTypeOf(toJsSync(np.array([1]))).toEqualTypeOf<JsValue>()
    expectTypeOf(itemSync(np.array(1))).toEqualTypeOf<number>()
    expectTypeOf(toJs(np.array([1]), { rank: 1 })).toEqualTypeOf<
      Effect.Effect<
        Array<number>,
        | BackendError
        | ConcretizationError
        | EscapedTracerError
        | ReleasedTensorError
        | ShapeError
        | DTypeError
        | ArgumentError
      >
    >()
    expectTypeOf(toJs({ a: np.array(1) })).toEqualTypeOf<
      Effect.Effect<{ a: JsValue }, BackendError | ConcretizationError | EscapedTracerError | ReleasedTensorError>
    >()
    const total: number = toJsSync(np.array([1, 2]), { rank: 1 }).reduce((a, b) => a + b, 0)
    assert.strictEqual(total, 3)
  })

  it("refuses another rank with a ShapeError", () => {
    assert.strictEqual(
      thrownTag(() => toJsSync(np.array([1, 2]), { rank: 0 }), "ShapeError"),
      "toJsSync: { rank: 0 } needs a tensor of rank 0, got Tensor(f32[2]) (rank 1)"
    )
    assert.strictEqual(
      thrownTag(() => toJsSync(np.array(1), { rank: 2 }), "ShapeError"),
      "toJsSync: { rank: 2 } needs a tensor of rank 2, got Tensor(f32[]) (rank 0)"
    )
  })

  it("refuses bool and complex tensors (not numbers) with a DTypeError", () => {
    assert.strictEqual(
      thrownTag(() => toJsSync(np.array([true]), { rank: 1 }), "DTypeError"),
      "toJsSync: reads int and float tensors as numbers, got Tensor(bool[1]) (bool); read it with toJs(tensor) (booleans or { re, im })"
    )
    thrownTag(() => toJsSync(np.array([{ re: 1, im: 2 }]), { rank: 1 }), "DTypeError")
    // A pytree is not a tensor: it is read with toJs(tree), without a rank.
    thrownTag(() => toJsSync({ a: np.array(1) } as never, { rank: 0 }), "DTypeError")
  })
})

describe("itemSync", () => {
  it("reads the one number of a size-1 tensor of any rank", () => {
    assert.strictEqual(itemSync(np.array(3)), 3)
    assert.strictEqual(itemSync(np.array([[-1.5]])), -1.5)
    assert.strictEqual(itemSync(np.array([7], { dtype: "int32" })), 7)
    assert.strictEqual(itemSync(np.mean(np.array([1, 2, 4]))), Math.fround(7 / 3))
  })

  it("refuses another size (NumPy: only size-1 arrays convert to a scalar) and non-numbers", () => {
    assert.strictEqual(
      thrownTag(() => itemSync(np.array([1, 2])), "ShapeError"),
      "itemSync: can only convert a tensor of size 1 to a number, got Tensor(f32[2]) (size 2)"
    )
    thrownTag(() => itemSync(np.zeros([0])), "ShapeError")
    thrownTag(() => itemSync(np.array(true)), "DTypeError")
  })
})

describe("toJs and item (Effects)", () => {
  it.effect("read through the backend, typed by the rank", () =>
    Effect.gen(function*() {
      const xs = yield* toJs(np.array([1, 2, 3]), { rank: 1 })
      assert.deepStrictEqual(xs.map((x) => x * 2), [2, 4, 6])
      assert.strictEqual(yield* item(np.sum(np.array([1, 2, 3]))), 6)
    }).pipe(Effect.provide(TypedArrayBackend.layer)))

  it.effect("fail with the tagged error instead of throwing", () =>
    Effect.gen(function*() {
      const wrongRank = yield* Effect.flip(toJs(np.array([1, 2]), { rank: 2 }))
      assert.strictEqual(wrongRank._tag, "ShapeError")
      const notANumber = yield* Effect.flip(item(np.array([true])))
      assert.strictEqual(notANumber._tag, "DTypeError")
      const tooMany = yield* Effect.flip(item(np.array([1, 2])))
      assert.strictEqual(
        tooMany.message,
        "item: can only convert a tensor of size 1 to a number, got Tensor(f32[2]) (size 2)"
      )
    }).pipe(Effect.provide(TypedArrayBackend.layer)))
})

describe("a tensor in a numeric JS context (Symbol.toPrimitive, JAX's float(x))", () => {
  it("reads a one-element tensor of any rank: Number, unary +, comparisons, arithmetic, Math", () => {
    const t = np.array(2.5)
    assert.strictEqual(Number(t), 2.5)
    assert.strictEqual(+np.array([[7]], { dtype: "int32" }), 7)
    assert.isTrue((t as unknown as number) > 2)
    assert.strictEqual((t as unknown as number) * 2, 5)
    assert.strictEqual(Math.max(t as unknown as number, 3), 3)
    assert.strictEqual(Number(np.array(true)), 1)
    assert.strictEqual(Number(np.array([1, 2, 3]).sum()), 6)
  })

  it("string contexts keep JAX's repr", () => {
    const t = np.array([1, 2])
    assert.strictEqual(`${t}`, "Array([1., 2.], dtype=float32)")
    assert.strictEqual("x: " + t, "x: Array([1., 2.], dtype=float32)")
  })

  it("more than one element, or a complex value, is a typed error, not NaN", () => {
    assert.match(thrownTag(() => Number(np.array([1, 2])), "ShapeError"), /shape \[2\]: use the tensor's methods/)
    assert.throws(() => (np.ones([2, 3]) as unknown as number) > 0, /only one-element tensors.*shape \[2, 3\]/)
    assert.match(thrownTag(() => Number(np.array([1, 2], { dtype: "complex64" }).sum()), "DTypeError"), /np\.real/)
  })
})

describe("toJs and toJsSync options", () => {
  it("options that are not an object are an ArgumentError", () => {
    assert.match(thrownTag(() => toJsSync(np.array([1]), null as never), "ArgumentError"), /options object/)
    const failed = Effect.runSync(Effect.flip(toJs(np.array([1]), 3 as never)))
    assert.strictEqual((failed as { _tag: string })._tag, "ArgumentError")
  })
})
