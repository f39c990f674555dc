/**
 * JAX parity: how jit, vmap, grad and the Jacobians treat each kind of pytree node (the pytree
 * cases of tests/api_test.py and tree_util_test.py's StaticTest). Registered classes come back as
 * instances of their class, `null`, `undefined` and empty containers are kept in place, node data
 * is part of jit's cache key (compared by value), and a `Tree.partial` carries its bound tensors
 * through every transformation. Expected values are derived by hand in the comments.
 */
import { grad, jacfwd, jacrev, jit, valueAndGrad, vjp, vmap } from "@diffect/ad"
import { np, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { expect, failure, run, value } from "./parity.js"

class Point {
  constructor(readonly x: unknown, readonly y: unknown) {}
}
Tree.register(Point, (p) => [p.x, p.y], ([x, y]) => new Point(x, y), { keys: ["x", "y"] })

// tree_util_test.py's StaticInt/StaticTuple/StaticDict: no children, the value is node data.
class Static {
  constructor(readonly value: unknown) {}
}
Tree.register(Static, () => [], (_c, aux) => new Static(aux), { aux: (s) => s.value })

class Linear extends Schema.Class<Linear>("Linear")({ w: Schema.Any, b: Schema.Any, name: Schema.String }) {}
Tree.register(Linear, { static: ["name"] })

const f64 = (v: number | ReadonlyArray<number>) => np.array(v, { dtype: "float64" })
const norm = (p: Point) => np.sqrt(np.add(np.square(p.x as Tensor), np.square(p.y as Tensor)))

describe("registered classes through the transformations", () => {
  it("test_namedtuple_transparency: grad gives a Point, jit agrees with eager", () => {
    const pt = new Point(f64(1), f64(2))
    const g = run(grad(norm)(pt))
    assert.instanceOf(g, Point)
    // d/dx sqrt(x^2 + y^2) = x / sqrt(5), d/dy = y / sqrt(5)
    expect.close(value(Effect.succeed([g.x, g.y])), [1 / Math.sqrt(5), 2 / Math.sqrt(5)], 1e-12)
    expect.close(value(jit(norm)(pt)), Math.sqrt(5), 1e-12)
  })

  it("a subclass of a registered class is a leaf (registration is per class, as JAX's registry is per type)", () => {
    class ZeroPoint extends Point {}
    const e = failure(grad(norm)(new ZeroPoint(f64(0), f64(0))))
    assert.strictEqual(e._tag, "InvalidArgumentError")
    assert.include(e.message, "ZeroPoint")
  })

  it("test_grad_does_not_unflatten_tree_with_none: fromChildren never sees null children", () => {
    class CustomNode {
      constructor(readonly items: ReadonlyArray<unknown>) {}
    }
    Tree.register(CustomNode, (c) => [...c.items], (children) => {
      if (children[0] === null || children[0] === undefined) throw new Error("unflattened with None")
      return new CustomNode(children)
    })
    const g = run(grad((c: CustomNode) => c.items[0] as Tensor)(new CustomNode([f64(0)])))
    assert.instanceOf(g, CustomNode)
    expect.close(value(Effect.succeed(g.items)), [1])
    // an unused child gets a zero, not null
    const g2 = run(grad((c: CustomNode) => c.items[0] as Tensor)(new CustomNode([f64(0), f64(5)])))
    expect.close(value(Effect.succeed(g2.items)), [1, 0])
    Tree.unregister(CustomNode)
  })

  it("vmap maps a class's children and rebuilds it; inAxes may be a class prefix", () => {
    const out = run(
      vmap((p: Point) => new Point(np.multiply(p.x as Tensor, 2), p.y))(new Point(f64([1, 2]), f64([3, 4])))
    )
    assert.instanceOf(out, Point)
    expect.close(value(Effect.succeed([out.x, out.y])), [[2, 4], [3, 4]])
    // in_axes=(Point(0, None),): x mapped, y broadcast
    const added = vmap((p: Point) => np.add(p.x as Tensor, p.y as Tensor), {
      // (AxisSpec's type has arrays and records, not registered classes: cast)
      inAxes: [new Point(0, null) as never]
    })
    expect.close(value(added(new Point(f64([1, 2]), f64(10)))), [11, 12])
    // out_axes=Point(0, 1)
    const t = run(vmap((x: Tensor) => new Point(x, x), { outAxes: new Point(0, 1) as never })(np.ones([2, 3])))
    assert.deepStrictEqual([(t.x as Tensor).shape, (t.y as Tensor).shape], [[2, 3], [3, 2]])
  })

  it("a Schema class's static field rides along as node data under grad, jit and vmap", () => {
    const lin = new Linear({ w: f64([1, 2]), b: f64(3), name: "dense" })
    const loss = (l: Linear) => np.add(np.sum(np.square(l.w as Tensor)), l.b as Tensor)
    const g = run(grad(loss)(lin))
    assert.instanceOf(g, Linear)
    assert.strictEqual(g.name, "dense")
    // d/dw sum(w^2) + b = 2w, d/db = 1
    expect.close(value(Effect.succeed([g.w, g.b])), [[2, 4], 1])
    const j = run(jit((l: Linear) => l)(lin))
    assert.instanceOf(j, Linear)
    assert.strictEqual(j.name, "dense")
    const v = run(vmap((l: Linear) => l)(new Linear({ w: f64([1, 2]), b: f64([3, 4]), name: "batched" })))
    assert.instanceOf(v, Linear)
    assert.strictEqual(v.name, "batched")
  })

  it("test_jacobian_on_pytrees: jacrev and jacfwd of a class give the class", () => {
    const f = (p: Point) => np.multiply(p.x as Tensor, p.y as Tensor)
    const pt = new Point(f64([1, 2]), f64([3, 4]))
    for (const jac of [jacrev(f)(pt), jacfwd(f)(pt)]) {
      const j = run(jac)
      assert.instanceOf(j, Point)
      // d(x*y)/dx = diag(y), d(x*y)/dy = diag(x)
      expect.close(value(Effect.succeed([j.x, j.y])), [[[3, 0], [0, 4]], [[1, 0], [0, 2]]])
    }
  })
})

describe("None, undefined and empty containers", () => {
  it("are kept in place in arguments, gradients and outputs", () => {
    const p = { w: f64([1, 2]), n: null, u: undefined, e: [], r: {} }
    const g = run(grad((q: typeof p) => np.sum(np.square(q.w)))(p))
    assert.deepStrictEqual([g.n, g.u, g.e, g.r], [null, undefined, [], {}])
    expect.close(value(Effect.succeed(g.w)), [2, 4])
    const out = { n: null, u: undefined, e: [], r: {} }
    const j = run(jit((x: Tensor) => ({ y: x, ...out }))(f64(1)))
    assert.deepStrictEqual([j.n, j.u, j.e, j.r], [null, undefined, [], {}])
    const v = run(vmap((x: Tensor) => ({ y: x, ...out }))(f64([1, 2])))
    assert.deepStrictEqual([v.n, v.u, v.e, v.r], [null, undefined, [], {}])
    // valueAndGrad's aux keeps its nulls and JS numbers
    const [[, aux]] = run(
      valueAndGrad((x: Tensor) => [np.sum(x), { n: null, s: 3 }] as const, { hasAux: true })(f64([1]))
    )
    assert.deepStrictEqual(aux, { n: null, s: 3 })
  })

  it("jacrev of records with None: None where JAX has None", () => {
    // JAX: jacrev(lambda p: {'a': 2 * p['x'], 'n': None})({'x': x, 'm': None})
    //   = {'a': {'m': None, 'x': 2 I}, 'n': None}
    const j = run(
      jacrev((p: { x: Tensor; m: null }) => ({ a: np.multiply(p.x, 2), n: null }))({ x: f64([1, 2]), m: null })
    )
    assert.strictEqual(j.n, null)
    assert.strictEqual(j.a.m, null)
    expect.close(value(Effect.succeed(j.a.x)), [[2, 0], [0, 2]])
  })
})

describe("StaticTest: node data is part of jit's cache key, compared by value", () => {
  const traced = () => {
    let n = 0
    const f = jit((x: Tensor, s: Static) => {
      n++
      const v = s.value
      const k = typeof v === "number" ? v : Array.isArray(v) ? (v[0] as number) : (v as { foo: number }).foo
      return np.add(x, k)
    })
    return { f, count: () => n }
  }

  it("test_trace_just_once_with_same_static", () => {
    for (const make of [() => new Static(2), () => new Static([2, null]), () => new Static({ foo: 2 })]) {
      const { count, f } = traced()
      // a new but equal node data each call: one trace
      expect.close(value(f(f64(1), make())), 3)
      expect.close(value(f(f64(3), make())), 5)
      assert.strictEqual(count(), 1)
    }
  })

  it("test_trace_twice_with_different_static", () => {
    const pairs: ReadonlyArray<readonly [Static, Static]> = [
      [new Static(2), new Static(4)],
      [new Static([2, null]), new Static([4, null])],
      [new Static({ foo: 2 }), new Static({ foo: 4 })]
    ]
    for (const [a, b] of pairs) {
      const { count, f } = traced()
      expect.close(value(f(f64(1), a)), 3)
      expect.close(value(f(f64(3), b)), 7)
      assert.strictEqual(count(), 2)
    }
  })

  it("values JSON cannot tell apart are different signatures (NaN, null; 10, 10n)", () => {
    let n = 0
    const f = jit((x: Tensor, s: Static) => {
      n++
      return np.add(x, s.value === null ? 1 : typeof s.value === "bigint" ? 2 : Number.isNaN(s.value) ? 3 : 4)
    })
    const calls: ReadonlyArray<readonly [unknown, number]> = [[null, 1], [NaN, 3], [10n, 2], [10, 4], [null, 1], [
      NaN,
      3
    ]]
    for (const [v, k] of calls) expect.close(value(f(f64(0), new Static(v))), k)
    // four signatures, each traced once (the printed key of NaN and null was one, so they evicted each other)
    assert.strictEqual(n, 4)
  })

  it("testEqualityErrorWithArrayAsStaticArg: a tensor in node data is compared by identity", () => {
    // JAX raises on the second call (arrays cannot be compared as metadata); here one tensor object
    // is one signature and another tensor another, so the value is never stale
    class Holder extends Schema.Class<Holder>("Holder")({ x: Schema.Any, y: Schema.Any }) {}
    Tree.register(Holder, { static: ["x"] })
    let n = 0
    const f = jit((h: Holder) => {
      n++
      return np.multiply(h.y as Tensor, np.sum(h.x as Tensor))
    })
    const w = f64([1, 2, 3])
    expect.close(value(f(new Holder({ x: w, y: f64(1) }))), 6)
    expect.close(value(f(new Holder({ x: w, y: f64(2) }))), 12)
    assert.strictEqual(n, 1)
    expect.close(value(f(new Holder({ x: f64([10, 20, 30]), y: f64(1) }))), 60)
    assert.strictEqual(n, 2)
    Tree.unregister(Holder)
  })
})

describe("Tree.partial through the transformations (JAX's Partial)", () => {
  const mulSum = (a: Tensor, b: Tensor) => np.sum(np.multiply(a, b))

  it("grad with respect to a Partial differentiates its bound arguments", () => {
    const p = Tree.partial(mulSum, f64([5, 6]))
    const g = run(grad((h: typeof p) => h(f64([2, 3])))(p))
    assert.isTrue(Tree.isPartial(g))
    assert.strictEqual(g.fn, p.fn)
    // d/da sum(a * b) = b
    expect.close(value(Effect.succeed(g.args)), [[2, 3]])
  })

  it("vmap maps its bound tensors; jit takes and returns it, traced once per function", () => {
    const p = Tree.partial((a: Tensor, b: Tensor) => np.multiply(a, b), f64([5, 6]))
    expect.close(value(vmap((h: typeof p) => h(f64(2)))(p)), [10, 12])
    let n = 0
    const call = jit((h: typeof p, x: Tensor) => {
      n++
      return h(x)
    })
    expect.close(value(call(p, f64(3))), [15, 18])
    expect.close(value(call(Tree.partial(p.fn, f64([1, 1])) as typeof p, f64(3))), [3, 3])
    assert.strictEqual(n, 1)
    const back = run(jit((h: typeof p) => h)(p))
    assert.isTrue(Tree.isPartial(back))
    expect.close(value(Effect.succeed(back(f64(2)))), [10, 12])
  })

  it("vjp's VJP function is a Partial that jit accepts", () => {
    const [, pullback] = run(vjp((x: Tensor) => np.sum(np.square(x)), [f64([1, 2])]))
    assert.isTrue(Tree.isPartial(pullback))
    const cts = run(jit((f: typeof pullback, ct: Tensor) => f(ct))(pullback, f64(1)))
    // d/dx sum(x^2) = 2x
    expect.close(value(Effect.succeed(cts)), [[2, 4]])
  })
})
