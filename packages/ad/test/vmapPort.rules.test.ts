/**
 * Batching rules that rules.batch.test.ts leaves out, against JAX's tests/lax_vmap_op_test.py
 * (each op batched along random axes, operands batched or not): `scatter` with every combine,
 * `bitcast_convert_type`; and the collectives' rules over another vmap's axis (JAX's
 * `_all_gather_batcher`, `_reduce_scatter_batcher`, `_all_to_all_batcher`): a collective over
 * the outer name inside an inner vmap must equal the same collective with the two vmaps swapped
 * (then it is over the innermost axis, its own rule), for random batch positions.
 */
import { bind, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import type { Effect } from "effect"
import * as fc from "fast-check"
import { allGather, allToAll, axisIndex, pmax, pmin, ppermute, psum, psumScatter } from "../src/Collectives.js"
import { vmap } from "../src/Vmap.js"
import { assertBatchedMatchesLoop, assertClose, prng, randomTensor, run } from "./vmapSupport.js"
import type { Rng } from "./vmapSupport.js"

const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 })

// vmap of one primitive application against a loop over the batch, with random input and output axes.
const againstLoop = (
  rng: Rng,
  label: string,
  operands: ReadonlyArray<(rng: Rng) => Tensor>,
  apply: (xs: ReadonlyArray<Tensor>) => Tensor
): void => assertBatchedMatchesLoop(rng, label, operands, (xs) => [apply(xs)], 0)

describe("batching rules against a loop over the batch (lax_vmap_op_test.py)", () => {
  for (const combine of ["set", "mul", "min", "max"] as const) {
    it(`scatter with combine ${combine}: operand, indices and updates batched or not, repeated indices included`, () => {
      fc.assert(
        fc.property(seeds, (seed) => {
          const rng = prng(seed)
          const s = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, 3))
          const axis = rng.int(0, s.length - 1)
          const idx = Array.from({ length: rng.int(0, 2) }, () => rng.int(1, 3))
          const upd = [...s.slice(0, axis), ...idx, ...s.slice(axis + 1)]
          // unique indices for "set" (JAX leaves the winner of a repeated index unspecified)
          const indices = combine === "set"
            ? (r: Rng) => {
              const size = idx.reduce((a, b) => a * b, 1)
              const perm = r.shuffle(Array.from({ length: Math.max(size, s[axis]!) }, (_, i) => i)).slice(0, size)
              return np.reshape(np.array(perm.map((p) => p % (s[axis]! + 1)), { dtype: "int32" }), idx)
            }
            : (r: Rng) => randomTensor(r, idx, "int32", -1, s[axis]!)
          againstLoop(
            rng,
            `scatter ${combine}`,
            [(r) => randomTensor(r, s, "float64", -2, 2), indices, (r) => randomTensor(r, upd, "float64", -2, 2)],
            ([o, i, u]) => lax.scatter(o!, i!, u!, axis, combine)
          )
        }),
        { numRuns: 60 }
      )
    })
  }

  it("bitcast_convert_type float32 <-> int32", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const rng = prng(seed)
        const s = Array.from({ length: rng.int(0, 3) }, () => rng.int(1, 3))
        const back = rng.next() < 0.5
        againstLoop(
          rng,
          "bitcast",
          [(r) => randomTensor(r, s, back ? "int32" : "float32", -1000, 1000)],
          ([x]) => bind("bitcast_convert_type", [x!], { newDtype: back ? "float32" : "int32" })[0]!
        )
      }),
      { numRuns: 40 }
    )
  })
})

type Collective = (v: Tensor, name: string) => Tensor

// One collective over `name` of a value of shape `shape` per instance, with its random parameters
// (drawn once per case, so that both nestings apply the same collective).
const collectives: ReadonlyArray<
  readonly [string, (rng: Rng, shape: Array<number>, n: number) => readonly [Array<number>, Collective]]
> = [
  ["psum", (_r, shape) => [shape, (v, name) => psum(v, name)]],
  ["pmax", (_r, shape) => [shape, (v, name) => pmax(v, name)]],
  ["pmin", (_r, shape) => [shape, (v, name) => pmin(v, name)]],
  ["axisIndex", (_r, shape) => [shape, (v, name) => np.add(v, lax.convertElementType(axisIndex(name), "float64"))]],
  ["allGather", (r, shape) => {
    const tiled = shape.length > 0 && r.next() < 0.5
    const axis = r.int(0, tiled ? shape.length - 1 : shape.length)
    return [shape, (v, name) => allGather(v, name, { axis, tiled })]
  }],
  ["psumScatter", (r, shape, n) => {
    const tiled = r.next() < 0.5
    const dim = r.int(0, shape.length)
    const s = [...shape.slice(0, dim), n * (tiled ? r.int(1, 2) : 1), ...shape.slice(dim)]
    return [s, (v, name) => psumScatter(v, name, { scatterDimension: dim, tiled })]
  }],
  ["allToAll", (r, shape, n) => {
    const tiled = r.next() < 0.5
    const split = r.int(0, shape.length)
    const s = [...shape.slice(0, split), n * (tiled ? r.int(1, 2) : 1), ...shape.slice(split)]
    const concat = r.int(0, s.length - 1)
    return [s, (v, name) => allToAll(v, name, split, concat, { tiled })]
  }],
  ["ppermute", (r, shape, n) => {
    const perm = r.shuffle(Array.from({ length: n }, (_, i) => i))
    const pairs = perm.map((dst, src) => [src, dst] as const).filter(() => r.next() < 0.8)
    return [shape, (v, name) => ppermute(v, name, pairs)]
  }]
]

describe("collectives over another vmap's axis equal the same collective over the innermost axis", () => {
  for (const [label, make] of collectives) {
    it(`${label}: vmap_i(vmap(c(x, 'i'))) is vmap(vmap_i(c(x, 'i'))) with the axes swapped`, () => {
      fc.assert(
        fc.property(seeds, (seed) => {
          const rng = prng(seed)
          const n = rng.int(1, 3) // the named axis
          const m = rng.int(1, 3) // the other (unnamed) axis
          const base = Array.from({ length: rng.int(0, 2) }, () => rng.int(1, 3))
          const [shape, c] = make(rng, base, n)
          // x: [n, m, ...shape]; the other vmap maps axis 1, or shares one value (in_axes None)
          const mapped = rng.next() < 0.8
          const x = randomTensor(rng, mapped ? [n, m, ...shape] : [n, ...shape], "float64", -2, 2)
          const f = (v: Tensor) => c(v, "i")
          // named outside: the inner vmap's rule sees the collective over another axis
          const outerNamed = vmap(
            (row: Tensor) => vmap(f, { inAxes: mapped ? 0 : null, axisSize: m })(row),
            { axisName: "i" }
          )
          // named inside: the collective's own rule
          const innerNamed = vmap(
            (col: Tensor) => vmap(f, { axisName: "i" })(col),
            { inAxes: mapped ? 1 : null, axisSize: m }
          )
          const a = run(outerNamed(x) as Effect.Effect<Tensor, never, never>)
          const b = run(innerNamed(x) as Effect.Effect<Tensor, never, never>)
          assert.deepStrictEqual(a.shape, [n, m, ...b.shape.slice(2)])
          assertClose(a, np.swapaxes(b, 0, 1), 1e-12, `${label} n=${n} m=${m} shape=${shape} mapped=${mapped}`)
        }),
        { numRuns: 50 }
      )
    })
  }
})
