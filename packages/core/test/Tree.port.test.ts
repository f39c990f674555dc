// JAX parity, second sweep of jax/tests/tree_util_test.py: the cases Tree.jax.test.ts does not
// have (all_leaves, key paths with map_with_path and keystr's simple form, registrations that
// break their contract, static node data compared by value and printed faithfully). Expected
// values are JAX's (tuples and lists are both JS arrays; dicts are records).
import { thrown, thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Equal, Schema } from "effect"
import * as np from "../src/numpy.js"
import { Tensor } from "../src/Tensor.js"
import * as Tree from "../src/Tree.js"

class ATuple {
  constructor(readonly foo: unknown, readonly bar: unknown) {}
}
Tree.register(ATuple, (t) => [t.foo, t.bar], ([foo, bar]) => new ATuple(foo, bar), { keys: ["foo", "bar"] })

// tree_util_test.py's StaticInt / StaticTuple / StaticDict: nodes without children whose value
// is node data (register_static).
class Static {
  constructor(readonly value: unknown) {}
}
Tree.register(Static, () => [], (_children, aux) => new Static(aux), { aux: (s) => s.value })

// JAX's TREES (the ones with a JS counterpart) and LEAVES.
const TREES: ReadonlyArray<unknown> = [
  [null],
  [1, null],
  [1],
  [1, [2, 3]],
  [[1, 2], [3, 4]],
  [[1, [2, 3]]],
  [new ATuple(1, 2)],
  new ATuple(1, new ATuple(null, 3)),
  { a: 1, b: 0 },
  { b: [1, 2], a: { c: 3 } },
  [Tree.partial((a: number, b: number) => a + b, 1)]
]
const LEAVES: ReadonlyArray<unknown> = ["foo", 0.1, 1, new Map(), () => 1, np.array([1, 2])]

describe("all_leaves", () => {
  it("testAllLeavesWithTrees / testAllLeavesWithLeaves", () => {
    for (const tree of TREES) {
      assert.isTrue(Tree.allLeaves(Tree.leaves(tree)), String(Tree.structure(tree)))
      assert.isFalse(Tree.allLeaves([tree]), String(Tree.structure(tree)))
    }
    for (const leaf of LEAVES) assert.isTrue(Tree.allLeaves([leaf]))
    // None is a node without children, not a leaf; so is undefined
    assert.isFalse(Tree.allLeaves([null]))
    assert.isFalse(Tree.allLeaves([undefined]))
    assert.isFalse(Tree.allLeaves([1, {}]))
    assert.isTrue(Tree.allLeaves([]))
  })

  it("testAllLeavesWithTreesAndCustomIsLeaf / WithLeavesAndCustomIsLeaf", () => {
    const isLeaf = (t: unknown) => Tree.allLeaves([t])
    for (const tree of TREES) assert.isFalse(Tree.allLeaves([tree], { isLeaf }))
    for (const leaf of LEAVES) assert.isTrue(Tree.allLeaves([leaf], { isLeaf }))
    // a node that isLeaf accepts is one leaf
    assert.isTrue(Tree.allLeaves([[1, 2], null], { isLeaf: (t) => Array.isArray(t) || t === null }))
  })

  it("takes an array, and its options are checked", () => {
    assert.strictEqual(
      thrownTag(() => Tree.allLeaves(5 as never), "ArgumentError"),
      "Tree.allLeaves: values must be an array, got the number 5"
    )
    assert.strictEqual(
      thrownTag(() => Tree.allLeaves([1], { isLeaf: 1 as never }), "ArgumentError"),
      "Tree.allLeaves: isLeaf must be a function, got the number 1"
    )
  })
})

describe("key paths", () => {
  it("testTreeMapWithPath", () => {
    const tree = [{ a: 1, b: [2, 3] }, 4]
    const out = Tree.mapWithPath(tree, (path, x: number) => `${Tree.keystr(path)}:${x}`)
    assert.deepStrictEqual(out, [{ a: "[0][\"a\"]:1", b: ["[0][\"b\"][0]:2", "[0][\"b\"][1]:3"] }, "[1]:4"])
    // data-last, and the paths of a registered class name its keys
    const f = Tree.mapWithPath((path, x: number) => path.length * 10 + x)
    const t = f(new ATuple(1, { c: 2 })) as ATuple
    assert.instanceOf(t, ATuple)
    assert.deepStrictEqual([t.foo, t.bar], [11, { c: 22 }])
  })

  it("testTreeMapWithPathWithIsLeafArgument", () => {
    const tree = [[1, 2], [3, 4]]
    const out = Tree.mapWithPath(tree, (path, x: unknown) => [Tree.keystr(path), x], {
      isLeaf: (x) => Array.isArray(x) && x.length === 2 && typeof x[0] === "number"
    })
    assert.deepStrictEqual(out, [["[0]", [1, 2]], ["[1]", [3, 4]]])
  })

  it("mapWithPath agrees with flattenWithPath, keeps null and undefined, and checks f", () => {
    const tree = { w: [1, null], b: undefined, c: 2 }
    const [pairs] = Tree.flattenWithPath(tree)
    assert.deepStrictEqual(Tree.leavesWithPath(tree), pairs)
    assert.deepStrictEqual(pairs, [[["c"], 2], [["w", 0], 1]])
    assert.deepStrictEqual(Tree.mapWithPath(tree, (p, x: number) => p.length + x), { w: [3, null], b: undefined, c: 3 })
    assert.strictEqual(
      thrownTag(() => Tree.mapWithPath(tree, 5 as never), "ArgumentError"),
      "Tree.mapWithPath: f must be a function, got the number 5"
    )
  })

  it("keystr's simple form and separator (JAX's keystr docstring)", () => {
    const params = { foo: { bar: { baz: 1, bat: [2, 3] } } }
    const paths = Tree.leavesWithPath(params).map(([p]) => p)
    // JAX: ['foo']['bar']['bat'][0], ['foo']['bar']['bat'][1], ['foo']['bar']['baz']
    assert.deepStrictEqual(paths.map((p) => Tree.keystr(p)), [
      "[\"foo\"][\"bar\"][\"bat\"][0]",
      "[\"foo\"][\"bar\"][\"bat\"][1]",
      "[\"foo\"][\"bar\"][\"baz\"]"
    ])
    // JAX: keystr(path, simple=True, separator='/')
    assert.deepStrictEqual(paths.map((p) => Tree.keystr(p, { simple: true, separator: "/" })), [
      "foo/bar/bat/0",
      "foo/bar/bat/1",
      "foo/bar/baz"
    ])
    assert.strictEqual(Tree.keystr(["a", 0], { separator: "." }), "[\"a\"].[0]")
    assert.strictEqual(Tree.keystr(["a", 0], { simple: true }), "a0")
    assert.strictEqual(Tree.keystr([], { simple: true, separator: "/" }), "")
    assert.strictEqual(
      thrownTag(() => Tree.keystr(["a"], { separator: 1 as never }), "ArgumentError"),
      "Tree.keystr: separator must be a string, got the number 1"
    )
  })
})

describe("map's arguments", () => {
  it("a tree with a non-function f fails on f instead of returning a function", () => {
    // (data-last was chosen whenever the second argument was not a function)
    assert.strictEqual(
      thrownTag(() => Tree.map({ a: 1 }, 5 as never), "ArgumentError"),
      "Tree.map: f must be a function, got the number 5"
    )
    assert.strictEqual(
      thrownTag(() => (Tree.map as (t: unknown) => unknown)({ a: 1 }), "ArgumentError"),
      "Tree.map: f must be a function, got undefined"
    )
    // data-last still works, and a Tree.partial (a function) maps data-first
    assert.deepStrictEqual(Tree.map((x: number) => x + 1, { isLeaf: undefined })([1, 2]), [2, 3])
    const p = Tree.partial((a: number, b: number) => a * b, 3)
    const q = Tree.map(p, (x: number) => x + 1)
    assert.isTrue(Tree.isPartial(q))
    assert.strictEqual(q(5), 20)
  })
})

describe("registrations that break their contract", () => {
  it("testBadFlattenNonTuple: toChildren must return an array", () => {
    class Bad {
      constructor(readonly x: number) {}
    }
    Tree.register(Bad, (b) => b.x as never, (c) => new Bad(c[0] as number))
    // (was a TypeError "Cannot read properties of undefined", and numLeaves counted 0)
    assert.strictEqual(
      thrownTag(() => Tree.leaves({ a: [new Bad(1)] }), "TreeStructureError"),
      "Tree.leaves: Bad's toChildren must return an array of children, got the number 1 (at [\"a\"][0])"
    )
    assert.strictEqual(
      thrownTag(() => Tree.numLeaves(new Bad(1)), "TreeStructureError"),
      "Tree.numLeaves: Bad's toChildren must return an array of children, got the number 1 (at the root)"
    )
    assert.strictEqual(
      thrownTag(() => Tree.map([0, new Bad(1)], (x) => x), "TreeStructureError"),
      "Tree.map: Bad's toChildren must return an array of children, got the number 1 (at [1])"
    )
    // as the second tree of a map, the prefix walk says where
    class Good {
      constructor(readonly x: unknown) {}
    }
    const bad = new Good(1)
    Tree.register(Good, (g): Array<unknown> => (g === bad ? { x: g.x } : [g.x]) as never, ([x]) => new Good(x))
    assert.strictEqual(
      thrownTag(() => Tree.mapN([[new Good(1)], [bad]], (x) => x), "TreeStructureError"),
      "Tree.mapN: Good's toChildren must return an array of children, got an object (at [1][0])"
    )
    Tree.unregister(Bad)
    Tree.unregister(Good)
  })

  it("a second registration of a class is an ArgumentError, as JAX's duplicate registration", () => {
    class Twice {
      constructor(readonly x: number) {}
    }
    Tree.register(Twice, (t) => [t.x], ([x]) => new Twice(x as number))
    assert.strictEqual(
      thrownTag(() => Tree.register(Twice, (t) => [t.x, t.x], ([x]) => new Twice(x as number)), "ArgumentError"),
      "Tree.register: constructor must be a class not registered yet (Tree.unregister it first to register it again), got the class Twice, already registered"
    )
    // the first registration stands; after unregister, a new one takes over
    assert.strictEqual(Tree.numLeaves(new Twice(1)), 1)
    Tree.unregister(Twice)
    Tree.register(Twice, (t) => [t.x, t.x], ([x]) => new Twice(x as number))
    assert.strictEqual(Tree.numLeaves(new Twice(1)), 2)
    Tree.unregister(Twice)
  })

  it("toChildren of another length than the registration's keys", () => {
    class K {
      constructor(readonly a: number, readonly b: number) {}
    }
    Tree.register(K, (k) => [k.a, k.b], ([a, b]) => new K(a, b), { keys: ["a"] })
    // (was silently named [\"a\"] and [1], and printed `undefined: *`)
    assert.strictEqual(
      thrownTag(() => Tree.flattenWithPath(new K(1, 2)), "TreeStructureError"),
      "Tree.flattenWithPath: K's toChildren returned 2 children, but its registration names 1 key ([\"a\"]) (at the root)"
    )
    Tree.unregister(K)
  })

  it("static names a Schema class does not have (test_register_dataclass_unexpected_fields)", () => {
    class S extends Schema.Class<S>("S")({ a: Schema.Number, b: Schema.String }) {}
    // (was silently ignored: b stayed a leaf)
    assert.strictEqual(
      thrownTag(() => Tree.register(S, { static: ["c"] }), "ArgumentError"),
      "Tree.register: static must be names of S's fields ([\"a\",\"b\"]), got the unknown field \"c\""
    )
    assert.isFalse(Tree.isRegistered(S))
    Tree.register(S, { static: ["b"] })
    assert.deepStrictEqual(Tree.leaves(new S({ a: 1, b: "x" })), [1])
    Tree.unregister(S)
  })

  it("built-in node kinds cannot be registered (JAX refuses a second registration of list or dict)", () => {
    class MyArray extends Array {}
    for (const c of [Array, Object, Tensor, MyArray]) {
      assert.strictEqual(
        thrownTag(() => Tree.register(c as never, () => [], () => ({})), "ArgumentError"),
        `Tree.register: constructor must be a class other than Array, Object and Tensor (arrays and records are built-in nodes, tensors are leaves), got the class ${c.name}`
      )
      assert.isFalse(Tree.isRegistered(c))
    }
    // (a registration of Array was silently ignored: arrays stayed arrays)
    assert.deepStrictEqual(Tree.leaves([1, [2]]), [1, 2])
  })
})

describe("node data (static fields)", () => {
  it("testStringRepresentation for static nodes (StaticInt, StaticTuple, StaticDict)", () => {
    // JAX: CustomNode(StaticInt[1], []), CustomNode(StaticTuple[(2, 3)], []),
    // CustomNode(StaticDict[{'foo': 4, 'bar': 5}], []); records print with sorted keys
    assert.strictEqual(String(Tree.structure(new Static(1))), "TreeDef(CustomNode(Static[1], []))")
    assert.strictEqual(String(Tree.structure(new Static([2, 3]))), "TreeDef(CustomNode(Static[[2,3]], []))")
    assert.strictEqual(
      String(Tree.structure(new Static({ foo: 4, bar: 5 }))),
      "TreeDef(CustomNode(Static[{\"bar\":5,\"foo\":4}], []))"
    )
    assert.strictEqual(Tree.structure(new Static(1)).numLeaves, 0)
    assert.strictEqual(Tree.structure(new Static(1)).numNodes, 1)
  })

  it("values that JSON cannot tell apart print apart, exactly as they compare", () => {
    // equal structures print alike, unequal ones differently: the printed structure is jit's cache
    // key (JSON printed NaN, null and Infinity as null, 10n as 10, and every Map as {})
    const values: ReadonlyArray<unknown> = [
      NaN,
      null,
      undefined,
      Infinity,
      10,
      10n,
      "10",
      { a: undefined },
      {},
      [undefined],
      [null],
      new Map([[1, 2]]),
      new Map([[1, 2]]),
      Symbol("s"),
      Symbol("s")
    ]
    const defs = values.map((v) => Tree.structure(new Static(v)))
    const printed = defs.map(String)
    assert.deepStrictEqual(printed.slice(0, 11), [
      "TreeDef(CustomNode(Static[NaN], []))",
      "TreeDef(CustomNode(Static[null], []))",
      "TreeDef(CustomNode(Static, []))",
      "TreeDef(CustomNode(Static[Infinity], []))",
      "TreeDef(CustomNode(Static[10], []))",
      "TreeDef(CustomNode(Static[10n], []))",
      "TreeDef(CustomNode(Static[\"10\"], []))",
      "TreeDef(CustomNode(Static[{\"a\":undefined}], []))",
      "TreeDef(CustomNode(Static[{}], []))",
      "TreeDef(CustomNode(Static[[undefined]], []))",
      "TreeDef(CustomNode(Static[[null]], []))"
    ])
    assert.match(printed[11]!, /^TreeDef\(CustomNode\(Static\[Map#\d+\], \[\]\)\)$/)
    for (let i = 0; i < defs.length; i++) {
      for (let j = 0; j < defs.length; j++) {
        assert.strictEqual(Tree.treedefEquals(defs[i]!, defs[j]!), i === j, `${printed[i]} vs ${printed[j]}`)
        assert.strictEqual(printed[i] === printed[j], i === j, `${printed[i]} vs ${printed[j]}`)
      }
    }
    // by value: NaN equals NaN, records whatever their key order, -0 equals 0 (as for ===)
    const eq = (a: unknown, b: unknown) =>
      Tree.treedefEquals(Tree.structure(new Static(a)), Tree.structure(new Static(b)))
    assert.isTrue(eq(NaN, NaN))
    assert.isTrue(eq({ b: 1, a: [2, { c: 3 }] }, { a: [2, { c: 3 }], b: 1 }))
    assert.isTrue(eq(-0, 0))
    assert.strictEqual(String(Tree.structure(new Static(-0))), String(Tree.structure(new Static(0))))
    assert.isTrue(eq(Symbol.for("k"), Symbol.for("k")))
    assert.strictEqual(
      String(Tree.structure(new Static(Symbol.for("k")))),
      "TreeDef(CustomNode(Static[Symbol.for(\"k\")], []))"
    )
  })

  it("circular node data compares and prints without overflowing the stack", () => {
    const a: Record<string, unknown> = {}
    a["self"] = a
    const b: Record<string, unknown> = {}
    b["self"] = b
    // (compared recursively forever: a RangeError)
    assert.isFalse(Tree.treedefEquals(Tree.structure(new Static(a)), Tree.structure(new Static(b))))
    assert.isTrue(Tree.treedefEquals(Tree.structure(new Static(a)), Tree.structure(new Static(a))))
    assert.match(
      String(Tree.structure(new Static(a))),
      /^TreeDef\(CustomNode\(Static\[\{"self":\{"self":.*Object#\d+.*\], \[\]\)\)$/
    )
  })

  it("testEqualityErrorWithArrayAsStaticArg: a tensor in node data is told apart by identity, with a hint", () => {
    class Holder extends Schema.Class<Holder>("Holder")({ x: Schema.Any, y: Schema.Any }) {}
    Tree.register(Holder, { static: ["x"] })
    const h1 = new Holder({ x: np.arange(4), y: 1 })
    const h2 = new Holder({ x: np.arange(4), y: 2 })
    assert.isTrue(Tree.treedefEquals(Tree.structure(h1), Tree.structure(new Holder({ x: h1.x, y: 3 }))))
    assert.isFalse(Tree.treedefEquals(Tree.structure(h1), Tree.structure(h2)))
    // (both printed as {"x":{"aval":{"shape":[4],...}}}: "expected [X], got [X]")
    const e = thrown(() => Tree.mapN([h1, h2], (a: number, b: number) => a + b))
    assert.instanceOf(e, Tree.TreeStructureError)
    assert.match(
      e.message,
      /^Tree\.mapN: tree structure mismatch at \[1\]: Holder node data mismatch: expected \[\{"x":Tensor\(i32\[4\]\)#(\d+)\}\], got \[\{"x":Tensor\(i32\[4\]\)#(\d+)\}\] \(node data other than primitives, arrays and plain records is compared by identity, and these are different objects; a tensor belongs in a child, not in node data\)$/
    )
    // a mismatch of values has no such hint
    const plain = thrown(() => Tree.mapN([new Static([1, 2]), new Static([1, 3])], (x) => x))
    assert.strictEqual(
      plain.message,
      "Tree.mapN: tree structure mismatch at [1]: Static node data mismatch: expected [[1,2]], got [[1,3]]"
    )
    Tree.unregister(Holder)
  })
})

describe("None and undefined are nodes without children", () => {
  it("JAX's tree_map(f, x, y) with None in the first tree and a value in the second fails", () => {
    // JAX: jax.tree.map(f, [None], [1]) raises; the other way round f receives None
    const e = thrown(() => Tree.mapN([[null, 1], [2, 3]], (a, b) => [a, b]))
    assert.strictEqual(e.message, "Tree.mapN: tree structure mismatch at [1][0]: expected null, got a leaf (number)")
    assert.deepStrictEqual(Tree.mapN([[1, 2], [null, undefined]], (a, b) => [a, b]), [[1, null], [2, undefined]])
  })

  it("test_tree_map_rest_prefix_err: isLeaf applies to the first tree only", () => {
    const x = { a: 1, b: 2, c: [1, 2], d: 4 }
    const y = { a: 1, b: 2, c: null, d: { d1: 4.1, d2: 4.2 } }
    const e = thrown(() => Tree.mapN([x, y], (a, b) => [a, b], { isLeaf: (v) => v === null }))
    assert.strictEqual(
      e.message,
      "Tree.mapN: tree structure mismatch at [1][\"c\"]: expected an array of length 2, got null"
    )
  })

  it("tree_reduce with and without an initializer, over trees with None", () => {
    const add = (a: number, b: number) => a + b
    // JAX: tree_reduce(add, [None, 1, (None, 2)]) = 3; with initializer 10: 13
    assert.strictEqual(Tree.reduce([null, 1, [undefined, 2]], add), 3)
    assert.strictEqual(Tree.reduce([null, 1, [undefined, 2]], add, { initial: 10 }), 13)
    assert.strictEqual(Tree.reduce([null, [undefined]], add, { initial: 10 }), 10)
    // JAX: "reduce() of empty iterable with no initial value"
    assert.strictEqual(
      thrownTag(() => Tree.reduce([null, [undefined]], add), "TreeStructureError"),
      "Tree.reduce: reduce of a tree with no leaves and no initial value"
    )
    // records reduce in sorted key order, registered classes in toChildren's order
    assert.strictEqual(
      Tree.reduce({ b: "2", a: "1", c: new ATuple("3", "4") }, (s: string, x: unknown) => s + String(x)),
      "1234"
    )
  })
})

describe("Schema classes", () => {
  it("an absent optional field stays absent, so a rebuilt instance is Equal to the original", () => {
    class O extends Schema.Class<O>("O")({
      a: Schema.Number,
      b: Schema.optional(Schema.Number),
      tag: Schema.optionalKey(Schema.String)
    }) {}
    Tree.register(O, { static: ["tag"] })
    const o = new O({ a: 1 })
    assert.strictEqual(String(Tree.structure(o)), "TreeDef(CustomNode(O[{}], {a: *, b: undefined}))")
    const back = Tree.map(o, (x: number) => x * 2)
    assert.instanceOf(back, O)
    // (the rebuilt instance had own `b: undefined` and `tag: undefined`: not Equal to O({ a: 2 }))
    assert.deepStrictEqual(Object.keys(back), ["a"])
    assert.isTrue(Equal.equals(back, new O({ a: 2 })))
    const full = new O({ a: 1, b: 2, tag: "t" })
    const fullBack = Tree.map(full, (x: number) => x)
    assert.isTrue(Equal.equals(fullBack, full))
    assert.strictEqual(String(Tree.structure(full)), "TreeDef(CustomNode(O[{\"tag\":\"t\"}], {a: *, b: *}))")
    // present and absent are different structures, as the leaf counts differ
    assert.isFalse(Tree.treedefEquals(Tree.structure(o), Tree.structure(full)))
    Tree.unregister(O)
  })
})

describe("Tree.partial", () => {
  it("binding a Partial gives a Partial with the arguments appended (a bound copy had no children to read)", () => {
    const p = Tree.partial((a: number, b: number, c: number) => a + 10 * b + 100 * c, 1)
    const q = p.bind(null, 2)
    // (was: Tree.leaves([q]) failed, q being a function of Partial's prototype without `args`)
    assert.isTrue(Tree.isPartial(q))
    assert.strictEqual(q(3), 321)
    assert.deepStrictEqual(Tree.leaves([q]), [1, 2])
    assert.deepStrictEqual(Tree.map(q, (x: number) => x * 2)(3), 2 + 40 + 300)
    assert.isTrue(Tree.treedefEquals(Tree.structure(q), Tree.structure(Tree.partial(p.fn, 5, 6))))
  })
})
