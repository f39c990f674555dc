import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { aval, ConcreteTensor, Tensor } from "../src/Tensor.js"
import * as Tree from "../src/Tree.js"

const tensor = (values: ReadonlyArray<number>): Tensor =>
  new ConcreteTensor(aval([values.length], "float32"), Float32Array.from(values), undefined)

const thrown = (f: () => unknown): Error => {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error("expected a failure")
}

class Point {
  constructor(readonly x: unknown, readonly y: unknown, readonly label: string) {}
}
Tree.register(
  Point,
  (p) => [p.x, p.y],
  ([x, y], label: string) => new Point(x, y, label),
  { aux: (p) => p.label }
)

class Linear extends Schema.Class<Linear>("Linear")({
  w: Schema.instanceOf(Tensor),
  b: Schema.instanceOf(Tensor)
}) {
  get size(): number {
    return this.w.size + this.b.size
  }
}
Tree.register(Linear)

describe("Tree.flatten / unflatten", () => {
  it("flattens depth first with record keys sorted, JAX's order", () => {
    const [leaves, def] = Tree.flatten([1, { b: 3, a: 2 }, null, [undefined, true]])
    assert.deepStrictEqual(leaves, [1, 2, 3, true])
    assert.strictEqual(String(def), "TreeDef([*, {a: *, b: *}, null, [undefined, *]])")
    assert.strictEqual(def.numLeaves, 4)
    assert.deepStrictEqual(Tree.unflatten(def, [1, 2, 3, true]), [1, { a: 2, b: 3 }, null, [undefined, true]])
  })

  it("a lone leaf and empty containers", () => {
    const t = tensor([1, 2])
    const [leaves, def] = Tree.flatten(t)
    assert.strictEqual(leaves[0], t)
    assert.strictEqual(String(def), "TreeDef(*)")
    assert.strictEqual(Tree.unflatten(def, [5]), 5)
    assert.strictEqual(String(Tree.structure([[], {}, null])), "TreeDef([[], {}, null])")
    assert.deepStrictEqual(Tree.leaves([[], {}, null, undefined]), [])
  })

  it("unregistered objects are leaves", () => {
    const d = new Date(0)
    const m = new Map()
    assert.deepStrictEqual(Tree.leaves({ d, m, s: "str" }), [d, m, "str"])
  })

  it("fails with a clear message on the wrong number of leaves", () => {
    const def = Tree.structure({ a: 0, b: [0, 0] })
    const e = thrown(() => Tree.unflatten(def, [1, 2]))
    assert.instanceOf(e, Tree.TreeStructureError)
    assert.strictEqual(e.message, "Tree.unflatten: too few leaves for TreeDef({a: *, b: [*, *]}); expected 3, got 2")
  })

  it("registered classes and Schema classes", () => {
    const w = tensor([1, 2, 3])
    const b = tensor([4])
    const lin = new Linear({ w, b })
    const [leaves, def] = Tree.flatten({ layer: lin, p: new Point(1, 2, "p") })
    assert.strictEqual(leaves.length, 4)
    assert.strictEqual(leaves[0], b)
    assert.strictEqual(leaves[1], w)
    assert.deepStrictEqual(leaves.slice(2), [1, 2])
    assert.strictEqual(
      String(def),
      "TreeDef({layer: CustomNode(Linear, {b: *, w: *}), p: CustomNode(Point[\"p\"], [*, *])})"
    )
    const back = Tree.unflatten<{ layer: Linear; p: Point }>(def, leaves)
    assert.instanceOf(back.layer, Linear)
    assert.strictEqual(back.layer.size, 4)
    assert.instanceOf(back.p, Point)
    assert.strictEqual(back.p.label, "p")
  })
})
