/**
 * Collectives under `vmap(axisName)` against JAX's tests/batching_test.py: `testAllToAll`,
 * `testAllToAllSplitAxis` (an all-to-all over a tuple of names), `testPPermute`,
 * `testAllGather*`, `testReduceScatterAutodiff`, `testPpermuteBatcherTrivial`; and a tuple of
 * names for `axisIndex`, `axisSize`, `allGather`, `psumScatter` and `allToAll` (JAX's tuple
 * `axis_name`: one axis whose index counts the names major to minor, as `axis_index(('i', 'j'))
 * = i * size_j + j`). Expected values are NumPy-style references written here (moveaxis,
 * transpose, loops), or the same collective over the one combined axis.
 */
import { np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import {
  allGather,
  allToAll,
  axisIndex,
  axisSize,
  pbroadcast,
  ppermute,
  pshuffle,
  psumScatter,
  pswapaxes
} from "../src/Collectives.js"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { vjp } from "../src/Vjp.js"
import { vmap } from "../src/Vmap.js"
import { assertClose, failure, prng, run, values } from "./vmapSupport.js"

type F = (x: Tensor) => unknown
const go = <A>(e: Effect.Effect<A, unknown, unknown>): A => run(e as Effect.Effect<A, never, never>)
const iota = (shape: ReadonlyArray<number>) =>
  np.reshape(np.arange(shape.reduce((a, b) => a * b, 1), { dtype: "float32" }), shape)

// vmap over "i" (outer) and "j" (inner) of x's axis `axis` split into [ni, nj]: the combined axis of
// size ni * nj, laid out as JAX's testAllToAllSplitAxis lays it out (x.reshape with the axis unrolled).
const overIJ = (f: F, x: Tensor, axis: number, ni: number, nj: number, outAxis = axis): Tensor => {
  const unrolled = np.reshape(x, [...x.shape.slice(0, axis), ni, nj, ...x.shape.slice(axis + 1)])
  const inner = vmap(f, { axisName: "j", inAxes: axis, outAxes: outAxis })
  const out = go(vmap(inner, { axisName: "i", inAxes: axis, outAxes: outAxis })(unrolled)) as Tensor
  return np.reshape(out, [...out.shape.slice(0, outAxis), ni * nj, ...out.shape.slice(outAxis + 2)])
}
// The same over one axis named "k" of the combined size.
const overK = (f: F, x: Tensor, axis: number, outAxis = axis): Tensor =>
  go(vmap(f, { axisName: "k", inAxes: axis, outAxes: outAxis })(x)) as Tensor

describe("all_to_all (batching_test.py)", () => {
  it("testAllToAll: every vmap axis, split axis and concat axis of a (4, 4, 4, 4) array", () => {
    const x = iota([4, 4, 4, 4])
    for (let split = 0; split < 3; split++) {
      for (let concat = 0; concat < 3; concat++) {
        for (let vmapAxis = 0; vmapAxis < 4; vmapAxis++) {
          const y = go(vmap((v: Tensor) => allToAll(v, "i", split, concat), { inAxes: vmapAxis, axisName: "i" })(x))
          // JAX: jnp.moveaxis(x, (vmap_axis, split_axis + (vmap_axis <= split_axis)), (concat_axis + 1, 0))
          const ref = np.moveaxis(x, [vmapAxis, split + (vmapAxis <= split ? 1 : 0)], [concat + 1, 0])
          assertClose(y, ref, 0, `split=${split} concat=${concat} vmap=${vmapAxis}`)
        }
      }
    }
  })

  it("testAllToAllSplitAxis: all_to_all over ('i', 'j') of a (4, 4, 4) array, the vmapped axis unrolled to (2, 2)", () => {
    const x = iota([4, 4, 4])
    for (let split = 0; split < 2; split++) {
      for (let concat = 0; concat < 2; concat++) {
        for (let vmapAxis = 0; vmapAxis < 3; vmapAxis++) {
          // out_axes 0 for both vmaps, as JAX's test
          const y = overIJ((v) => allToAll(v, ["i", "j"], split, concat), x, vmapAxis, 2, 2, 0)
          const s = vmapAxis <= split ? split + 1 : split
          const ref = np.moveaxis(x, [vmapAxis, s], [concat + 1, 0])
          assertClose(y, ref, 0, `split=${split} concat=${concat} vmap=${vmapAxis}`)
        }
      }
    }
  })

  it("a tuple of names equals the collective over the combined axis (untiled and tiled, fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = prng(seed)
        const ni = rng.int(1, 3)
        const nj = rng.int(1, 3)
        const n = ni * nj
        const tiled = rng.next() < 0.5
        const rank = rng.int(1, 3)
        const split = rng.int(0, rank - 1)
        const concat = rng.int(0, rank - 1)
        const shape = Array.from(
          { length: rank },
          (_, a) => (a === split ? n * (tiled ? rng.int(1, 2) : 1) : rng.int(1, 3))
        )
        const axis = rng.int(0, rank)
        const x = np.moveaxis(iota([n, ...shape]), 0, axis)
        const f = (names: string | Array<string>) => (v: Tensor) => allToAll(v, names, split, concat, { tiled })
        const label = `ni=${ni} nj=${nj} shape=${shape} split=${split} concat=${concat} axis=${axis} tiled=${tiled}`
        assertClose(overIJ(f(["i", "j"]), x, axis, ni, nj), overK(f("k"), x, axis), 0, label)
      }),
      { numRuns: 60 }
    )
  })

  it("over ('j', 'i'): the inner name is the major one", () => {
    // instance (i, j) has the combined index j * 2 + i; instance c holds row c of a 4x4 matrix.
    const x = iota([4, 4])
    const unrolled = np.transpose(np.reshape(x, [2, 2, 4]), { axes: [1, 0, 2] })
    const f = vmap(vmap((v: Tensor) => allToAll(v, ["j", "i"], 0, 0), { axisName: "j" }), { axisName: "i" })
    const y = go(f(unrolled)) as Tensor
    // instance c = j * 2 + i gets column c of x
    const cols = np.transpose(x)
    const want = np.transpose(np.reshape(cols, [2, 2, 4]), { axes: [1, 0, 2] })
    assertClose(y, want, 0)
  })

  it("the gradient over a tuple of names is the one over the combined axis", () => {
    const x = np.sin(iota([4, 2, 4]))
    // instance c's value [2, 4] -> tiled over axis 1 into axis 0: [8, 1]; weights per position
    const wv = np.reshape(np.cos(np.arange(8, { dtype: "float32" })), [8, 1])
    const loss = (names: string | Array<string>) => (v: Tensor) =>
      np.sum(np.multiply(np.square(allToAll(v, names, 1, 0, { tiled: true })), wv))
    const gIJ = overIJ((v) => grad(loss(["i", "j"]))(v), x, 0, 2, 2)
    const gK = overK((v) => grad(loss("k"))(v), x, 0)
    assertClose(gIJ, gK, 1e-6)
    assert.isAbove(Math.abs(toJsSync(np.sum(gK)) as number), 0)
  })

  it("the size check names the tuple and its combined size", () => {
    const f = vmap(vmap((v: Tensor) => allToAll(v, ["i", "j"], 0, 0), { axisName: "j" }), { axisName: "i" })
    const e = failure(f(np.zeros([2, 2, 3]))) as { _tag: string; message: string }
    assert.strictEqual(e._tag, "ShapeError")
    assert.include(
      e.message,
      "the size of the named axis ('i', 'j') must equal the size of the split axis, but they are 4 and 3"
    )
  })
})

describe("ppermute (batching_test.py)", () => {
  it("testPPermute: x - ppermute(x, perm) for shuffled permutations of 10 instances", () => {
    const rng = prng(7)
    const x = np.arange(10, { dtype: "float32" })
    for (let t = 0; t < 10; t++) {
      const perm = rng.shuffle(Array.from({ length: 10 }, (_, i) => i))
      const pairs = rng.shuffle(perm.map((p, i) => [i, p] as const))
      const y = go(vmap((v: Tensor) => np.subtract(v, ppermute(v, "i", pairs)), { axisName: "i" })(x))
      // instance perm[i] gets x[i]: x - x[argsort(perm)]
      const argsort = perm.map((_, d) => perm.indexOf(d))
      assert.deepStrictEqual(values(y), argsort.map((src, d) => d - src))
    }
  })

  it("testPpermuteBatcherTrivial (jax issue 8688): vmap(grad(ppermute)) over a swap is ones", () => {
    const f = vmap(grad((v: Tensor) => ppermute(v, "i", [[0, 1], [1, 0]])), { axisName: "i" })
    assert.deepStrictEqual(values(go(f(np.array([1, 2])))), [1, 1])
  })
})

describe("all_gather (batching_test.py)", () => {
  const x = np.reshape(np.arange(15, { dtype: "int32" }), [3, 5])
  const gather = (v: Tensor) => allGather(v, "i")

  it("testAllGatherToUnmapped: the mapped axis becomes the first axis of the unmapped result", () => {
    assertClose(go(vmap(gather, { axisName: "i", inAxes: 1, outAxes: null })(x)), np.transpose(x), 0)
  })

  it("testBatchedAllGather: a gather over the outer or the inner name of two nested vmaps", () => {
    assertClose(go(vmap(vmap(gather, { axisName: "i", outAxes: null }), { axisName: "j" })(x)), x, 0)
    assertClose(go(vmap(vmap(gather, { axisName: "j" }), { axisName: "i", outAxes: null })(x)), np.transpose(x), 0)
  })

  it("testAllGatherTiled and testBatchedAllGatherTiled", () => {
    const y = np.reshape(np.arange(60, { dtype: "int32" }), [4, 3, 5])
    const tiled = (v: Tensor) => allGather(v, "i", { tiled: true })
    const want = np.reshape(np.transpose(y, { axes: [1, 0, 2] }), [12, 5])
    assertClose(go(vmap(tiled, { axisName: "i", inAxes: [1], outAxes: null })(y)), want, 0)
    const batched = vmap(vmap(tiled, { inAxes: 1, outAxes: 1 }), { axisName: "i", inAxes: 1, outAxes: null })
    assertClose(go(batched(y)), want, 0)
  })

  it("testAllGatherVjp: the cotangent of all_gather sums the cotangents over the instances", () => {
    const rng = prng(3)
    const xs = np.array(Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rng.next() - 0.5)))
    const ybar = np.array(
      Array.from(
        { length: 3 },
        () => Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rng.next() - 0.5))
      )
    )
    const f = vmap(
      (v: Tensor, yb: Tensor) =>
        Effect.flatMap(vjp(gather, [v]), ([, back]) => Effect.map(back(yb as never), ([g]) => g!)),
      { axisName: "i" }
    )
    assertClose(go(f(xs, ybar)), np.sum(ybar, { axis: 0 }), 1e-6)
  })

  it("testAllGatherOfConst: a constant and a JS number gathered", () => {
    const [a, b] = go(
      vmap((v: Tensor) => [allGather(np.onesLike(v), "i"), allGather(1, "i")], {
        axisName: "i",
        inAxes: 1,
        outAxes: null
      })(x)
    ) as [Tensor, Tensor]
    assert.strictEqual(a.dtype, "int32")
    assert.deepStrictEqual(a.shape, [5, 3])
    assert.deepStrictEqual(values(a), Array.from({ length: 5 }, () => [1, 1, 1]))
    assert.deepStrictEqual(values(b), [1, 1, 1, 1, 1])
  })

  it("over ('i', 'j'): instance c = i * nj + j at index c, untiled and tiled, any axis", () => {
    const z = iota([2, 3, 2]) // instance (i, j) holds z[i, j] of shape [2]
    const flat = np.reshape(z, [6, 2])
    const stacked = overIJ((v) => allGather(v, ["i", "j"]), np.reshape(z, [6, 2]), 0, 2, 3)
    assertClose(stacked, np.broadcastTo(flat, [6, 6, 2]), 0)
    const last = overIJ((v) => allGather(v, ["i", "j"], { axis: -1 }), flat, 0, 2, 3)
    assertClose(last, np.broadcastTo(np.transpose(flat), [6, 2, 6]), 0)
    const tiled = overIJ((v) => allGather(v, ["i", "j"], { tiled: true }), flat, 0, 2, 3)
    assertClose(tiled, np.broadcastTo(np.reshape(flat, [12]), [6, 12]), 0)
    // the names the other way round: index j * 2 + i holds instance (i, j)'s value, flat[i * 3 + j]
    const ji = overIJ((v) => allGather(v, ["j", "i"]), flat, 0, 2, 3)
    const want = np.take(flat, np.array([0, 3, 1, 4, 2, 5], { dtype: "int32" }), { axis: 0 })
    assertClose(ji, np.broadcastTo(want, [6, 6, 2]), 0)
  })
})

describe("psum_scatter (batching_test.py)", () => {
  it("testReduceScatterAutodiff: the vjp of psum_scatter is all_gather (every instance's cotangent row)", () => {
    // f = vmap(psum_scatter): instance i gets sum_k x[k, i]; so d(sum(c * f))/dx[k, i, :] = c[i, :]
    const x = np.sin(iota([3, 3, 4]))
    const c = np.cos(iota([3, 4]))
    const f = (v: Tensor) => go(vmap((u: Tensor) => psumScatter(u, "i"), { axisName: "i" })(v)) as Tensor
    const [, back] = go(vjp(f, [x]))
    const [g] = go(back(c))
    assertClose(g, np.broadcastTo(np.expandDims(c, 0), [3, 3, 4]), 1e-6)
  })

  it("over ('i', 'j'): instance c keeps index c (block c) of the sum", () => {
    const z = iota([6, 12])
    const sum = np.sum(z, { axis: 0 })
    const y = overIJ((v) => psumScatter(v, ["i", "j"], { scatterDimension: 0, tiled: true }), z, 0, 2, 3)
    assertClose(y, np.reshape(sum, [6, 2]), 0)
    const y1 = overIJ((v) => psumScatter(np.reshape(v, [6, 2]), ["i", "j"]), z, 0, 2, 3)
    assertClose(y1, np.reshape(np.sum(np.reshape(z, [6, 6, 2]), { axis: 0 }), [6, 2]), 0)
    const e = failure(
      vmap(vmap((v: Tensor) => psumScatter(v, ["i", "j"]), { axisName: "j" }), { axisName: "i" })(np.zeros([2, 3, 4]))
    ) as { _tag: string; message: string }
    assert.strictEqual(e._tag, "ShapeError")
    assert.include(e.message, "over the axis ('i', 'j') of size 6 it must equal 6")
  })
})

describe("axis_index and axis_size over a tuple of names", () => {
  it("axis_index(('i', 'j')) = i * size_j + j; ('j', 'i') = j * size_i + i (JAX's axis_index docstring)", () => {
    const ij = vmap(vmap((_v: Tensor) => axisIndex(["i", "j"]), { axisName: "j" }), { axisName: "i" })
    assert.deepStrictEqual(values(go(ij(np.zeros([4, 2])))), [[0, 1], [2, 3], [4, 5], [6, 7]])
    const ji = vmap(vmap((_v: Tensor) => axisIndex(["j", "i"]), { axisName: "j" }), { axisName: "i" })
    assert.deepStrictEqual(values(go(ji(np.zeros([4, 2])))), [[0, 4], [1, 5], [2, 6], [3, 7]])
    const three = vmap(vmap(vmap((_v: Tensor) => axisIndex(["i", "j", "k"]), { axisName: "k" }), { axisName: "j" }), {
      axisName: "i"
    })
    assert.deepStrictEqual(values(go(three(np.zeros([2, 2, 2])))), [[[0, 1], [2, 3]], [[4, 5], [6, 7]]])
  })

  it("under jit, and the int32 dtype", () => {
    const f = vmap(vmap(jit((v: Tensor) => np.add(v, axisIndex(["i", "j"]))), { axisName: "j" }), { axisName: "i" })
    const out = go(f(np.zeros([2, 3], { dtype: "int32" }))) as Tensor
    assert.strictEqual(out.dtype, "int32")
    assert.deepStrictEqual(values(out), [[0, 1, 2], [3, 4, 5]])
  })

  it("axisSize of a tuple is the product of the sizes; an unbound name in the tuple is UnboundAxisError", () => {
    const sizes = vmap(vmap((_v: Tensor) => np.array(axisSize(["i", "j"])), { axisName: "j" }), { axisName: "i" })
    assert.deepStrictEqual(values(go(sizes(np.zeros([4, 2])))), [[8, 8], [8, 8], [8, 8], [8, 8]])
    const e = failure(vmap((_v: Tensor) => axisIndex(["i", "nope"]), { axisName: "i" })(np.zeros([2]))) as {
      _tag: string
    }
    assert.strictEqual(e._tag, "UnboundAxisError")
  })
})

describe("ppermute, pshuffle, pbroadcast and pswapaxes over a tuple of names", () => {
  // instance (i, j) of a 2 x 3 grid has the combined index c = i * 3 + j and holds x[i, j] = c
  const x = np.reshape(np.arange(6, { dtype: "float32" }), [2, 3])
  const ij = (f: F) => (v: Tensor) => go(vmap(vmap(f, { axisName: "j" }), { axisName: "i" })(v)) as Tensor

  it("ppermute sends along pairs of combined indices; instances no pair sends to get zeros", () => {
    const ring = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 0]] as const
    assert.deepStrictEqual(values(ij((v) => ppermute(v, ["i", "j"], ring))(x)), [[5, 0, 1], [2, 3, 4]])
    // 1 -> 4 and 4 -> 2: instance 4 gets 1, instance 2 gets 4, the others 0
    assert.deepStrictEqual(values(ij((v) => ppermute(v, ["i", "j"], [[1, 4], [4, 2]]))(x)), [[0, 0, 4], [0, 1, 0]])
    // over ('j', 'i') the combined index is j * 2 + i: instance (i, j) = (1, 0) is 1, (0, 1) is 2
    assert.deepStrictEqual(values(ij((v) => ppermute(v, ["j", "i"], [[1, 2]]))(x)), [[0, 3, 0], [0, 0, 0]])
    const e = failure(
      vmap(vmap((v: Tensor) => ppermute(v, ["i", "j"], [[0, 6]]), { axisName: "j" }), { axisName: "i" })(x)
    )
    assert.strictEqual((e as { _tag: string })._tag, "ArgumentError")
  })

  it("the gradient of a ppermute over a tuple sends each cotangent back to its source", () => {
    // instance 0 reads 5, 5 reads 0, 2 reads 1: inputs 5, 0 and 1 were read once, the others never
    const g = ij(grad((v: Tensor) => ppermute(v, ["i", "j"], [[0, 5], [5, 0], [1, 2]])))(x)
    assert.deepStrictEqual(values(g), [[1, 1, 0], [0, 0, 1]])
  })

  it("pshuffle, pbroadcast and pswapaxes", () => {
    assert.deepStrictEqual(values(ij((v) => pshuffle(v, ["i", "j"], [5, 4, 3, 2, 1, 0]))(x)), [[5, 4, 3], [2, 1, 0]])
    assert.deepStrictEqual(values(ij((v) => pbroadcast(v, ["i", "j"], 4))(x)), [[4, 4, 4], [4, 4, 4]])
    // instance c holds row c of a 6 x 6 matrix; afterwards column c
    const m = np.reshape(np.arange(36, { dtype: "float32" }), [2, 3, 6])
    const swapped = ij((v) => pswapaxes(v, ["i", "j"], 0))(m)
    assertClose(swapped, np.reshape(np.transpose(np.reshape(m, [6, 6])), [2, 3, 6]), 0)
  })
})
