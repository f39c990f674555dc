/**
 * vmap's public API: axes specs (ints, negative, null, pytree prefixes), outputs,
 * axisSize, user functions returning Effects, and the typed errors with JAX's
 * messages (jax/_src/api.py `vmap`, `_mapped_axis_size`; batching.py `matchaxis`).
 */
import { EscapedTracerError, lax, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { VmapAxisError, VmapOutAxesError, VmapSizeError, VmapSpecError } from "../src/Errors.js"
import { makeProgram } from "../src/Staging.js"
import { vmap } from "../src/Vmap.js"
import { arr, failure, run, values } from "./vmapSupport.js"

const sum = (x: Tensor): Tensor => lax.reduceSum(x, x.shape.map((_, i) => i))
const x23 = () => arr([[1, 2, 3], [4, 5, 6]])

describe("vmap: axes", () => {
  it("maps over the leading axis by default", () => {
    assert.deepStrictEqual(values(run(vmap(sum)(x23()))), [6, 15])
  })

  it("a batched tensor iterates over its (unbatched) first axis, as JAX's tracers do", () => {
    const rows = run(vmap((x: Tensor) => [...x])(x23())) as ReadonlyArray<Tensor>
    assert.deepStrictEqual(rows.map(values), [[1, 4], [2, 5], [3, 6]])
    const total = (x: Tensor) => {
      let s = lax.reduceSum(lax.mul(x, x), [0, 1])
      for (const row of x) s = lax.add(s, sum(row))
      return s
    }
    // per example: the sum of squares plus the sum
    assert.deepStrictEqual(values(run(vmap(total)(arr([[[1, 2]], [[3, 4]]])))), [8, 32])
  })

  it("inAxes 1 maps over columns; negative axes count from the end", () => {
    assert.deepStrictEqual(values(run(vmap(sum, { inAxes: 1 })(x23()))), [5, 7, 9])
    assert.deepStrictEqual(values(run(vmap(sum, { inAxes: -1 })(x23()))), [5, 7, 9])
    assert.deepStrictEqual(values(run(vmap(sum, { inAxes: [-2] })(x23()))), [6, 15])
  })

  it("outAxes places the mapped axis in the output", () => {
    const double = (x: Tensor) => lax.add(x, x)
    // Map rows, put them back as columns: the transpose of 2x.
    assert.deepStrictEqual(values(run(vmap(double, { outAxes: 1 })(x23()))), [[2, 8], [4, 10], [6, 12]])
    assert.deepStrictEqual(values(run(vmap(double, { inAxes: 1, outAxes: -1 })(x23()))), [[2, 4, 6], [8, 10, 12]])
  })

  it("an unmapped argument (inAxes null) is shared by every example", () => {
    const addRow = (row: Tensor, v: Tensor) => lax.add(row, v)
    const out = run(vmap(addRow, { inAxes: [0, null] })(x23(), arr([10, 20, 30])))
    assert.deepStrictEqual(values(out), [[11, 22, 33], [14, 25, 36]])
  })

  it("an output that does not depend on the mapped inputs is broadcast along outAxes", () => {
    const constant = (_x: Tensor, v: Tensor) => v
    assert.deepStrictEqual(values(run(vmap(constant, { inAxes: [0, null] })(x23(), arr([7, 8])))), [[7, 8], [7, 8]])
    assert.deepStrictEqual(
      values(run(vmap(constant, { inAxes: [0, null], outAxes: 1 })(x23(), arr([7, 8])))),
      [[7, 7], [8, 8]]
    )
  })

  it("outAxes null keeps an unbatched output as it is", () => {
    const both = (x: Tensor, v: Tensor) => [lax.neg(x), v] as const
    const [a, b] = run(vmap(both, { inAxes: [0, null], outAxes: [0, null] })(arr([1, 2]), arr([5, 6, 7])))
    assert.deepStrictEqual(values(a), [-1, -2])
    assert.deepStrictEqual(values(b), [5, 6, 7])
  })

  it("axisSize maps a function of unmapped arguments", () => {
    const out = run(vmap((v: Tensor) => lax.neg(v), { inAxes: null, axisSize: 3 })(arr([1, 2])))
    assert.deepStrictEqual(values(out), [[-1, -2], [-1, -2], [-1, -2]])
    const noArgs = run(vmap(() => lax.scalar(4, "float64"), { axisSize: 2 })())
    assert.deepStrictEqual(values(noArgs), [4, 4])
    // a negative or fractional size is refused by name (it used to fail inside broadcast_in_dim)
    for (const bad of [-1, 1.5]) {
      const e = failure(vmap((v: Tensor) => v, { inAxes: null, axisSize: bad })(arr([1]))) as Error & { _tag: string }
      assert.strictEqual(e._tag, "ArgumentError")
      assert.include(e.message, "axisSize")
    }
  })

  it("inAxes is a pytree prefix of the arguments (JAX's flatten_axes)", () => {
    const f = (p: { w: Tensor; b: Tensor }, xs: ReadonlyArray<Tensor>) =>
      lax.add(lax.mul(p.w, xs[0]!), lax.add(p.b, xs[1]!))
    const p = { w: arr([[1, 2], [3, 4]]), b: arr([100, 200]) }
    // w mapped over columns, b unmapped; xs: first mapped over axis 0, second over axis 1.
    const xs = [arr([[1, 1], [2, 2]]), arr([[10, 20], [30, 40]])]
    const out = run(vmap(f, { inAxes: [{ w: 1, b: null }, [0, 1]] })(p, xs))
    // example i: w[:, i] * xs0[i] + b + xs1[:, i]
    assert.deepStrictEqual(values(out), [[1 + 100 + 10, 3 + 200 + 30], [4 + 100 + 20, 8 + 200 + 40]])
  })

  it("outAxes is a pytree prefix of the output; records and nulls are kept", () => {
    const f = (x: Tensor) => ({ a: x, b: [lax.neg(x), null] as const })
    const out = run(vmap(f, { outAxes: { a: 0, b: 1 } })(x23()))
    assert.deepStrictEqual(values(out.a), [[1, 2, 3], [4, 5, 6]])
    assert.deepStrictEqual(values(out.b[0]), [[-1, -4], [-2, -5], [-3, -6]])
    assert.isNull(out.b[1])
  })

  it("unmapped non-tensor arguments are passed through untouched", () => {
    const scale = (x: Tensor, k: number, label: string) => {
      assert.strictEqual(label, "rows")
      return lax.mul(x, lax.full(x.shape, k, x.dtype))
    }
    assert.deepStrictEqual(values(run(vmap(scale, { inAxes: [0, null, null] })(arr([1, 2]), 3, "rows"))), [3, 6])
  })

  it("a function returning an Effect is run inside the trace", () => {
    const f = (x: Tensor) => Effect.succeed(lax.mul(x, x))
    assert.deepStrictEqual(values(run(vmap(f)(arr([1, 2, 3])))), [1, 4, 9])
  })

  it("nested vmaps map over two axes", () => {
    const outer = vmap(vmap((x: Tensor) => lax.mul(x, x)), { inAxes: 1, outAxes: 1 })
    assert.deepStrictEqual(values(run(outer(x23()))), [[1, 4, 9], [16, 25, 36]])
    // Inner over columns of each row: a matrix-vector product row by row.
    const dot = (a: Tensor, b: Tensor) => sum(lax.mul(a, b))
    const matvec = vmap(dot, { inAxes: [0, null] })
    assert.deepStrictEqual(values(run(matvec(x23(), arr([1, 0, -1])))), [-2, -2])
    const matmat = vmap(matvec, { inAxes: [null, 1], outAxes: 1 })
    assert.deepStrictEqual(values(run(matmat(x23(), arr([[1, 0], [0, 1], [-1, 0]])))), [[-2, 2], [-2, 5]])
  })
})

describe("vmap: errors (JAX's messages)", () => {
  it("inconsistent sizes along mapped axes", () => {
    const e = failure(vmap((a: Tensor, b: Tensor) => lax.add(a, b))(arr([1, 2, 3]), arr([1, 2])))
    assert.instanceOf(e, VmapSizeError)
    assert.strictEqual(
      (e as Error).message,
      "vmap got inconsistent sizes for array axes to be mapped:\n" +
        "  * one axis had size 3: axis 0 of argument a of type float64[3];\n" +
        "  * one axis had size 2: axis 0 of argument b of type float64[2]"
    )
  })

  it("inconsistent sizes: most axes, and the axisSize argument", () => {
    const f = (a: Tensor, b: Tensor, c: Tensor) => lax.add(a, lax.add(b, c))
    const e = failure(vmap(f, { axisSize: 4 })(arr([1, 2]), arr([1, 2]), arr([1, 2, 3])))
    assert.strictEqual(
      (e as Error).message,
      "vmap got inconsistent sizes for array axes to be mapped:\n" +
        "  * the `axis_size` argument was 4;\n" +
        "  * most axes (2 of them) had size 2, e.g. axis 0 of argument a of type float64[2];\n" +
        "  * one axis had size 3: axis 0 of argument c of type float64[3]"
    )
  })

  it("inconsistent sizes name the key path of a pytree leaf", () => {
    const e = failure(vmap((p: { a: Tensor; b: Tensor }) => lax.add(p.a, p.b))({ a: arr([1]), b: arr([1, 2]) }))
    assert.include((e as Error).message, "axis 0 of argument p['a'] of type float64[1]")
    assert.include((e as Error).message, "axis 0 of argument p['b'] of type float64[2]")
  })

  it("inconsistent sizes name a registered class's children by their keys (JAX's GetAttrKey: p.x)", () => {
    class Pair {
      constructor(readonly x: Tensor, readonly y: Tensor) {}
    }
    Tree.register(Pair, (p: Pair) => [p.x, p.y] as const, ([x, y]: readonly [Tensor, Tensor]) => new Pair(x, y), {
      keys: ["x", "y"]
    })
    const e = failure(vmap((p: Pair) => lax.add(p.x, p.y))(new Pair(arr([1]), arr([1, 2]))))
    assert.include((e as Error).message, "axis 0 of argument p.x of type float64[1]")
    assert.include((e as Error).message, "axis 0 of argument p.y of type float64[2]")
  })

  it("no mapped argument and no axisSize", () => {
    const e = failure(vmap((v: Tensor) => v, { inAxes: null })(arr([1])))
    assert.instanceOf(e, VmapSizeError)
    assert.strictEqual(
      (e as Error).message,
      "vmap must have at least one non-None value in in_axes or axis_size must be specified"
    )
    const empty = failure(vmap(() => lax.scalar(1, "float32"))())
    assert.strictEqual(
      (empty as Error).message,
      "vmap wrapped function must be passed at least one argument containing an array or axis_size must be specified, got empty *args=() and **kwargs={}"
    )
  })

  it("an in axis beyond the argument's rank", () => {
    const e = failure(vmap((v: Tensor) => v, { inAxes: 2 })(arr([1, 2, 3])))
    assert.instanceOf(e, VmapAxisError)
    assert.strictEqual(
      (e as Error).message,
      "vmap was requested to map its argument along axis 2, which implies that its rank should be at least 3, but is only 1 (its shape is (3,))"
    )
    const neg = failure(vmap((v: Tensor) => v, { inAxes: -2 })(arr([1, 2, 3])))
    assert.include(
      (neg as Error).message,
      "along axis -2, which implies that its rank should be at least 2, but is only 1"
    )
    // A JS number mapped along axis 0 has rank 0.
    const scalar = failure(vmap((v: Tensor) => v)(5 as unknown as Tensor))
    assert.include((scalar as Error).message, "rank should be at least 1, but is only 0 (its shape is ())")
  })

  it("an out axis beyond the output's rank", () => {
    const e = failure(vmap((v: Tensor) => v, { outAxes: 2 })(arr([1, 2, 3])))
    assert.instanceOf(e, VmapAxisError)
    assert.strictEqual((e as Error).message, "vmap out_axes: axis 2 is out of bounds for array of dimension 1")
  })

  it("a mapped output with outAxes null", () => {
    const e = failure(vmap((v: Tensor) => lax.neg(v), { outAxes: null })(arr([1, 2])))
    assert.instanceOf(e, VmapOutAxesError)
    assert.strictEqual(
      (e as Error).message,
      "vmap has mapped output but out_axes is None: at vmap out_axes, got axis spec None but output was batched on axis 0"
    )
    const named = failure(vmap((v: Tensor) => lax.neg(v), { outAxes: null, axisName: "batch" })(arr([1, 2])))
    assert.strictEqual((named as Error).message, "vmap has mapped output (axis_name=batch) but out_axes is None")
    const nested = failure(vmap((v: Tensor) => [v, lax.neg(v)], { outAxes: [0, null] })(arr([1, 2])))
    assert.include(
      (nested as Error).message,
      "at vmap out_axes[1], got axis spec None but output was batched on axis 0"
    )
  })

  it("inAxes with a different number of entries than arguments", () => {
    const e = failure(vmap((a: Tensor, b: Tensor) => lax.add(a, b), { inAxes: [0] })(arr([1]), arr([2])))
    assert.instanceOf(e, VmapSpecError)
    assert.strictEqual(
      (e as Error).message,
      "vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=1, len(args)=2."
    )
  })

  it("inAxes whose structure is not a prefix of the arguments", () => {
    const e = failure(vmap((p: { a: Tensor }) => p.a, { inAxes: [{ b: 0 }] })({ a: arr([1]) }))
    assert.instanceOf(e, VmapSpecError)
    assert.include((e as Error).message, "vmap in_axes specification must be a tree prefix of the corresponding value;")
    const outer = failure(vmap((v: Tensor) => [v, v], { outAxes: [0, 0, 0] })(arr([1])))
    assert.include(
      (outer as Error).message,
      "vmap out_axes specification must be a tree prefix of the corresponding value;"
    )
  })

  it("axis specs that are not integers or null", () => {
    const e = failure(vmap((v: Tensor) => v, { inAxes: [0.5] })(arr([1])))
    assert.instanceOf(e, VmapSpecError)
    assert.strictEqual(
      (e as Error).message,
      "vmap in_axes must be an int, None, or (nested) container with those types as leaves, but got [0.5]."
    )
    const record = failure(vmap((v: Tensor) => v, { inAxes: { a: 0 } })(arr([1])))
    assert.include((record as Error).message, "vmap in_axes must be an int, None, or a tuple of entries")
  })
})

describe("vmap: staging and escaped tracers", () => {
  it("makeProgram of vmap(vmap(dot)) stages a single dot_general (JAX's testNestedBatchingMatMat)", () => {
    const dot = (a: Tensor, b: Tensor) => lax.dotGeneral(a, b, [[0], [0]])
    const matvec = vmap(dot, { inAxes: [0, null] })
    const matmat = vmap(matvec, { inAxes: [null, 1], outAxes: 1 })
    const program = run(makeProgram(matmat)(arr([[1, 2, 3], [4, 5, 6]]), arr([[1, 0], [0, 1], [-1, 0]])))
    assert.deepStrictEqual(program.equations.map((e) => (e as { primitive?: string }).primitive), ["dot_general"])
    assert.deepStrictEqual(program.outAvals.map((a) => a.shape), [[2, 2]])
  })

  it("a batched value used after vmap returned is an EscapedTracerError", () => {
    let leaked: Tensor | undefined
    run(
      vmap((x: Tensor) => {
        leaked = x
        return x
      })(arr([1, 2]))
    )
    assert.throws(() => lax.neg(leaked!), EscapedTracerError)
  })
})
