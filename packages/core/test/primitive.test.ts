/**
 * The kind table: one registration per primitive, consistent with the kernel-IR
 * lowering table (elementwise kinds are exactly the lowered primitives) and with
 * abstract evaluation (each elementwise kind has its arity), and `fromKinds`
 * builds total tables from it.
 */
import {
  aval,
  binaryPrimitives,
  fromKinds,
  isElementwise,
  primitiveKinds,
  primitivesOfKind,
  ShapeError,
  unaryPrimitives
} from "@diffect/core"
import type { ElementwisePrimitive, Primitive, StructuredPrimitive } from "@diffect/core"
import { abstractEvalRules } from "@diffect/core/AbstractEval"
import { elementwiseRules } from "@diffect/core/Lowering"
import { assert, describe, expectTypeOf, it } from "@effect/vitest"

const primitives = Object.keys(primitiveKinds) as Array<Primitive>
const arityOf = { unary: 1, binary: 2, select: 3 } as const

describe("primitiveKinds", () => {
  it("is keyed by exactly the primitives (checked by the compiler)", () => {
    expectTypeOf<keyof typeof primitiveKinds>().toEqualTypeOf<Primitive>()
    expectTypeOf<ElementwisePrimitive>().toEqualTypeOf<keyof typeof elementwiseRules>()
    // abstract evaluation is typed over every primitive: the same key set at run time.
    assert.deepStrictEqual([...primitives].sort(), Object.keys(abstractEvalRules).sort())
  })

  it("its elementwise kinds are exactly the primitives the kernel IR lowers", () => {
    const elementwise = primitivesOfKind("unary", "binary", "select")
    assert.deepStrictEqual([...elementwise].sort(), Object.keys(elementwiseRules).sort())
    assert.isTrue(elementwise.every(isElementwise))
    assert.isFalse(primitives.filter((p) => !elementwise.includes(p as never)).some(isElementwise))
    assert.deepStrictEqual([...unaryPrimitives].sort(), primitivesOfKind("unary").sort())
    assert.deepStrictEqual([...binaryPrimitives].sort(), primitivesOfKind("binary").sort())
  })

  it("each elementwise kind has its arity: abstract evaluation refuses one operand more", () => {
    for (const p of primitivesOfKind("unary", "binary", "select")) {
      const n = arityOf[primitiveKinds[p]] + 1
      const params = { y: 2, dtype: "float32", weakType: false }
      assert.throws(
        () => abstractEvalRules[p](Array.from({ length: n }, () => aval([2], "float32")), params as never),
        ShapeError,
        `takes ${n - 1} operand(s), got ${n}`
      )
    }
  })
})

describe("fromKinds", () => {
  it("derives every elementwise entry from its kind, takes the others from the table and the overrides", () => {
    const structured = Object.fromEntries(
      primitives.filter((p) => !isElementwise(p)).map((p) => [p, `own ${p}`])
    ) as { [P in StructuredPrimitive]: string }
    const table = fromKinds<{ [P in Primitive]: string }>((p, kind) => `${kind} ${p}`, structured, {
      stop_gradient: "override"
    })
    assert.deepStrictEqual(Object.keys(table).sort(), [...primitives].sort())
    assert.strictEqual(table.sin, "unary sin")
    assert.strictEqual(table.add, "binary add")
    assert.strictEqual(table.select, "select select")
    assert.strictEqual(table.stop_gradient, "override")
    assert.strictEqual(table.dot_general, "own dot_general")
    assert.strictEqual(table.split, "own split")
  })
})
