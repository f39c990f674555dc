/**
 * `dot_general`'s `precision` (JAX's `lax.Precision`) on the typed-array
 * backend: "default" accumulates float32 products in float32 tiles (within the
 * standard bound k * 2^-24 * sum |a_i b_i| of the exact sum), "highest" gives the
 * float32 rounding of the float64 sum, and reverse mode keeps the precision.
 */
import { makeProgramFlat, vjpFlat } from "@diffect/ad"
import { ArgumentError, aval, lax, np, ShapeError, toJsSync } from "@diffect/core"
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
          ([u]) => [lax.dotGeneral(u!, u!, [[1], [0]], [[], []], { precision: "ultra" as "high" })],
          [aval([2, 2], "float32")]
        ),
      /precision must be one of "default", .*"highest", "float32", or a pair of them, got the string "ultra"/
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

  it("np.dot, np.matmul, np.inner, np.tensordot, np.einsumWith and lax.dot pass precision on", () => {
    const shapes = [aval([2, 3], "float32"), aval([3, 4], "float32")]
    const staged = {
      dot: ([x, y]: ReadonlyArray<Tensor>) => np.dot(x!, y!, { precision: "highest" }),
      matmul: ([x, y]: ReadonlyArray<Tensor>) => np.matmul(x!, y!, { precision: "highest" }),
      batchedMatmul: ([x, y]: ReadonlyArray<Tensor>) =>
        np.matmul(np.stack([x!, x!]), np.stack([y!, y!]), { precision: "highest" }),
      inner: ([x, y]: ReadonlyArray<Tensor>) => np.inner(x!, y!.T, { precision: "highest" }),
      tensordot: ([x, y]: ReadonlyArray<Tensor>) => np.tensordot(x!, y!, { axes: 1, precision: "highest" }),
      einsum: ([x, y]: ReadonlyArray<Tensor>) =>
        np.einsumWith("ij,jk,kl->il", [x!, y!, y!.T], { precision: "highest" }),
      laxDot: ([x, y]: ReadonlyArray<Tensor>) => lax.dot(x!, y!, { precision: "highest" })
    }
    for (const [name, f] of Object.entries(staged)) {
      const text = makeProgramFlat((xs) => [f(xs)], shapes).toString()
      const dots = text.split("\n").filter((l) => l.includes("dot_general"))
      assert.isAbove(dots.length, 0, name)
      for (const line of dots) assert.include(line, "precision=highest", name)
    }
    // without the option: the default, not recorded
    assert.notInclude(makeProgramFlat(([x, y]) => [np.matmul(x!, y!)], shapes).toString(), "precision")
  })

  it("np.matmul with precision highest gives the float32 rounding of the float64 sums", () => {
    const x = np.array(Float32Array.from(a)).reshape([m, k])
    const y = np.array(Float32Array.from(b)).reshape([k, n])
    const hi = (toJsSync(np.matmul(x, y, { precision: "highest" })) as Array<Array<number>>).flat()
    const lo = (toJsSync(np.matmul(x, y)) as Array<Array<number>>).flat()
    let differs = 0
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const { abs, sum } = exact(i, j)
        assert.isAtMost(Math.abs(hi[i * n + j]! - Math.fround(sum)), 1e-12 * abs)
        assert.isAtMost(Math.abs(lo[i * n + j]! - sum), (k + 1) * 2 ** -24 * abs)
        if (lo[i * n + j] !== hi[i * n + j]) differs++
      }
    }
    assert.isAbove(differs, 0)
  })

  it("a bad precision on the np functions is an ArgumentError; lax.dot checks ranks like JAX", () => {
    const x = np.ones([2, 2])
    const bad = { precision: "fastest" } as unknown as { precision: "high" }
    for (
      const f of [
        () => np.dot(x, x, bad),
        () => np.matmul(x, x, bad),
        () => np.inner(x, x, bad),
        () => np.tensordot(x, x, bad),
        () => np.einsumWith("ij,jk->ik", [x, x], bad)
      ]
    ) {
      assert.throws(f, ArgumentError)
      assert.throws(f, /precision/)
    }
    assert.throws(() => lax.dot(np.ones([2, 2, 2]), x), ShapeError)
    assert.throws(() => lax.dot(np.ones([2, 3]), x), /Incompatible shapes for dot: got \(2, 3\) and \(2, 2\)/)
  })
})
