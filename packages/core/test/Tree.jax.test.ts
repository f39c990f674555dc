// JAX parity: cases ported from jax/tests/tree_util_test.py (the expected values are
// JAX's; tuples and lists are both JS arrays, named tuples and custom objects are
// registered classes). Messages differ from JAX's by design (paths in `[0]["a"]` style).
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as Tree from "../src/Tree.js"

class ATuple {
  constructor(readonly foo: unknown, readonly bar: unknown) {}
}
Tree.register(ATuple, (t) => [t.foo, t.bar], ([foo, bar]) => new ATuple(foo, bar), { keys: ["foo", "bar"] })

class AnObject {
  constructor(readonly x: unknown, readonly y: unknown, readonly z: unknown) {}
}
Tree.register(AnObject, (o) => [o.x, o.y, o.z], ([x, y, z]) => new AnObject(x, y, z))

describe("JAX tree_util parity", () => {
  it("testFlattenOrder", () => {
    assert.deepStrictEqual(Tree.leaves([0, [[1, 2], 3, [4, [5, 6, 7]]], 8, 9]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert.deepStrictEqual(Tree.leaves([0, [[1, [2, 3]], [4, [5, 6, 7]]], 8, 9]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it("testFlattenDictKeyOrder", () => {
    const d = { b: 2, a: 1, c: { b: 2, a: 1 } }
    const [leaves, def] = Tree.flatten(d)
    assert.deepStrictEqual(leaves, [1, 2, 1, 2])
    // JAX: "PyTreeDef({'a': *, 'b': *, 'c': {'a': *, 'b': *}})"
    assert.strictEqual(String(def), "TreeDef({a: *, b: *, c: {a: *, b: *}})")
    assert.deepStrictEqual(Object.keys(Tree.unflatten(def, leaves) as object), ["a", "b", "c"])
    assert.deepStrictEqual(def.unflatten([1, 2, 3, 4]), { a: 1, b: 2, c: { a: 3, b: 4 } })
  })

  it("testFlattenUpTo", () => {
    const cases: Array<[unknown, unknown, Array<unknown>]> = [
      [
        [[1, 2], null, new ATuple(3, 7)],
        [[{ foo: 7 }, [3, 4]], null, new ATuple([11, 9], null)],
        [{ foo: 7 }, [3, 4], [11, 9], null]
      ],
      [[1], [{ a: 7 }], [{ a: 7 }]],
      [[1], [[7]], [[7]]],
      [[1, 2], [{ a: 7 }, { a: 8 }], [{ a: 7 }, { a: 8 }]],
      [{ a: 1, b: [2, 3] }, { a: [7], b: [[8], [9]] }, [[7], [8], [9]]],
      [{ a: 1 }, { a: { a: 7 } }, [{ a: 7 }]],
      [null, null, []]
    ]
    for (const [tree, xs, expected] of cases) {
      assert.deepStrictEqual(Tree.flattenUpTo(Tree.structure(tree), xs), expected)
      assert.deepStrictEqual(Tree.structure(tree).flattenUpTo(xs), expected)
    }
  })

  it("testFlattenUpToErrors", () => {
    const cases: Array<[unknown, unknown, string]> = [
      [[1, 2], [7], "at the root: expected an array of length 2, got an array of length 1"],
      [
        { a: 1 },
        { a: 7, b: 8 },
        "at the root: expected a record with keys [\"a\"], got a record with keys [\"a\",\"b\"]"
      ],
      [{ a: 1 }, { b: 7 }, "at the root: expected a record with keys [\"a\"], got a record with keys [\"b\"]"],
      [[1], { a: 7 }, "at the root: expected an array of length 1, got a record with keys [\"a\"]"],
      [{ a: 1 }, [7], "at the root: expected a record with keys [\"a\"], got an array of length 1"],
      [[[1]], [7], "at [0]: expected an array of length 1, got a leaf (number)"],
      [[{ a: 1 }], [7], "at [0]: expected a record with keys [\"a\"], got a leaf (number)"],
      [[{ a: 1 }], [{ b: 7 }], "at [0]: expected a record with keys [\"a\"], got a record with keys [\"b\"]"],
      [{ a: [1] }, { a: 7 }, "at [\"a\"]: expected an array of length 1, got a leaf (number)"],
      [{ a: { a: 1 } }, { a: [7] }, "at [\"a\"]: expected a record with keys [\"a\"], got an array of length 1"],
      [[new ATuple(1, 2)], [[1, 2]], "at [0]: expected an instance of ATuple, got an array of length 2"],
      [
        [new AnObject([1], [2], { a: [1] })],
        [[[1], [2], { a: [1] }]],
        "at [0]: expected an instance of AnObject, got an array of length 3"
      ],
      [null, [2], "at the root: expected null, got an array of length 1"]
    ]
    for (const [tree, xs, detail] of cases) {
      const e = thrown(() => Tree.flattenUpTo(Tree.structure(tree), xs))
      assert.instanceOf(e, Tree.TreeStructureError)
      assert.strictEqual(e.message, `Tree.flattenUpTo: tree structure mismatch ${detail}`)
    }
  })

  it("testTreeMap: several trees, the first one a prefix of the others", () => {
    const x = [[1, 2], [3, 4, 5]]
    const y = [[[3], null], [{ foo: "bar" }, 7, [5, 6]]]
    assert.deepStrictEqual(Tree.mapN([x, y], (...xs: Array<unknown>) => xs), [
      [[1, [3]], [2, null]],
      [[3, { foo: "bar" }], [4, 7], [5, [5, 6]]]
    ])
  })

  it("testTreeMapWithIsLeafArgument", () => {
    const x = [[1, 2], new ATuple(3, 4)]
    const y = [[[3], null], new ATuple({ foo: "bar" }, 7)]
    const out = Tree.mapN([x, y], (...xs: Array<unknown>) => xs, { isLeaf: (n) => n instanceof ATuple })
    assert.deepStrictEqual<unknown>(out, [[[1, [3]], [2, null]], [new ATuple(3, 4), new ATuple({ foo: "bar" }, 7)]])
  })

  it("testTreeReduceWithIsLeafArgument (reduce folds leaves left to right)", () => {
    assert.strictEqual(
      Tree.reduce([[1, 2], [[3, 4], [5, 6]]], (a: string, x: number) => a + x, { initial: "" }),
      "123456"
    )
    assert.strictEqual(Tree.reduce({ b: 2, a: 10 }, (a: number, x: number) => a - x), 8)
    assert.throws(() => Tree.reduce([null], (a: number) => a), /no leaves and no initial value/)
  })

  it("testTranspose and testTransposeInferInnerTreedef", () => {
    const trees: Array<unknown> = [[1, [2, 3]], { a: 1, b: [2] }, new ATuple(1, { c: 2 }), 5]
    for (const tree of trees) {
      const outer = Tree.structure(tree)
      const makeInner = (x: unknown) => [x, x, x]
      const nested = Tree.map(tree, makeInner)
      assert.deepStrictEqual(Tree.transpose(outer, Tree.structure(makeInner(1)), nested), makeInner(tree))
      const makeInner2 = (x: unknown) => [x, { a: x }, [x]]
      assert.deepStrictEqual(Tree.transpose(outer, undefined, Tree.map(tree, makeInner2)), makeInner2(tree))
    }
  })

  it("testTransposeMismatchOuter / Inner", () => {
    const tree = { a: [1, 2], b: [3, 4] }
    const outer = thrown(() => Tree.transpose(Tree.structure({ a: 1, b: 2, c: 3 }), Tree.structure([1, 2]), tree))
    assert.instanceOf(outer, Tree.TreeStructureError)
    assert.include(outer.message, "expected a record with keys [\"a\",\"b\",\"c\"]")
    const inner = thrown(() => Tree.transpose(Tree.structure({ a: 1, b: 2 }), Tree.structure([1, 2, 3]), tree))
    assert.strictEqual(
      inner.message,
      "Tree.transpose: tree structure mismatch at [\"a\"]: expected the inner structure TreeDef([*, *, *]), got TreeDef([*, *])"
    )
  })

  it("testBroadcastSimple / testBroadcastError", () => {
    assert.deepStrictEqual(Tree.broadcast([1, 2, 3], [0, { a: 0, b: 0 }, [0, 0]]), [1, { a: 2, b: 2 }, [3, 3]])
    assert.throws(() => Tree.broadcast([1, 2, 3], [0, { a: 0, b: 0 }]), Tree.TreeStructureError)
    assert.throws(() => Tree.broadcast([1, 2], [0, { a: 0, b: 0 }, [0, 0]]), Tree.TreeStructureError)
    assert.throws(() => Tree.broadcast([1, { a: 0 }], [0, { a: 0, b: 0 }]), Tree.TreeStructureError)
  })

  it("testKeyStr (JSON keys instead of Python reprs)", () => {
    const tree = [new ATuple(12, { cin: [1, 4, 10], bar: null }), 5]
    const [pairs] = Tree.flattenWithPath(tree)
    // JAX: "[0].foo: 12", "[0].bar['cin'][0]: 1", ..., "[1]: [0 1 2 3 4]"
    assert.deepStrictEqual(pairs.map(([p, x]) => `${Tree.keystr(p)}: ${x}`), [
      "[0][\"foo\"]: 12",
      "[0][\"bar\"][\"cin\"][0]: 1",
      "[0][\"bar\"][\"cin\"][1]: 4",
      "[0][\"bar\"][\"cin\"][2]: 10",
      "[1]: 5"
    ])
  })

  it("testTreeLeavesWithPath", () => {
    const record: Record<string, number> = {}
    for (let i = 0; i < 10; i++) record[`k${i}`] = i
    const [pairs] = Tree.flattenWithPath([record])
    assert.deepStrictEqual(pairs, Array.from({ length: 10 }, (_, i) => [[0, `k${i}`], i]))
  })

  it("num_leaves and num_nodes (None is a node without children)", () => {
    const def = Tree.structure([1, { a: 2 }, null])
    assert.strictEqual(def.numLeaves, 2)
    assert.strictEqual(def.numNodes, 5)
    assert.strictEqual(Tree.structure(null).numNodes, 1)
  })
})
