/**
 * `vmapSpmd` when this worker holds one slice of the axis (pmap's usual case): the slice runs
 * unbatched under the SPMD handler (internal/spmd.ts) for float32 programs. Here the worker
 * holds the whole axis (size 1, so `allGather` has nothing to add) and every result is
 * compared, bit for bit, with a one-process `vmap` over the same single slice: collectives of
 * varying and replicated values, `axisIndex`, `reduceAxes`, custom rules, jit inside (with and
 * without a collective in the jitted function), out axes and the out-axes error.
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { axisIndex, pmax, pmean, pmin, psum } from "../src/Collectives.js"
import { customJvp, customVjp } from "../src/Custom.js"
import { valueAndGrad } from "../src/Grad.js"
import { SpmdTracer } from "../src/internal/spmd.js"
import { BatchTracer } from "../src/internal/vmap.js"
import { jit, programRunnerStats } from "../src/Jit.js"
import { vmap, vmapSpmd } from "../src/Vmap.js"
import type { SpmdAxis } from "../src/Vmap.js"
import { arr, data, failure, run } from "./vmapSupport.js"

const bits = (t: Tensor): Array<number> => Array.from(data(t))
const sameBits = (actual: Tensor, expected: Tensor): void => {
  assert.deepStrictEqual(actual.shape, expected.shape)
  assert.strictEqual(actual.dtype, expected.dtype)
  const a = bits(actual)
  const e = bits(expected)
  a.forEach((v, i) => assert.isTrue(Object.is(v, e[i]), `element ${i}: ${v} !== ${e[i]}`))
}

// The whole axis (one slice) on this worker; records the collectives that reach the exchange.
const single = () => {
  const seen: Array<string> = []
  const spmd: SpmdAxis = {
    size: 1,
    offset: 0,
    allGather: (local) => (seen.push(`gather ${local.shape}`), local),
    // as the mesh's exchange: float dtypes only (`undefined`: the rule gathers)
    allReduce: (local, kind) => {
      if (local.dtype !== "float32" && local.dtype !== "float64") return undefined
      seen.push(`reduce ${kind} ${local.shape}`)
      const n = local.shape[0]!
      return kind === "sum"
        ? lax.reduceSum(local, [0])
        : kind === "mean"
        ? lax.div(lax.reduceSum(local, [0]), lax.full(local.shape.slice(1), n, local.dtype, local.weakType))
        : kind === "max"
        ? lax.reduceMax(local, [0])
        : lax.reduceMin(local, [0])
    },
    allReduceMany: (locals, kind) => {
      seen.push(`many ${kind} ${locals.length}`)
      const quiet = seen.length
      const out = locals.map((local) => spmd.allReduce!(local, kind))
      seen.length = quiet
      return out
    }
  }
  return { spmd, seen }
}

const both = <A>(f: (...args: Array<any>) => A, options: Parameters<typeof vmap>[1], args: Array<unknown>) => {
  const { seen, spmd } = single()
  const got = run(vmapSpmd(f, options!, spmd)(...args) as Effect.Effect<any, any, any>)
  const want = run(vmap(f, options)(...args) as Effect.Effect<any, any, any>)
  return { got, want, seen }
}

const f32 = (v: Parameters<typeof arr>[0]) => arr(v, "float32")

describe("vmapSpmd with one slice per worker (float32: unbatched under the SPMD handler)", () => {
  it("collectives of varying and replicated values, axisIndex", () => {
    const x = f32([[1.5, -2, 1e-3]])
    const w = f32([0.25, 4, -8])
    const kinds: Array<string> = []
    const g = (xs: Tensor, ws: Tensor) => ({
      kind: kinds.push(xs instanceof SpmdTracer ? "spmd" : xs instanceof BatchTracer ? "batch" : "?"),
      sum: psum(xs, "i"),
      mean: pmean(xs, "i"),
      max: pmax(xs, "i"),
      min: pmin(xs, "i"),
      replicated: psum(ws, "i"),
      index: axisIndex("i"),
      scaled: lax.mul(xs, lax.convertElementType(axisIndex("i"), "float32"))
    })
    const { got, seen, want } = both(g, {
      axisName: "i",
      inAxes: [0, null],
      outAxes: { kind: null, sum: null, mean: null, max: null, min: null, replicated: null, index: 0, scaled: 0 }
    }, [x, w])
    for (const k of ["sum", "mean", "max", "min", "replicated", "index", "scaled"] as const) sameBits(got[k], want[k])
    assert.deepStrictEqual(kinds, ["spmd", "batch"])
    // The varying operand went to the exchange as one slice, the replicated one did not.
    assert.deepStrictEqual(seen, ["reduce sum 1,3", "reduce mean 1,3", "reduce max 1,3", "reduce min 1,3"])
  })

  it("valueAndGrad with reduceAxes, jit inside, custom JVP and VJP rules", () => {
    const softplus = customJvp((v: Tensor) => np.log1p(np.exp(v))).defJvp(([v], [t]) => [
      np.log1p(np.exp(v!)),
      np.multiply(t!, np.divide(1, np.add(1, np.exp(np.negative(v!)))))
    ])
    const clip = customVjp((v: Tensor) => v).defVjp(
      (v: Tensor) => [v, null],
      (_r: unknown, ct: Tensor) => [np.clip(ct, { min: -0.5, max: 0.5 })]
    )
    const loss = (w: Tensor, x: Tensor) => np.sum(softplus(clip(np.multiply(w, x))))
    const step = (w: Tensor, x: Tensor) =>
      Effect.map(jit(valueAndGrad(loss, { reduceAxes: "i" }))(w, x), ([v, gw]) => ({ v: pmean(v, "i"), gw }))
    const w = f32([0.5, -1.25, 2])
    const x = f32([[3, 1, -0.75]])
    const { got, want } = both(step, { axisName: "i", inAxes: [null, 0], outAxes: null }, [w, x])
    sameBits(got.v, want.v)
    sameBits(got.gw, want.gw)
    assert.deepStrictEqual(got.gw.shape, [3])
  })

  it("a jitted function that applies a collective over the axis runs in compiled segments around it", () => {
    const g = (x: Tensor) => jit((y: Tensor) => psum(np.multiply(y, 2), "i"))(x)
    const { got, seen, want } = both(g, { axisName: "i", outAxes: null }, [f32([[1, 2]])])
    sameBits(got as Tensor, want as Tensor)
    // the exchange saw the concrete value once
    assert.deepStrictEqual(seen, ["reduce sum 1,2"])
  })

  it("a jitted function whose custom rules apply no collective runs whole, compiled (not cut at them)", () => {
    const softplus = customJvp((v: Tensor) => np.log1p(np.exp(v))).defJvp(([v], [t]) => [
      np.log1p(np.exp(v!)),
      np.multiply(t!, np.divide(1, np.add(1, np.exp(np.negative(v!)))))
    ])
    const f = jit((x: Tensor) => np.multiply(softplus(np.sin(x)), 2))
    const x = f32([[0.5, -1]])
    const { got, seen, want } = both((v: Tensor) => f(v), { axisName: "i" }, [x])
    sameBits(got as Tensor, want as Tensor)
    assert.deepStrictEqual(seen, [])
    const { spmd } = single()
    run(vmapSpmd((v: Tensor) => f(v), { axisName: "i" }, spmd)(x) as Effect.Effect<Tensor, never, never>)
    const before = programRunnerStats.compiled
    run(vmapSpmd((v: Tensor) => f(v), { axisName: "i" }, spmd)(x) as Effect.Effect<Tensor, never, never>)
    // one compiled run: the whole program (cut at the custom call it would be two, around an eager call)
    assert.strictEqual(programRunnerStats.compiled - before, 1)
  })

  it("a jitted training step: the gradient's leaves cross in one round, the segments run compiled", () => {
    const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => np.sum(np.tanh(np.add(np.multiply(p.w, x), p.b)))
    const step = jit((p: { w: Tensor; b: Tensor }, x: Tensor) =>
      Effect.map(valueAndGrad(loss)(p, x), ([v, g]) => {
        const m = pmean(g, "i")
        return {
          v: pmean(v, "i"),
          p: { w: np.subtract(p.w, np.multiply(m.w, 0.1)), b: np.subtract(p.b, np.multiply(m.b, 0.1)) }
        }
      })
    )
    const p = { w: f32([0.5, -1.25, 2]), b: f32([0.1, 0.2, -0.3]) }
    const x = f32([[3, 1, -0.75]])
    const before = programRunnerStats.compiled
    for (let k = 0; k < 3; k++) {
      const { got, seen, want } = both(step, { axisName: "i", inAxes: [null, 0], outAxes: null }, [p, x])
      sameBits(got.v, want.v)
      sameBits(got.p.w, want.p.w)
      sameBits(got.p.b, want.p.b)
      // the loss and the gradient's two leaves in one round
      assert.deepStrictEqual(seen, ["many sum 3"])
    }
    // two segments (the gradient, then the means and the update) per call, compiled once run again
    assert.isAtLeast(programRunnerStats.compiled - before, 4)
    assert.strictEqual(step.cacheInfo().misses, 1)
  })

  it("out axes: the slice comes back at its axis; a varying value with outAxes null is vmap's error", () => {
    const x = f32([[1, 2, 3]])
    const g = (v: Tensor) => ({ moved: np.reshape(v, [3, 1]), constant: f32([7, 8]) })
    const { got, want } = both(g, { axisName: "i", outAxes: { moved: 1, constant: -1 } }, [x])
    sameBits(got.moved, want.moved)
    sameBits(got.constant, want.constant)
    const { spmd } = single()
    const error = failure(vmapSpmd((v: Tensor) => np.sin(v), { axisName: "i", outAxes: null }, spmd)(x)) as Error & {
      _tag: string
    }
    const expected = failure(vmap((v: Tensor) => np.sin(v), { axisName: "i", outAxes: null })(x)) as Error
    assert.strictEqual(error._tag, "VmapOutAxesError")
    assert.strictEqual(error.message, expected.message)
  })

  it("integers and booleans (gathered, not all-reduced), a nested vmap over another axis, axisIndex inside it", () => {
    const x = arr([[[1, 2], [3, 4], [5, 6]]], "int32")
    const f = (v: Tensor) => ({
      sum: psum(v, "i"),
      positive: pmean(np.greater(v, 3), "i"),
      // inner vmap over the rows ("j"): the collective over the outer axis sums each row across "i"
      inner: vmap((row: Tensor) => np.add(psum(row, "i"), axisIndex("i")), { axisName: "j" })(v),
      both: vmap((row: Tensor) => psum(np.multiply(row, axisIndex("j")), ["i", "j"]), { axisName: "j" })(v)
    })
    const run2 = (g: typeof vmap) =>
      run(
        g((v: Tensor) =>
          Effect.all({
            sum: Effect.succeed(f(v).sum),
            positive: Effect.succeed(f(v).positive),
            inner: f(v).inner,
            both: f(v).both
          }), { axisName: "i", outAxes: { sum: null, positive: null, inner: 0, both: null } })(x) as Effect.Effect<
            any,
            any,
            any
          >
      )
    const { seen, spmd } = single()
    const got = run2(((h: any, o: any) => vmapSpmd(h, o, spmd)) as never)
    const want = run2(vmap as never)
    for (const k of ["sum", "positive", "inner", "both"] as const) sameBits(got[k], want[k])
    assert.deepStrictEqual(bits(got.sum), [1, 2, 3, 4, 5, 6])
    assert.deepStrictEqual(bits(got.positive), [0, 0, 0, 1, 1, 1])
    // row j times j, summed over j (and the one i): [0 + 3 + 10, 0 + 4 + 12] for every j
    assert.deepStrictEqual(bits(got.both), [13, 16, 13, 16, 13, 16])
    assert.deepStrictEqual(bits(got.inner), [1, 2, 3, 4, 5, 6])
    // int32 and bool-counted sums are gathered (the exchange all-reduces float dtypes only)
    assert.isTrue(seen.some((e) => e.startsWith("gather")))
  })

  it("float64 arguments keep the batched path (no unbatched program)", () => {
    const kinds: Array<boolean> = []
    const g = (v: Tensor) => (kinds.push(v instanceof BatchTracer), psum(np.square(v), "i"))
    const { got, seen, want } = both(g, { axisName: "i", outAxes: null }, [arr([[1e16, 1, -1e16]])])
    sameBits(got as Tensor, want as Tensor)
    assert.deepStrictEqual(kinds, [true, true])
    assert.deepStrictEqual(seen, ["reduce sum 1,3"])
  })
})
