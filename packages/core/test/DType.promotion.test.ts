/**
 * JAX's type promotion table (jax.readthedocs.io, "Type promotion semantics"),
 * restricted to diffect's dtypes; `i*`, `f*`, `c*` are weak types. In diffect a JS
 * number is a weak float (`f*`) and `{ re, im }` a weak complex (`c*`); a weak int
 * comes from lax.convertElementType(..., weakType = true). uint32 follows JAX's table with
 * x64 disabled: `u32 + i32` is i64 there, canonicalized to i32.
 */
import { aval, ConcreteTensor, DType, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure } from "./npSetup.js"

type Code = "b1" | "u32" | "i32" | "f32" | "f64" | "c64" | "c128" | "i*" | "f*" | "c*"
const codes: ReadonlyArray<Code> = ["b1", "u32", "i32", "f32", "f64", "c64", "c128", "i*", "f*", "c*"]

// Rows and columns in the order of `codes`: the table as JAX documents it.
const table: ReadonlyArray<ReadonlyArray<Code>> = [
  ["b1", "u32", "i32", "f32", "f64", "c64", "c128", "i*", "f*", "c*"],
  ["u32", "u32", "i32", "f32", "f64", "c64", "c128", "u32", "f*", "c*"],
  ["i32", "i32", "i32", "f32", "f64", "c64", "c128", "i32", "f*", "c*"],
  ["f32", "f32", "f32", "f32", "f64", "c64", "c128", "f32", "f32", "c64"],
  ["f64", "f64", "f64", "f64", "f64", "c128", "c128", "f64", "f64", "c128"],
  ["c64", "c64", "c64", "c64", "c128", "c64", "c128", "c64", "c64", "c64"],
  ["c128", "c128", "c128", "c128", "c128", "c128", "c128", "c128", "c128", "c128"],
  ["i*", "u32", "i32", "f32", "f64", "c64", "c128", "i*", "f*", "c*"],
  ["f*", "f*", "f*", "f32", "f64", "c64", "c128", "f*", "f*", "c*"],
  ["c*", "c*", "c*", "c64", "c128", "c64", "c128", "c*", "c*", "c*"]
]

const decode: Record<Code, readonly [DType.DType, boolean]> = {
  b1: ["bool", false],
  u32: ["uint32", false],
  i32: ["int32", false],
  f32: ["float32", false],
  f64: ["float64", false],
  c64: ["complex64", false],
  c128: ["complex128", false],
  "i*": ["int32", true],
  "f*": ["float32", true],
  "c*": ["complex64", true]
}

const value = (code: Code): np.TensorLike => {
  switch (code) {
    case "b1":
      return np.array(true)
    case "i*":
      return new ConcreteTensor(aval([], "int32", true), new Int32Array([1]), undefined)
    case "f*":
      return 1
    case "c*":
      return { re: 1, im: 0 }
    default:
      return np.array(1, { dtype: decode[code][0] })
  }
}

describe("promotion", () => {
  it("DType.promote gives JAX's table for every pair", () => {
    codes.forEach((a, i) =>
      codes.forEach((b, j) => {
        const [da, wa] = decode[a]
        const [db, wb] = decode[b]
        assert.deepStrictEqual(DType.promote(da, wa, db, wb), decode[table[i]![j]!], `${a} + ${b}`)
      })
    )
  })
  it("DType.promote refuses float0 and anything that is not a dtype with typed errors", () => {
    const tagOf = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return [(e as { _tag?: string })._tag, (e as Error).message]
      }
      return undefined
    }
    assert.deepStrictEqual(tagOf(() => DType.promote("float0", false, "float32", false)), [
      "DTypeError",
      "DType.promote: float0 has no place in the type promotion lattice (it is the tangent type of integer inputs: no arithmetic applies to it)"
    ])
    assert.strictEqual(tagOf(() => DType.promote("float16" as never, false, "float32", false))?.[0], "ArgumentError")
    assert.strictEqual(tagOf(() => DType.promote("float32", false, "int32", [0.5] as never))?.[0], "ArgumentError")
    assert.deepStrictEqual(DType.promote("int32", false, "float32", true), ["float32", true])
  })

  it("np.add promotes every pair of operands by the table, with the right value", () => {
    codes.forEach((a, i) =>
      codes.forEach((b, j) => {
        const expected = table[i]![j]!
        const [dtype, weak] = decode[expected]
        // A pair of JS numbers is two weak floats: f* + f* = f*.
        const out: Tensor = np.add(value(a), value(b))
        assert.strictEqual(out.dtype, dtype, `${a} + ${b}`)
        assert.strictEqual(out.weakType, weak, `weak type of ${a} + ${b}`)
        const sum = dtype === "bool" ? true : DType.isComplex(dtype) ? { re: 2, im: 0 } : 2
        expect.tensor(out, dtype, sum)
      })
    )
  })
  it("a JS number keeps the other operand's dtype within its kind", () => {
    expect.tensor(np.multiply(np.array([1, 2], { dtype: "float64" }), 0.1), "float64", [0.1, 0.2], {
      weak: false,
      tol: 1e-15
    })
    expect.tensor(np.multiply(np.array([{ re: 1, im: 1 }]), 2), "complex64", [{ re: 2, im: 2 }], { weak: false })
  })
  it("int32 with a JS number is a weak float32 (JAX: i32 + f* = f*)", () => {
    const x = np.array([1, 2], { dtype: "int32" })
    expect.tensor(np.multiply(x, 2), "float32", [2, 4], { weak: true })
    expect.tensor(np.add(x, 0.5), "float32", [1.5, 2.5], { weak: true })
    // ... which then yields to a strong float
    expect.tensor(np.add(np.add(x, 0.5), np.array([1, 1], { dtype: "float64" })), "float64", [2.5, 3.5], {
      weak: false
    })
  })
  it("bool with int32 is int32; bool with a JS number is a weak float", () => {
    expect.tensor(np.add(np.array([true, false]), np.array([1, 1], { dtype: "int32" })), "int32", [2, 1])
    expect.tensor(np.multiply(np.array([true, false]), 3), "float32", [3, 0], { weak: true })
  })
  it("float32 with float64 is float64; float64 with complex64 is complex128", () => {
    expect.tensor(np.add(np.array([1]), np.array([2], { dtype: "float64" })), "float64", [3])
    expect.tensor(np.add(np.array([1], { dtype: "float64" }), np.array([{ re: 0, im: 1 }])), "complex128", [{
      re: 1,
      im: 1
    }])
  })
  // JAX's lattice_result_type (dtypes.py): weak operands all round promote as their strong
  // dtypes, the result weak; a weak uint32 is a weak int (_jax_type); no bool result is weak
  // (testBinaryNonPromotion: "No boolean weak types").
  it("two weak types promote as their strong dtypes to a weak result; a weak uint32 is a weak int", () => {
    assert.deepStrictEqual(DType.promote("float32", true, "float64", true), ["float64", true])
    assert.deepStrictEqual(DType.promote("complex64", true, "float64", true), ["complex128", true])
    assert.deepStrictEqual(DType.promote("uint32", true, "int32", true), ["int32", true])
    assert.deepStrictEqual(DType.promote("uint32", true, "bool", false), ["int32", true])
    assert.deepStrictEqual(DType.promote("uint32", true, "float32", false), ["float32", false])
    assert.deepStrictEqual(DType.promote("uint32", true, "uint32", false), ["uint32", false])
    assert.deepStrictEqual(DType.promote("bool", true, "int32", true), ["int32", true])
    assert.deepStrictEqual(DType.promote("bool", true, "bool", true), ["bool", false])
    const weak = (d: DType.DType, v: number) => lax.convertElementType(np.array(v), d, true)
    expect.tensor(np.add(weak("float32", 1), weak("float64", 2)), "float64", 3, { weak: true })
    expect.tensor(np.add(weak("uint32", 1), weak("int32", 2)), "int32", 3, { weak: true })
    // testBinaryNonPromotion: x + x keeps a weak x weak, except a bool
    expect.tensor(np.add(weak("int32", 1), weak("int32", 2)), "int32", 3, { weak: true })
    expect.tensor(np.add(weak("bool", 1), weak("bool", 0)), "bool", true, { weak: false })
  })
  it("float0 refuses promotion with JAX's message", () => {
    const z = new ConcreteTensor(aval([2], "float0"), new Uint8Array(0), undefined)
    assert.include(
      failure(() => np.add(z, 1), "Float0OperationError"),
      "float0s do not support any operations by design"
    )
    assert.isString(failure(() => np.multiply(z, np.ones([2])), "Float0OperationError"))
    assert.isString(failure(() => np.sum(z), "Float0OperationError"))
  })
})
