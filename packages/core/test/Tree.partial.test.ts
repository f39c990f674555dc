// Tree.partial: JAX's tree_util.Partial (cases after jax/tests/tree_util_test.py's testRoundtripPartial,
// testPartialDoesNotMergeWithOtherPartials and testPartialFuncAttributeHasStableHash).
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError } from "../src/Errors.js"
import { collectTensors } from "../src/Memory.js"
import * as np from "../src/numpy.js"
import * as Tree from "../src/Tree.js"

const dummy = (...args: ReadonlyArray<unknown>) => args

describe("Tree.partial", () => {
  it("calls fn with the bound arguments first", () => {
    const p = Tree.partial((a: number, b: number, c: number) => a * 100 + b * 10 + c, 1, 2)
    assert.strictEqual(p(3), 123)
    assert.deepStrictEqual(p.args, [1, 2])
    assert.isTrue(Tree.isPartial(p))
    assert.isFalse(Tree.isPartial(dummy))
  })

  it("round-trips through flatten and unflatten (testRoundtripPartial)", () => {
    for (const bound of [[], [1, 2], [{ x: "a" }], [1, 2, 3, { x: 4, y: 5 }]]) {
      const p = Tree.partial(dummy, ...bound)
      const [leaves, def] = Tree.flatten(p)
      assert.deepStrictEqual(leaves, Tree.leaves(bound))
      const back = Tree.unflatten<typeof p>(def, leaves)
      assert.strictEqual(back.fn, dummy)
      assert.deepStrictEqual(back.args, bound)
      assert.isTrue(Tree.isPartial(back))
      assert.deepStrictEqual(back("z"), [...bound, "z"])
    }
  })

  it("does not merge with the partial it wraps (testPartialDoesNotMergeWithOtherPartials)", () => {
    const g = Tree.partial((a: number, b: number, c: number) => a + b + c, 2)
    const h = Tree.partial(g, 3)
    assert.deepStrictEqual(h.args, [3])
    assert.strictEqual(h.fn, g)
    assert.strictEqual(h(4), 9)
    // the inner one's bound argument is static data of the outer node, not a leaf
    assert.deepStrictEqual(Tree.leaves(h), [3])
  })

  it("is the same structure for the same function object only (testPartialFuncAttributeHasStableHash)", () => {
    const f = (a: number, b: number) => a + b
    const p1 = Tree.partial(f, 2)
    const p2 = Tree.partial(f, 5)
    assert.isTrue(Tree.treedefEquals(Tree.structure(p1), Tree.structure(p2)))
    const same = (a: number, b: number) => a + b
    assert.isFalse(Tree.treedefEquals(Tree.structure(p1), Tree.structure(Tree.partial(same, 2))))
    // printed by name and identity, not by source text
    assert.match(String(Tree.structure(p1)), /^TreeDef\(CustomNode\(Partial\[f#\d+\], \[\*\]\)\)$/)
    assert.notStrictEqual(String(Tree.structure(p1)), String(Tree.structure(Tree.partial(same, 2))))
  })

  it("maps over its bound arguments and nests in other trees", () => {
    const p = Tree.partial((a: number, b: { c: number }, d: number) => a + b.c + d, 1, { c: 2 })
    const scaled = Tree.map({ f: p, k: 3 }, (v: number) => v * 10)
    assert.strictEqual(scaled.k, 30)
    assert.strictEqual(scaled.f(5), 10 + 20 + 5)
    assert.strictEqual(Tree.numLeaves([p, p]), 4)
    // a structure mismatch names the node
    assert.throws(() => Tree.flattenUpTo(Tree.structure([p]), [dummy]), /an instance of Partial/)
  })

  it("its bound tensors are part of a value a region keeps", () => {
    const t = np.array([1, 2])
    const found = collectTensors([Tree.partial(dummy, { t })], new Set())
    assert.isTrue(found.has(t))
  })

  it("fn must be a function", () => {
    assert.throws(() => Tree.partial(3 as never), ArgumentError)
  })
})
