/**
 * `dot_general`'s `precision` (JAX's `lax.Precision`) on the typed-array
 * backend: "default" accumulates float32 products in float32 tiles (within the
 * standard bound k * 2^-24 * sum |a_i b_i| of the exact sum), "highest" gives the
 * float32 rounding of the float64 sum, and reverse mode keeps the precision.
 */
import { makeProgramFlat, vjpFlat } from "@diffect/ad"
import { aval, lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { arr, run } from "./helpers.js"

const random = (length: number, seed: number): Array<number> => {
  let s = seed
  return Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return Math.fround(((s >>> 8) / (1 << 24)) * 2 - 1)
  })
}

const [m, k, n] = [8, 300, 12]
const a = random(m * k, 1)
const b = random(k * n, 2)
const exact = (i: number, j: number) => {
  let sum = 0
  let abs = 0
  for (let p = 0; p < k; p++) {
    const t = a[i * k + p]! * b[p * n + j]!
    sum += t
    abs += Math.abs(t)
  }
  return { sum, abs }
}
const product = (precision?: "default" | "high" | "highest") =>
  run(
    "dot_general",
    [arr("float32", [m, k], a), arr("float32", [k, n], b)],
    { contracting: [[1], [0]], batch: [[], []], ...(precision === undefined ? {} : { precision }) },
    [m, n],
    "float32"
  )

describe("dot_general precision", () => {
  it("\"highest\" is the float32 rounding of the float64 sum", () => {
    const out = product("highest")
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const { abs, sum } = exact(i, j)
        // float64 summation error is below 1e-15 of sum |terms|: the rounding is the exact sum's
        assert.isAtMost(Math.abs(out[i * n + j]! - Math.fround(sum)), 1e-12 * abs)
      }
    }
  })

  it("\"default\" (and no precision) accumulates in float32: within k * 2^-24 * sum |terms|", () => {
    const out = product()
    const again = product("default")
    let differs = 0
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const { abs, sum } = exact(i, j)
        const got = out[i * n + j]!
        assert.strictEqual(got, again[i * n + j])
        assert.isAtMost(Math.abs(got - sum), (k + 1) * 2 ** -24 * abs)
        if (got !== Math.fround(sum)) differs++
      }
    }
    // float32 accumulation is observable: some sums are not the correctly rounded value
    assert.isAbove(differs, 0)
  })

  it("an unknown precision is an ArgumentError naming the choices", () => {
    assert.throws(
      () =>
        makeProgramFlat(
          ([u]) => [lax.dotGeneral(u!, u!, [[1], [0]], [[], []], { precision: "fastest" as "high" })],
          [aval([2, 2], "float32")]
        ),
      /precision.*"default", "high" or "highest"/
    )
  })

  it("lax.dotGeneral records a precision other than default, and reverse mode keeps it", () => {
    const f = (
      [x, y]: ReadonlyArray<Tensor>
    ) => [lax.dotGeneral(x!, y!, [[1], [0]], [[], []], { precision: "highest" })]
    const program = makeProgramFlat(f, [aval([2, 3], "float32"), aval([3, 4], "float32")])
    assert.include(program.toString(), "precision=highest")
    const plain = makeProgramFlat(
      ([x, y]) => [lax.dotGeneral(x!, y!, [[1], [0]])],
      [aval([2, 3], "float32"), aval([3, 4], "float32")]
    )
    assert.notInclude(plain.toString(), "precision")
    // the transposed product of reverse mode carries it too
    const backward = makeProgramFlat(([x, y, ct]) => {
      const [, vjpFn] = vjpFlat(([u]) => f([u!, y!]), [x!])
      return vjpFn([ct!])
    }, [aval([2, 3], "float32"), aval([3, 4], "float32"), aval([2, 4], "float32")])
    const dots = backward.toString().split("\n").filter((l) => l.includes("dot_general"))
    assert.strictEqual(dots.length, 2) // the primal product and its transpose
    for (const line of dots) assert.include(line, "precision=highest")
  })
})
