/**
 * The kernel IR (core/src/Kernel.ts), the elementwise lowering table
 * (core/src/Lowering.ts) and their compilation to JS.
 */
import { binaryPrimitives, DType, Kernel, unaryPrimitives } from "@diffect/core"
import type { ElementwisePrimitive, Params } from "@diffect/core"
import { elementwiseRules, lowerElementwise } from "@diffect/core/Lowering"
import { assert, describe, it } from "@effect/vitest"
import { compileElementwise } from "../src/internal/codegen.js"

describe("Kernel IR builders", () => {
  it("infer result types: comparisons and isnan give bool, arithmetic keeps its type", () => {
    const x = Kernel.input(0, "f32")
    const y = Kernel.input(1, "f32")
    assert.strictEqual(Kernel.lt(x, y).type, "bool")
    assert.strictEqual(Kernel.isnan(x).type, "bool")
    assert.strictEqual(Kernel.add(x, y).type, "f32")
    assert.strictEqual(Kernel.select(Kernel.lt(x, y), x, y).type, "f32")
    assert.strictEqual(Kernel.cast(x, "i32").type, "i32")
    assert.strictEqual(Kernel.cast(x, "f32"), x, "a cast to the same type adds no node")
    assert.isTrue(Kernel.isComparison("ge"))
    assert.isFalse(Kernel.isComparison("max"))
  })

  it("reject mismatched operand types (lowering bugs fail loudly)", () => {
    assert.throws(() => Kernel.add(Kernel.input(0, "f32"), Kernel.input(1, "f64")), /mismatched types f32 and f64/)
    assert.throws(() => Kernel.select(Kernel.input(0, "i32"), Kernel.input(1, "f32"), Kernel.input(2, "f32")), /select/)
  })

  it("format prints nested calls", () => {
    const [re] = lowerElementwise("mul", ["complex64", "complex64"], "complex64", {})
    assert.strictEqual(Kernel.format(re!), "sub(mul(in0:f32, in1:f32), mul(in0.im:f32, in1.im:f32))")
    assert.strictEqual(Kernel.format(lowerElementwise("neg", ["int32"], "int32", {})[0]!), "neg(in0:i32)")
  })

  it("scalarType maps dtypes to lane types", () => {
    assert.deepStrictEqual(
      DType.dtypes.map((d) => Kernel.scalarType(d)),
      ["bool", "i32", "u32", "f32", "f64", "f32", "f64", undefined]
    )
  })
})

// The output dtype of each elementwise primitive for input dtype `d`.
const outDType = (p: ElementwisePrimitive, d: DType.DType): DType.DType => {
  if (["eq", "ne", "lt", "le", "gt", "ge"].includes(p)) return "bool"
  if (p === "abs" || p === "real" || p === "imag") return DType.realDType(d)
  if (p === "complex" || p === "conj") return DType.complexDType(d)
  return d
}

describe("elementwise lowering table", () => {
  const names = [...unaryPrimitives, ...binaryPrimitives, "select"] as ReadonlyArray<ElementwisePrimitive>

  it("has a rule for every elementwise primitive", () => {
    for (const p of names) assert.isFunction(elementwiseRules[p], p)
  })

  it("gives one expression per output lane, typed as the output's lanes, for every supported dtype", () => {
    let supported = 0
    for (const p of names) {
      for (const d of DType.dtypes) {
        if (d === "float0") continue
        const out = p === "convert_element_type" ? "complex128" : outDType(p, d)
        const ins = p === "select" ? ["bool", d, d] : binaryPrimitives.has(p) ? [d, d] : [d]
        const params = (p === "integer_pow"
          ? { y: 3 }
          : p === "convert_element_type"
          ? { dtype: out, weakType: false }
          : {}) as Params<typeof p>
        let lanes: ReadonlyArray<Kernel.Expr>
        try {
          lanes = lowerElementwise(p, ins as ReadonlyArray<DType.DType>, out, params)
        } catch (e) {
          assert.match(String(e), /no elementwise lowering/, `${p} ${d}`)
          continue
        }
        supported++
        assert.strictEqual(lanes.length, DType.lanes(out), `${p} ${d}`)
        for (const e of lanes) {
          assert.strictEqual(e.type, Kernel.scalarType(out), `${p} ${d}`)
        }
      }
    }
    // 267 of 57 primitives x 7 dtypes: the total pins the support matrix down (uint32 supports
    // what int32 does; xor and the shifts on int32 and uint32, xor on bool; erfc, erf_inv,
    // lgamma and digamma on the two float dtypes)
    assert.strictEqual(supported, 267)
  })

  it("float0 has no lanes", () => {
    assert.deepStrictEqual(
      lowerElementwise("convert_element_type", ["float32"], "float0", { dtype: "float0", weakType: false }),
      []
    )
  })

  it("rejects what abstract evaluation should have rejected", () => {
    assert.throws(() => lowerElementwise("lt", ["complex64", "complex64"], "bool", {}), /no elementwise lowering of lt/)
    assert.throws(() => lowerElementwise("sin", ["int32"], "int32", {}), /no elementwise lowering of sin/)
    assert.throws(
      () => lowerElementwise("and", ["float32", "float32"], "float32", {}),
      /no elementwise lowering of and/
    )
  })
})

describe("JS code generation", () => {
  it("loads each input lane once and binds shared subexpressions once, with no per-element closure", () => {
    const outs = lowerElementwise("div", ["complex128", "complex128"], "complex128", {})
    const { source } = compileElementwise(outs, [2, 2])
    for (const load of ["in0[j]", "in0[j + 1]", "in1[j]", "in1[j + 1]"]) {
      assert.strictEqual(source.split(load).length - 1, 1, load)
    }
    assert.match(source, /const t\d+ = /)
    assert.notInclude(source, "=>")
    assert.strictEqual(source.split("function").length - 1, 1)
  })

  it("compiles fused expressions over any number of inputs", () => {
    // (a + b) * (c - d) + e: one loop over five inputs, as a fused kernel is
    const x = [0, 1, 2, 3, 4].map((i) => Kernel.input(i, "f32"))
    const e = Kernel.add(Kernel.mul(Kernel.add(x[0]!, x[1]!), Kernel.sub(x[2]!, x[3]!)), x[4]!)
    const { loop } = compileElementwise([e], [1, 1, 1, 1, 1])
    const out = new Float32Array(2)
    const ins = [[1, 2], [3, 4], [10, 20], [4, 5], [0.5, 0.25]].map((v) => new Float32Array(v))
    loop(out, ins, 2)
    assert.deepStrictEqual(Array.from(out), [24.5, 90.25])
  })

  it("compiles a loop that runs", () => {
    const x = Kernel.input(0, "f64")
    const { loop } = compileElementwise([Kernel.mul(x, Kernel.add(x, Kernel.constant(-0.5, "f64")))], [1])
    const out = new Float64Array(3)
    loop(out, [new Float64Array([1, 2, 3])], 3)
    assert.deepStrictEqual(Array.from(out), [0.5, 3, 7.5])
  })
})
