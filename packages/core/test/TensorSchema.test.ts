import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Result, Schema } from "effect"
import * as fc from "fast-check"
import type { DType } from "../src/DType.js"
// The index, not Tensor.ts alone: it installs the static Tensor.schema (internal/methods.ts).
import { aval, ConcreteTensor, Tensor, TensorSchema, Tree } from "../src/index.js"

const zeros = (shape: ReadonlyArray<number>, dtype: DType = "float32"): Tensor =>
  new ConcreteTensor(aval(shape, dtype), new Float32Array(shape.reduce((a, b) => a * b, 1)), undefined)

const failure = (schema: Schema.Top, input: unknown): string => {
  const r = Schema.decodeUnknownResult(schema as Schema.Codec<unknown>)(input)
  if (Result.isSuccess(r)) throw new Error("expected a decoding failure")
  return r.failure.message
}

describe("Tensor.schema", () => {
  it("formats specs like JAX's avals", () => {
    assert.strictEqual(TensorSchema.formatSpec({ dtype: "float32", shape: [null, 784] }), "f32[?,784]")
    assert.strictEqual(TensorSchema.formatSpec({ dtype: "int32", shape: [] }), "i32[]")
    assert.strictEqual(TensorSchema.formatSpec({ shape: [3] }), "any[3]")
    assert.strictEqual(TensorSchema.formatSpec({ dtype: ["float32", "float64"] }), "f32|f64[...]")
  })

  it("accepts a matching tensor and returns it unchanged", () => {
    const s = Tensor.schema({ dtype: "float32", shape: [null, 784] })
    const x = zeros([32, 784])
    assert.strictEqual(Schema.decodeUnknownSync(s)(x), x)
    assert.strictEqual(Schema.encodeSync(s)(x), x)
    const y = zeros([0, 784])
    assert.strictEqual(Schema.decodeUnknownSync(s)(y), y)
  })

  it("rejects the wrong shape, rank and dtype, naming expected and actual", () => {
    const s = Tensor.schema({ dtype: "float32", shape: [null, 784] })
    assert.strictEqual(failure(s, zeros([32, 783])), "Expected f32[?,784], got f32[32,783]")
    assert.strictEqual(failure(s, zeros([784])), "Expected f32[?,784], got f32[784]")
    assert.strictEqual(failure(s, zeros([32, 784], "float64")), "Expected f32[?,784], got f64[32,784]")
    assert.strictEqual(failure(s, 3), "Expected f32[?,784], got number 3")
    assert.strictEqual(failure(s, [[1, 2]]), "Expected f32[?,784], got an array of length 1")
    assert.strictEqual(failure(s, null), "Expected f32[?,784], got null")
  })

  it("free dtype and free shape", () => {
    const anyShape = Tensor.schema({ dtype: "int32" })
    assert.isTrue(Schema.is(anyShape)(zeros([2, 3, 4], "int32")))
    assert.isFalse(Schema.is(anyShape)(zeros([2], "float32")))
    const anyDtype = Tensor.schema({ shape: [2] })
    assert.isTrue(Schema.is(anyDtype)(zeros([2], "bool")))
    assert.isFalse(Schema.is(anyDtype)(zeros([3], "bool")))
    const floats = Tensor.schema({ dtype: ["float32", "float64"], shape: [] })
    assert.isTrue(Schema.is(floats)(zeros([], "float64")))
    assert.strictEqual(failure(floats, zeros([], "int32")), "Expected f32|f64[], got i32[]")
  })

  it("rejects bad specs at construction", () => {
    assert.throws(() => Tensor.schema({ shape: [-1] }), /non-negative integers or null/)
    assert.throws(() => Tensor.schema({ shape: [1.5] }), /non-negative integers or null/)
  })

  it("names the path of a failure in a pytree schema", () => {
    const Params = Schema.Struct({
      w: Tensor.schema({ dtype: "float32", shape: [null, 784] }),
      layers: Schema.Array(Schema.Struct({ b: Tensor.schema({ dtype: "float32", shape: [10] }) }))
    })
    assert.strictEqual(
      failure(Params, { w: zeros([32, 783]), layers: [] }),
      "Expected f32[?,784], got f32[32,783]\n  at [\"w\"]"
    )
    assert.strictEqual(
      failure(Params, { w: zeros([1, 784]), layers: [{ b: zeros([10]) }, { b: zeros([11]) }] }),
      "Expected f32[10], got f32[11]\n  at [\"layers\"][1][\"b\"]"
    )
  })

  it.effect("fails in the error channel with a SchemaError", () =>
    Effect.gen(function*() {
      const s = Schema.Tuple([Tensor.schema({ dtype: "float32", shape: [2] })])
      const exit = yield* Effect.exit(Schema.decodeUnknownEffect(s)([zeros([3])]))
      assert.isTrue(Exit.isFailure(exit))
      const err = yield* Effect.flip(Schema.decodeUnknownEffect(s)([zeros([3])]))
      assert.isTrue(Schema.isSchemaError(err))
      assert.strictEqual(err.message, "Expected f32[2], got f32[3]\n  at [0]")
      const ok = yield* Schema.decodeUnknownEffect(s)([zeros([2])])
      assert.deepStrictEqual(ok[0].shape, [2])
    }))

  it("keeps the spec for introspection", () => {
    const spec = { dtype: "float32", shape: [null, 3] } as const
    assert.deepStrictEqual(TensorSchema.specOf(Tensor.schema(spec)), spec)
    assert.isUndefined(TensorSchema.specOf(Schema.Number))
  })
})

describe("Tensor.schema properties", () => {
  const dtypes: ReadonlyArray<DType> = ["float32", "float64", "int32", "bool", "complex64", "complex128"]
  const dims = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 })
  const specDims = fc.array(fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), { maxLength: 4 })

  it("decoding succeeds exactly when dtype and every fixed dimension agree (property)", () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(...dtypes), { nil: undefined }),
        fc.option(specDims, { nil: undefined }),
        fc.constantFrom(...dtypes),
        dims,
        (specDtype, specShape, dtype, shape) => {
          const spec = { dtype: specDtype, shape: specShape }
          const x = new ConcreteTensor(aval(shape, dtype), undefined, undefined)
          const dtypeOk = specDtype === undefined || specDtype === dtype
          const shapeOk = specShape === undefined ||
            (specShape.length === shape.length && specShape.every((d, i) => d === null || d === shape[i]))
          const r = Schema.decodeUnknownResult(Tensor.schema(spec))(x)
          assert.strictEqual(Result.isSuccess(r), dtypeOk && shapeOk)
          if (Result.isFailure(r)) {
            const short = {
              float32: "f32",
              float64: "f64",
              int32: "i32",
              bool: "bool",
              complex64: "c64",
              complex128: "c128"
            }
            const expected = `${specDtype === undefined ? "any" : short[specDtype as keyof typeof short]}[${
              specShape === undefined ? "..." : specShape.map((d) => d ?? "?").join(",")
            }]`
            assert.strictEqual(
              r.failure.message,
              `Expected ${expected}, got ${short[dtype as keyof typeof short]}[${shape.join(",")}]`
            )
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("TensorSchema.fromJs", () => {
  const host = (t: Tensor): Array<number> => Array.from((t as ConcreteTensor).host!)

  it("decodes nested JS arrays into a tensor of the spec's dtype", () => {
    const s = TensorSchema.fromJs({ dtype: "float64", shape: [null, 2] })
    const t = Schema.decodeUnknownSync(s)([[1, 2], [3, 4.5]])
    assert.isTrue(t instanceof Tensor)
    assert.strictEqual(t.dtype, "float64")
    assert.deepStrictEqual(t.shape, [2, 2])
    assert.deepStrictEqual(host(t), [1, 2, 3, 4.5])
    const ints = Schema.decodeUnknownSync(TensorSchema.fromJs({ dtype: "int32", shape: [3] }))([1, 2, 3])
    assert.strictEqual(ints.dtype, "int32")
    assert.deepStrictEqual(host(ints), [1, 2, 3])
    const scalar = Schema.decodeUnknownSync(TensorSchema.fromJs({ shape: [] }))(true)
    assert.strictEqual(scalar.dtype, "bool")
    assert.deepStrictEqual(scalar.shape, [])
  })

  it("passes tensors through and checks them", () => {
    const s = TensorSchema.fromJs({ dtype: "float32", shape: [2] })
    const x = zeros([2])
    assert.strictEqual(Schema.decodeUnknownSync(s)(x), x)
    assert.strictEqual(failure(s, zeros([3])), "Expected f32[2], got f32[3]")
  })

  it("fails on the wrong shape after conversion, and on ragged input, naming the path", () => {
    const Batch = Schema.Struct({ x: TensorSchema.fromJs({ dtype: "float32", shape: [null, 2] }) })
    assert.strictEqual(failure(Batch, { x: [[1, 2, 3]] }), "Expected f32[?,2], got f32[1,3]\n  at [\"x\"]")
    const ragged = failure(Batch, { x: [[1, 2], [3]] })
    assert.isTrue(
      ragged.startsWith("Expected f32[?,2] or JS values for it, got an invalid array: Ragged nested array"),
      ragged
    )
    assert.isTrue(ragged.endsWith("\n  at [\"x\"]"), ragged)
    assert.include(failure(Batch, { x: [["a", "b"]] }), "Cannot make an array from")
  })

  it("decodes nested arrays of any shape in row-major order, and encodes them back (property)", () => {
    const nested = (shape: ReadonlyArray<number>, flat: ReadonlyArray<number>): unknown => {
      let k = 0
      const go = (d: number): unknown =>
        d === shape.length ? flat[k++] : Array.from({ length: shape[d]! }, () => go(d + 1))
      return go(0)
    }
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
              minLength: shape.reduce((a, b) => a * b, 1),
              maxLength: shape.reduce((a, b) => a * b, 1)
            })
          )
        ),
        ([shape, flat]) => {
          const s = TensorSchema.fromJs({ dtype: "float64", shape: shape.map(() => null) })
          const input = nested(shape, flat)
          const t = Schema.decodeUnknownSync(s)(input)
          assert.deepStrictEqual(t.shape, shape)
          assert.deepStrictEqual(host(t), flat)
          assert.deepStrictEqual(Schema.encodeSync(s)(t), input)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("encodes a tensor back to nested JS arrays (round trip)", () => {
    const s = TensorSchema.fromJs({ dtype: "float32", shape: [2, 2] })
    const input = [[1, 2], [3, 4]]
    const t = Schema.decodeUnknownSync(s)(input)
    assert.deepStrictEqual(Schema.encodeSync(s)(t), input)
  })
})

describe("Schema classes of tensors as pytrees", () => {
  class Linear extends Schema.Class<Linear>("Linear")({
    w: Tensor.schema({ dtype: "float32", shape: [null, 4] }),
    b: Tensor.schema({ dtype: "float32", shape: [4] })
  }) {}
  Tree.register(Linear)

  it("validates on decoding and flattens by field", () => {
    const w = zeros([3, 4])
    const b = zeros([4])
    const lin = Schema.decodeUnknownSync(Linear)({ w, b })
    assert.instanceOf(lin, Linear)
    const [leaves, def] = Tree.flatten(lin)
    assert.deepStrictEqual(leaves.map((t) => (t as Tensor).shape), [[4], [3, 4]])
    assert.strictEqual(String(def), "TreeDef(CustomNode(Linear, {b: *, w: *}))")
    assert.strictEqual(failure(Linear, { w, b: zeros([5]) }), "Expected f32[4], got f32[5]\n  at [\"b\"]")
  })

  it("maps without re-validating the class (leaves may become non-tensors)", () => {
    const lin = new Linear({ w: zeros([3, 4]), b: zeros([4]) })
    const shapes = Tree.map(lin, (t) => (t as Tensor).shape.join("x"))
    assert.instanceOf(shapes, Linear)
    assert.strictEqual((shapes as unknown as { w: string }).w, "3x4")
    assert.strictEqual((shapes as unknown as { b: string }).b, "4")
  })
})
