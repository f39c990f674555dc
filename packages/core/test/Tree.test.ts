import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as fc from "fast-check"
import { expectTypeOf } from "vitest"
import { aval } from "../src/AbstractValue.js"
import { ConcreteTensor, Tensor } from "../src/Tensor.js"
import * as Tree from "../src/Tree.js"

const tensor = (values: ReadonlyArray<number>): Tensor =>
  new ConcreteTensor(aval([values.length], "float32"), Float32Array.from(values), undefined)

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

class Tagged extends Schema.TaggedClass<Tagged>()("Tagged", {
  value: Schema.Number,
  name: Schema.String
}) {}
Tree.register(Tagged, { static: ["name"] })

// Random pytrees: every node kind, numbers, booleans, tensors and registered classes.
const { tree } = fc.letrec<{ tree: unknown; leaf: unknown; node: unknown }>((tie) => ({
  leaf: fc.oneof(
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.array(fc.float({ noNaN: true }), { maxLength: 3 }).map(tensor)
  ),
  node: fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie("tree"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie("tree"), { maxKeys: 4, noNullPrototype: true }),
    fc.tuple(tie("tree"), tie("tree"), fc.constantFrom("a", "b")).map(([x, y, l]) => new Point(x, y, l)),
    fc.tuple(tie("leaf"), tie("leaf")).map(([w, b]) => Tree.unflatten<Linear>(Tree.structure(linearTemplate), [b, w]))
  ),
  tree: fc.oneof({ maxDepth: 4, depthIdentifier: "tree" }, tie("leaf"), tie("node"))
}))
const linearTemplate = new Linear({ w: tensor([1]), b: tensor([2]) })

describe("Tree.flatten / unflatten", () => {
  it("flattens depth first with record keys sorted, JAX's order", () => {
    const [leaves, def] = Tree.flatten([1, { b: 3, a: 2 }, null, [undefined, true]])
    assert.deepStrictEqual(leaves, [1, 2, 3, true])
    assert.strictEqual(String(def), "TreeDef([*, {a: *, b: *}, null, [undefined, *]])")
    assert.strictEqual(def.numLeaves, 4)
    assert.strictEqual(def.numNodes, 9)
    assert.deepStrictEqual(Tree.unflatten(def, [1, 2, 3, true]), [1, { a: 2, b: 3 }, null, [undefined, true]])
  })

  it("sorts keys by code unit whatever the insertion order, and prints odd keys quoted", () => {
    const record = { zeta: 1, "b c": 2, B: 3, a: 4, "10": 5, "9": 6 }
    assert.deepStrictEqual(Tree.leaves(record), [5, 6, 3, 4, 2, 1])
    assert.strictEqual(
      String(Tree.structure(record)),
      "TreeDef({\"10\": *, \"9\": *, B: *, a: *, \"b c\": *, zeta: *})"
    )
    // Integer-like keys come first in JS objects; sorted as strings "10" < "9".
    assert.deepStrictEqual(Object.keys(Tree.unflatten(Tree.structure(record), [1, 2, 3, 4, 5, 6]) as object), [
      "9",
      "10",
      "B",
      "a",
      "b c",
      "zeta"
    ])
  })

  it("rebuilds records the same way before and after their key list is compiled", () => {
    const def = Tree.structure({ w: 0, b: 0, "x-y": 0, "3": 0 })
    for (let i = 0; i < 40; i++) {
      const r = Tree.unflatten<Record<string, number>>(def, [i, i + 1, i + 2, i + 3])
      assert.deepStrictEqual(r, { "3": i, b: i + 1, w: i + 2, "x-y": i + 3 })
      assert.deepStrictEqual(Object.keys(r), ["3", "b", "w", "x-y"])
      assert.strictEqual(Object.getPrototypeOf(r), Object.prototype)
    }
  })

  it("an own \"__proto__\" key (from JSON) stays a key, not a prototype", () => {
    const parsed = JSON.parse("{\"__proto__\": 1, \"a\": 2}") as object
    for (let i = 0; i < 40; i++) {
      const [leaves, def] = Tree.flatten(parsed)
      assert.deepStrictEqual(leaves, [1, 2])
      const back = Tree.unflatten<object>(def, [3, 4])
      assert.strictEqual(Object.getPrototypeOf(back), Object.prototype)
      assert.deepStrictEqual(Object.entries(back), [["__proto__", 3], ["a", 4]])
    }
  })

  it("a lone leaf and empty containers", () => {
    const t = tensor([1, 2])
    const [leaves, def] = Tree.flatten(t)
    assert.strictEqual(leaves[0], t)
    assert.strictEqual(String(def), "TreeDef(*)")
    assert.strictEqual(Tree.unflatten(def, [5]), 5)
    assert.strictEqual(String(Tree.structure([[], {}, null])), "TreeDef([[], {}, null])")
    assert.deepStrictEqual(Tree.leaves([[], {}, null, undefined]), [])
    assert.strictEqual(Tree.structure(null).numLeaves, 0)
    assert.strictEqual(Tree.unflatten(Tree.structure(undefined), []), undefined)
  })

  it("unregistered objects, strings and typed arrays are leaves", () => {
    const d = new Date(0)
    const m = new Map()
    const f = new Float32Array(2)
    assert.deepStrictEqual(Tree.leaves({ d, m, s: "str", f }), [d, f, m, "str"])
  })

  it("null-prototype records are records", () => {
    const r = Object.assign(Object.create(null) as object, { b: 1, a: 2 })
    assert.deepStrictEqual(Tree.leaves(r), [2, 1])
  })

  it("fails with a clear message on the wrong number of leaves", () => {
    const def = Tree.structure({ a: 0, b: [0, 0] })
    const few = thrown(() => Tree.unflatten(def, [1, 2]))
    assert.instanceOf(few, Tree.TreeStructureError)
    assert.strictEqual(few.message, "Tree.unflatten: too few leaves for TreeDef({a: *, b: [*, *]}); expected 3, got 2")
    const many = thrown(() => Tree.unflatten(def, [1, 2, 3, 4]))
    assert.strictEqual(
      many.message,
      "Tree.unflatten: too many leaves for TreeDef({a: *, b: [*, *]}); expected 3, got 4"
    )
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

  it("Schema.TaggedClass: _tag and static fields are node data, not leaves", () => {
    const t = new Tagged({ value: 3, name: "n" })
    const [leaves, def] = Tree.flatten(t)
    assert.deepStrictEqual(leaves, [3])
    assert.strictEqual(String(def), "TreeDef(CustomNode(Tagged[{\"_tag\":\"Tagged\",\"name\":\"n\"}], {value: *}))")
    const back = Tree.unflatten<Tagged>(def, [7])
    assert.instanceOf(back, Tagged)
    assert.strictEqual(back._tag, "Tagged")
    assert.strictEqual(back.name, "n")
    assert.strictEqual(back.value, 7)
    assert.isFalse(Tree.treedefEquals(def, Tree.structure(new Tagged({ value: 3, name: "m" }))))
  })

  it("register, isRegistered, unregister", () => {
    class Pair {
      constructor(readonly a: unknown, readonly b: unknown) {}
    }
    const p = new Pair(1, 2)
    assert.isFalse(Tree.isRegistered(Pair))
    assert.deepStrictEqual(Tree.leaves(p), [p])
    Tree.register(Pair, (x) => [x.a, x.b], ([a, b]) => new Pair(a, b), { keys: ["a", "b"] })
    assert.isTrue(Tree.isRegistered(Pair))
    assert.deepStrictEqual(Tree.leaves([p]), [1, 2])
    assert.strictEqual(String(Tree.structure(p)), "TreeDef(CustomNode(Pair, {a: *, b: *}))")
    const wrongType = thrown(() => Tree.mapN([{ k: p }, { k: [1, 2] }], (x) => x))
    assert.strictEqual(
      wrongType.message,
      "Tree.mapN: tree structure mismatch at [1][\"k\"]: expected an instance of Pair, got an array of length 2"
    )
    const keyed = thrown(() => Tree.mapN([new Pair([1], 2), new Pair(3, 2)], (x) => x))
    assert.strictEqual(
      keyed.message,
      "Tree.mapN: tree structure mismatch at [1][\"a\"]: expected an array of length 1, got a leaf (number)"
    )
    assert.isTrue(Tree.unregister(Pair))
    assert.deepStrictEqual(Tree.leaves(p), [p])
  })

  it("round trips random trees (property)", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const [leaves, def] = Tree.flatten(t)
        assert.strictEqual(leaves.length, def.numLeaves)
        assert.strictEqual(Tree.numLeaves(t), def.numLeaves)
        const back = Tree.unflatten(def, leaves)
        assert.deepStrictEqual(back, t)
        const [leaves2, def2] = Tree.flatten(back)
        assert.strictEqual(leaves2.length, leaves.length)
        leaves2.forEach((l, i) => assert.isTrue(Object.is(l, leaves[i])))
        assert.isTrue(Tree.treedefEquals(def, def2))
        assert.strictEqual(String(def2), String(def))
      }),
      { numRuns: 300 }
    )
  })

  it("records flatten in sorted key order (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { noNullPrototype: true }), (r) => {
        const sorted = Object.keys(r).sort()
        assert.deepStrictEqual(Tree.leaves(r), sorted.map((k) => r[k]))
      })
    )
  })
})

describe("Tree.structure / treedefEquals", () => {
  it("equal structures ignore leaf values, unequal ones are told apart", () => {
    const s = Tree.structure
    assert.isTrue(Tree.treedefEquals(s({ a: [1, 2], b: null }), s({ b: null, a: [tensor([1]), true] })))
    assert.isFalse(Tree.treedefEquals(s({ a: [1, 2] }), s({ a: [1, 2, 3] })))
    assert.isFalse(Tree.treedefEquals(s({ a: 1 }), s({ b: 1 })))
    assert.isFalse(Tree.treedefEquals(s({ a: 1 }), s({ a: 1, b: 2 })))
    assert.isFalse(Tree.treedefEquals(s([null]), s([undefined])))
    assert.isFalse(Tree.treedefEquals(s([1]), s({ 0: 1 })))
    assert.isFalse(Tree.treedefEquals(s([1]), s([[1]])))
    assert.isFalse(Tree.treedefEquals(s(new Point(1, 2, "a")), s(new Point(1, 2, "b"))))
    assert.isTrue(Tree.treedefEquals(s(new Point(1, 2, "a")), s(new Point(3, 4, "a"))))
    assert.isFalse(Tree.treedefEquals(s(new Point(1, 2, "a")), s([1, 2])))
  })

  it("a tree's structure equals that of its image under map (property)", () => {
    fc.assert(
      fc.property(tree, (t) => {
        assert.isTrue(Tree.treedefEquals(Tree.structure(t), Tree.structure(Tree.map(t, () => 0))))
      }),
      { numRuns: 200 }
    )
  })
})

describe("Tree.map / mapN", () => {
  it("data-first and data-last", () => {
    const t = { a: 1, b: [2, null], c: undefined }
    assert.deepStrictEqual(Tree.map(t, (x) => x * 10), { a: 10, b: [20, null], c: undefined })
    const times10 = Tree.map((x: number) => x * 10)
    assert.deepStrictEqual(times10(t), { a: 10, b: [20, null], c: undefined })
    assert.strictEqual(Tree.map(3, (x) => x + 1), 4)
  })

  it("isLeaf stops at chosen nodes (data-first and data-last)", () => {
    const t = { a: [1, 2], b: null, c: [3] }
    const isArr = (x: unknown) => Array.isArray(x)
    assert.deepStrictEqual<unknown>(Tree.map(t, (x) => (x as unknown as Array<number>).length, { isLeaf: isArr }), {
      a: 2,
      b: null,
      c: 1
    })
    const nullToZero = Tree.map((x: unknown) => x ?? 0, { isLeaf: (x) => x === null })
    assert.deepStrictEqual<unknown>(nullToZero(t), { a: [1, 2], b: 0, c: [3] })
  })

  it("maps several trees leafwise", () => {
    const r = Tree.mapN(
      [{ a: 1, b: [2, 3] }, { a: 10, b: [20, 30] }, { b: [200, 300], a: 100 }],
      (x, y, z) => x + y + z
    )
    assert.deepStrictEqual(r, { a: 111, b: [222, 333] })
    const pipeable = Tree.mapN((x: number, y: number) => x * y)
    assert.deepStrictEqual(pipeable([[1, 2], [3, 4]]), [3, 8])
  })

  it("mapN agrees with map when the other trees are images of the first (property)", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const tag = (x: unknown) => [x]
        const other = Tree.map(t, tag)
        const viaN = Tree.mapN([t, other], (x, y) => ({ x, y }))
        const viaMap = Tree.map(t, (x) => ({ x, y: [x] }))
        assert.deepStrictEqual(viaN, viaMap)
      }),
      { numRuns: 200 }
    )
  })

  it("mapN with a deeper second tree passes the subtrees (first tree as prefix)", () => {
    assert.deepStrictEqual(Tree.mapN([[1, 2], [{ a: 1 }, [3, 4]] as unknown], (x, sub) => [x, sub]), [[1, { a: 1 }], [
      2,
      [3, 4]
    ]])
  })

  it("names the path of a structure mismatch", () => {
    const cases: Array<[unknown, unknown, string]> = [
      [[1, 2], [1, 2, 3], "at [1]: expected an array of length 2, got an array of length 3"],
      [{ a: 1, b: 2 }, { a: 1 }, "at [1]: expected a record with keys [\"a\",\"b\"], got a record with keys [\"a\"]"],
      [
        { a: [1, { w: 1 }] },
        { a: [1, { v: 1 }] },
        "at [1][\"a\"][1]: expected a record with keys [\"w\"], got a record with keys [\"v\"]"
      ],
      [[null], [1], "at [1][0]: expected null, got a leaf (number)"],
      [[undefined], [null], "at [1][0]: expected undefined, got null"],
      [{ a: [1] }, { a: tensor([1]) }, "at [1][\"a\"]: expected an array of length 1, got a leaf (Tensor(f32[1]))"],
      [
        new Point(1, 2, "a"),
        [1, 2],
        "at [1]: expected an instance of Point with node data [\"a\"], got an array of length 2"
      ],
      [new Point(1, 2, "a"), new Point(1, 2, "b"), "at [1]: Point node data mismatch: expected [\"a\"], got [\"b\"]"],
      [
        new Linear({ w: tensor([1]), b: tensor([2]) }),
        new Tagged({ value: 1, name: "x" }),
        "at [1]: expected an instance of Linear, got an instance of Tagged"
      ],
      [
        { p: new Point([1], 2, "a") },
        { p: new Point(3, 2, "a") },
        "at [1][\"p\"][0]: expected an array of length 1, got a leaf (number)"
      ]
    ]
    for (const [a, b, expected] of cases) {
      const e = thrown(() => Tree.mapN([a, b], (x) => x))
      assert.instanceOf(e, Tree.TreeStructureError)
      assert.strictEqual(e.message, `Tree.mapN: tree structure mismatch ${expected}`)
    }
  })
})

describe("key paths", () => {
  it("flattenWithPath names every leaf with JAX's key path style", () => {
    const t = { b: [1, { z: 2 }], a: new Point(3, null, "p"), c: new Linear({ w: tensor([1]), b: tensor([2]) }) }
    const [pairs, def] = Tree.flattenWithPath(t)
    assert.deepStrictEqual(pairs.map(([p]) => Tree.keystr(p)), [
      "[\"a\"][0]",
      "[\"b\"][0]",
      "[\"b\"][1][\"z\"]",
      "[\"c\"][\"b\"]",
      "[\"c\"][\"w\"]"
    ])
    assert.deepStrictEqual(pairs.map(([, x]) => x), Tree.leaves(t))
    assert.strictEqual(def.numLeaves, 5)
    assert.strictEqual(Tree.keystr([]), "")
    assert.deepStrictEqual(Tree.flattenWithPath(7)[0], [[[], 7]])
  })

  it("paths of a flattened tree lead to its leaves (property)", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const [pairs] = Tree.flattenWithPath(t)
        for (const [path, leaf] of pairs) {
          let node: unknown = t
          for (const k of path) {
            node = node instanceof Point ? (k === 0 ? node.x : node.y) : (node as Record<string | number, unknown>)[k]
          }
          assert.isTrue(Object.is(node, leaf))
        }
      }),
      { numRuns: 200 }
    )
  })
})

describe("prefixes (vmap's inAxes)", () => {
  it("flattenUpTo cuts a tree at the leaves of a prefix", () => {
    const prefix = Tree.structure([0, { a: 0, b: 0 }])
    const full = [{ x: [1, 2] }, { a: tensor([1]), b: [3, null] }]
    const out = Tree.flattenUpTo(prefix, full)
    assert.deepStrictEqual(out, [{ x: [1, 2] }, full[1]!.a, [3, null]])
    const e = thrown(() => Tree.flattenUpTo(prefix, [1, { a: 2 }]))
    assert.strictEqual(
      e.message,
      "Tree.flattenUpTo: tree structure mismatch at [1]: expected a record with keys [\"a\",\"b\"], got a record with keys [\"a\"]"
    )
  })

  it("broadcastPrefix: a number or null at a node covers its subtree", () => {
    const isNull = (x: unknown) => x === null
    const args = [{ w: tensor([1]), b: tensor([2]) }, [tensor([3]), tensor([4]), tensor([5])]]
    assert.deepStrictEqual(Tree.broadcastPrefix(0, args, { isLeaf: isNull }), [0, 0, 0, 0, 0])
    assert.deepStrictEqual(Tree.broadcastPrefix(null, args, { isLeaf: isNull }), [null, null, null, null, null])
    assert.deepStrictEqual(Tree.broadcastPrefix([null, 1], args, { isLeaf: isNull }), [null, null, 1, 1, 1])
    assert.deepStrictEqual(Tree.broadcastPrefix([{ b: 0, w: null }, [1, null, 0]], args, { isLeaf: isNull }), [
      0,
      null,
      1,
      null,
      0
    ])
    // A null argument has no leaves, so its axis covers nothing.
    assert.deepStrictEqual(Tree.broadcastPrefix([0, 1], [null, tensor([1])], { isLeaf: isNull }), [1])
    const e = thrown(() => Tree.broadcastPrefix([0, 1, 2], args, { isLeaf: isNull }))
    assert.strictEqual(
      e.message,
      "Tree.broadcastPrefix: tree structure mismatch at the root: expected an array of length 3, got an array of length 2"
    )
    const deep = thrown(() => Tree.broadcastPrefix([{ w: 0 }, 0], args, { isLeaf: isNull }))
    assert.strictEqual(
      deep.message,
      "Tree.broadcastPrefix: tree structure mismatch at [0]: expected a record with keys [\"w\"], got a record with keys [\"b\",\"w\"]"
    )
  })

  it("flattenUpTo of a tree's own structure gives its leaves; broadcastPrefix by leaves (property)", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const [leaves, def] = Tree.flatten(t)
        const cut = Tree.flattenUpTo(def, t)
        assert.strictEqual(cut.length, leaves.length)
        cut.forEach((c, i) => assert.isTrue(Object.is(c, leaves[i])))
        // Every leaf of a full tree is covered by the prefix leaf above it.
        const labels = Tree.map(t, () => "x")
        assert.deepStrictEqual(Tree.broadcastPrefix(labels, t), leaves.map(() => "x"))
      }),
      { numRuns: 200 }
    )
  })
})

describe("types", () => {
  it("infers mapped and leaf types", () => {
    const t = { w: tensor([1]), n: [1, null] as [number, null], s: undefined as Tensor | undefined }
    const m = Tree.map(t, (x) => String(x))
    expectTypeOf(m).toEqualTypeOf<{ w: string; n: [string, null]; s: string | undefined }>()
    expectTypeOf<Tree.LeafOf<typeof t>>().toEqualTypeOf<Tensor | number>()
    expectTypeOf(Tree.leaves(t)).toEqualTypeOf<Array<Tensor | number>>()
    expectTypeOf<Tree.LeafOf<{ f: (x: number) => number; x: Tensor }>>().toEqualTypeOf<Tensor>()
    expectTypeOf<Tree.MapLeaves<unknown, string>>().toEqualTypeOf<unknown>()
    expectTypeOf<Tree.LeafOf<unknown>>().toEqualTypeOf<unknown>()
    expectTypeOf<Tree.MapLeaves<{ a: unknown; b: Tensor }, string>>().toEqualTypeOf<{ a: unknown; b: string }>()
    expectTypeOf<Tree.MapLeaves<{ d: Date; xs: ReadonlyArray<Tensor> }, boolean>>().toEqualTypeOf<
      { d: boolean; xs: ReadonlyArray<boolean> }
    >()
    assert.deepStrictEqual(m.n, ["1", null])
  })

  it("generic tree types: callbacks annotated with the leaf type are accepted", () => {
    const double = <P>(params: P): Tree.MapLeaves<P, number> => Tree.map(params, (x: number) => x * 2)
    const sum = <P>(a: P, b: P): Tree.MapLeaves<P, number> => Tree.mapN([a, b], (x: number, y: number) => x + y)
    assert.deepStrictEqual(double({ a: 1, b: [2] }), { a: 2, b: [4] })
    assert.deepStrictEqual(sum([1, 2], [10, 20]), [11, 22])
  })

  it("all (JAX's tree.all): Python's all of the leaves, one-element tensors read", () => {
    assert.isTrue(Tree.all([true, { a: true, b: [true, true] }]))
    assert.isFalse(Tree.all([false, [true, false]]))
    assert.isTrue(Tree.all([]))
    assert.isTrue(Tree.all([tensor([1]), 2]))
    assert.isFalse(Tree.all({ a: tensor([0]) }))
    assert.isFalse(Tree.all([true, 0]))
    assert.strictEqual((thrown(() => Tree.all([tensor([1, 2])])) as unknown as { _tag: string })._tag, "ArgumentError")
  })

  it("reduceAssociative (JAX's tree.reduce_associative): a balanced tree of calls; identity for no leaves", () => {
    assert.strictEqual(Tree.reduceAssociative([1, [2, 3], [4, 5, 6]], (a: number, b: number) => a + b), 21)
    // the halves are reduced first: ((1 2) (3 (4 5))) for five leaves, as JAX's _parallel_reduce
    const shape = Tree.reduceAssociative(["1", "2", "3", "4", "5"], (a: string, b: string) => `(${a} ${b})`)
    assert.strictEqual(shape, "((1 2) (3 (4 5)))")
    assert.strictEqual(Tree.reduceAssociative([], (a: number, b: number) => a + b, { identity: 0 }), 0)
    assert.strictEqual(
      (thrown(() => Tree.reduceAssociative([], (a: number, b: number) => a + b)) as unknown as { _tag: string })._tag,
      "TreeStructureError"
    )
  })
})
