/**
 * The blocked LU, Cholesky, QR, triangular solves and eigh and SVD vectors (internal/linalg.ts,
 * blockReflector.ts, bidiagonalSvd.ts), which take orders of 128 and up to the wasm GEMM: against
 * the unblocked kernels (the wasm GEMM switched off), which they match to rounding (the LU with the
 * same pivots, eigh and the SVD with the same values); P A = L U, L L^T = A, A = Q R with Q
 * orthonormal, A V = V diag(w), A = U S V^T and op(T) X = B in float64; non-finite inputs and not
 * positive-definite matrices as the unblocked kernels give them; and the GEMM's subtracting,
 * strided output that the trailing updates use.
 */
import type { AbstractValue, DType, Params } from "@diffect/core"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { tallSvd } from "../src/internal/bidiagonalSvd.js"
import { subtractProduct } from "../src/internal/blockReflector.js"
import { cholesky, eigh, lu, qr, triangularSolve } from "../src/internal/linalg.js"
import { gemmF32, setWasmGemm, wasmGemmAvailable } from "../src/internal/wasmGemm.js"

/** Deterministic values in [-1, 1) (a 32-bit LCG). */
const random = (length: number, seed: number): Float64Array => {
  let s = seed
  return Float64Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return (s >>> 0) / 2 ** 31 - 1
  })
}

const aval = (shape: ReadonlyArray<number>, dtype: DType.DType = "float64"): AbstractValue =>
  ({ shape, dtype, weakType: false }) as unknown as AbstractValue

/** The kernel's result with the wasm GEMM off: the unblocked algorithm. */
const unblocked = <A>(f: () => A): A => {
  setWasmGemm(false)
  try {
    return f()
  } finally {
    setWasmGemm(true)
  }
}

/** max |a - b| / max |b|. */
const relative = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let diff = 0
  let scale = 0
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!))
    scale = Math.max(scale, Math.abs(b[i]!))
  }
  return diff / scale
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]))

afterEach(() => {
  setWasmGemm(true)
})

describe("blocked LU", () => {
  it("matches the unblocked LU (the same pivots) and P A = L U", () => {
    assert.isTrue(wasmGemmAvailable())
    for (const [m, n, batch] of [[150, 150, 1], [200, 140, 2], [140, 260, 1], [300, 300, 1]] as const) {
      const k = Math.min(m, n)
      const x = random(batch * m * n, m * 7 + n)
      const [f, piv, perm] = lu(x, aval([batch, m, n]), [aval([batch, m, n])]) as [Float64Array, Int32Array, Int32Array]
      const [f0, piv0, perm0] = unblocked(() => lu(x, aval([batch, m, n]), [aval([batch, m, n])])) as [
        Float64Array,
        Int32Array,
        Int32Array
      ]
      assert.deepStrictEqual(Array.from(piv), Array.from(piv0))
      assert.deepStrictEqual(Array.from(perm), Array.from(perm0))
      assert.isBelow(relative(f, f0), 1e-13)
      assert.isFalse(sameBits(f, f0), "the blocked path ran (its sums are grouped)")
      for (let b = 0; b < batch; b++) {
        // row i of P A is row perm[i] of A; L (unit lower, m x k) times U (k x n)
        let err = 0
        for (let i = 0; i < m; i++) {
          for (let c = 0; c < n; c++) {
            let s = 0
            for (let j = 0; j <= Math.min(i, c, k - 1); j++) {
              s += (j === i ? 1 : f[b * m * n + i * n + j]!) * f[b * m * n + j * n + c]!
            }
            err = Math.max(err, Math.abs(s - x[b * m * n + perm[b * m + i]! * n + c]!))
          }
        }
        assert.isBelow(err, 1e-13)
      }
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < Math.min(i, k); j++) assert.isAtMost(Math.abs(f[i * n + j]!), 1)
      }
    }
  })

  it("float32 storage: the float64 factorization rounded once, as unblocked", () => {
    const x = Float32Array.from(random(160 * 160, 3))
    const [f] = lu(x, aval([160, 160], "float32"), [aval([160, 160], "float32")])
    const [f0] = unblocked(() => lu(x, aval([160, 160], "float32"), [aval([160, 160], "float32")]))
    assert.instanceOf(f, Float32Array)
    assert.isBelow(relative(f!, f0!), 1e-6)
  })

  it("a non-finite entry takes the unblocked LU (an infinity times a zero multiplier is no NaN there)", () => {
    const x = random(150 * 150, 5)
    x[3] = Infinity
    x[151 * 20] = NaN
    const got = lu(x, aval([150, 150]), [aval([150, 150])])
    const want = unblocked(() => lu(x, aval([150, 150]), [aval([150, 150])]))
    got.forEach((g, i) => assert.isTrue(sameBits(g, want[i]!)))
  })
})

describe("blocked Cholesky", () => {
  const spd = (n: number, seed: number): Float64Array => {
    const b = random(n * n, seed)
    const a = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0
        for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!
        a[i * n + j] = a[j * n + i] = s + (i === j ? n : 0)
      }
    }
    return a
  }

  it("matches the unblocked factor, L L^T = A, zeros above the diagonal", () => {
    for (const n of [128, 150, 257]) {
      const a = spd(n, n)
      const l = cholesky(a, aval([n, n]), aval([n, n])) as Float64Array
      const l0 = unblocked(() => cholesky(a, aval([n, n]), aval([n, n])))
      assert.isBelow(relative(l, l0), 1e-13)
      assert.isFalse(sameBits(l, l0), "the blocked path ran")
      let err = 0
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < n; c++) {
          if (c > i) assert.strictEqual(l[i * n + c], 0)
          let s = 0
          for (let k = 0; k <= Math.min(i, c); k++) s += l[i * n + k]! * l[c * n + k]!
          err = Math.max(err, Math.abs(s - a[i * n + c]!))
        }
      }
      assert.isBelow(err / n, 1e-13)
    }
  })

  it("reads the lower triangle only; a batch; float32 storage", () => {
    const n = 140
    const a = spd(n, 9)
    const noisy = Float64Array.from(a, (v, i) => (i % n > Math.floor(i / n) ? v + 1e3 : v))
    const two = new Float64Array(2 * n * n)
    two.set(noisy)
    two.set(a, n * n)
    const l = cholesky(two, aval([2, n, n]), aval([2, n, n]))
    assert.isTrue(sameBits(l.subarray(0, n * n), l.subarray(n * n)))
    const l32 = cholesky(Float32Array.from(a), aval([n, n], "float32"), aval([n, n], "float32"))
    assert.instanceOf(l32, Float32Array)
    assert.isBelow(relative(l32, l.subarray(n * n)), 1e-6)
  })

  it("not positive definite, or NaN: that matrix all NaN (JAX's lowering)", () => {
    const n = 150
    const a = spd(n, 4)
    const indefinite = Float64Array.from(a)
    indefinite[100 * n + 100] = -1e4
    const withNan = Float64Array.from(a)
    withNan[5 * n + 2] = NaN
    for (const bad of [indefinite, withNan]) {
      const l = cholesky(bad, aval([n, n]), aval([n, n]))
      assert.isTrue(Array.from(l).every(Number.isNaN))
    }
  })
})

describe("blocked QR", () => {
  it("matches the unblocked QR; A = Q R, Q orthonormal, R upper triangular; zero columns at panel edges", () => {
    // [m, n, a zero column (-1: none)]: square, tall, wide, the last column of a panel
    const cases: ReadonlyArray<readonly [number, number, number]> = [
      [150, 150, -1],
      [260, 140, 31],
      [140, 260, 63],
      [129, 129, 128]
    ]
    for (const [m, n, zeroColumn] of cases) {
      for (const fullMatrices of [true, false]) {
        const x = Float64Array.from(random(m * n, m + n), (v, i) => (i % n === zeroColumn ? 0 : v))
        const k = Math.min(m, n)
        const qc = fullMatrices ? m : k
        const outs = [aval([m, qc]), aval([qc, n])]
        const params = { fullMatrices } as Params<"qr">
        const [q, r] = qr(x, aval([m, n]), params, outs) as [Float64Array, Float64Array]
        const [q0, r0] = unblocked(() => qr(x, aval([m, n]), params, outs)) as [Float64Array, Float64Array]
        assert.isBelow(relative(q, q0), 1e-12)
        assert.isBelow(relative(r, r0), 1e-12)
        assert.isFalse(sameBits(q, q0), "the blocked path ran")
        let residual = 0
        for (let i = 0; i < m; i++) {
          for (let c = 0; c < n; c++) {
            if (i < qc && c < i) assert.strictEqual(r[i * n + c], 0)
            let s = 0
            for (let p = 0; p < qc; p++) s += q[i * qc + p]! * r[p * n + c]!
            residual = Math.max(residual, Math.abs(s - x[i * n + c]!))
          }
        }
        assert.isBelow(residual, 1e-13)
        let orthogonality = 0
        for (let a = 0; a < qc; a += 3) {
          for (let b = 0; b < qc; b += 2) {
            let s = 0
            for (let i = 0; i < m; i++) s += q[i * qc + a]! * q[i * qc + b]!
            orthogonality = Math.max(orthogonality, Math.abs(s - (a === b ? 1 : 0)))
          }
        }
        assert.isBelow(orthogonality, 1e-13)
      }
    }
  })

  it("non-finite entries keep the unblocked QR's bits", () => {
    const x = random(150 * 150, 2)
    x[77] = Infinity
    const outs = [aval([150, 150]), aval([150, 150])]
    const params = { fullMatrices: true } as Params<"qr">
    const got = qr(x, aval([150, 150]), params, outs)
    const want = unblocked(() => qr(x, aval([150, 150]), params, outs))
    got.forEach((g, i) => assert.isTrue(sameBits(g, want[i]!)))
  })
})

describe("blocked eigh vectors", () => {
  it("Q accumulated in blocks: the same eigenvalues, vectors within 1e-12 of one reflector at a time", () => {
    for (const n of [128, 170]) {
      const a = new Float64Array(n * n)
      const r = random(n * n, n)
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r[i * n + j]!
      }
      const outs = [aval([n, n]), aval([n])]
      const params = { lower: true } as Params<"eigh">
      const [v, w] = eigh(a, aval([n, n]), params, outs) as [Float64Array, Float64Array]
      const [v0, w0] = unblocked(() => eigh(a, aval([n, n]), params, outs)) as [Float64Array, Float64Array]
      assert.isTrue(sameBits(w, w0))
      assert.isBelow(relative(v, v0), 1e-12)
      assert.isFalse(sameBits(v, v0), "the blocked path ran")
      let residual = 0
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < n; c++) {
          let s = 0
          for (let p = 0; p < n; p++) s += a[i * n + p]! * v[p * n + c]!
          residual = Math.max(residual, Math.abs(s - v[i * n + c]! * w[c]!))
        }
      }
      assert.isBelow(residual, 1e-13)
    }
  })
})

describe("blocked SVD vectors", () => {
  it("U and V accumulated in blocks: the same singular values, vectors within 1e-12, A = U S V^T", () => {
    const cases: ReadonlyArray<readonly [number, number, number]> = [[140, 130, 140], [200, 129, 129]]
    for (const [m, n, uRows] of cases) {
      const a = Float64Array.from(random(m * n, m * n), (v, i) => (i % n === 7 ? 0 : v))
      const got = tallSvd(a, m, n, uRows, true)
      const want = unblocked(() => tallSvd(a, m, n, uRows, true))
      assert.isTrue(sameBits(got.s, want.s))
      assert.isBelow(relative(got.u, want.u), 1e-12)
      assert.isBelow(relative(got.v, want.v), 1e-12)
      assert.isFalse(sameBits(got.u, want.u), "the blocked path ran")
      let residual = 0
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0
          for (let p = 0; p < n; p++) s += got.u[p * m + i]! * got.s[p]! * got.v[p * n + j]!
          residual = Math.max(residual, Math.abs(s - a[i * n + j]!))
        }
      }
      assert.isBelow(residual, 1e-13)
    }
  })
})

describe("blocked triangular solve", () => {
  it("matches substitution and solves op(T) X = B for every side, triangle, transpose and diagonal", () => {
    for (const [m, rhs] of [[150, 20], [130, 300]] as const) {
      for (let bits = 0; bits < 16; bits++) {
        const params = {
          leftSide: (bits & 1) === 0,
          lower: (bits & 2) === 0,
          transposeA: (bits & 4) === 0,
          unitDiagonal: (bits & 8) === 0
        } as Params<"triangular_solve">
        // a well-conditioned triangle: a dominant diagonal
        const t = Float64Array.from(random(m * m, bits + 1), (v, i) => v * 0.2 + (i % (m + 1) === 0 ? 2 : 0))
        const [rows, cols] = params.leftSide ? [m, rhs] : [rhs, m]
        const b = random(rows * cols, 100 + bits)
        const x = triangularSolve(t, b, aval([m, m]), aval([rows, cols]), params, aval([rows, cols]))
        const x0 = unblocked(() => triangularSolve(t, b, aval([m, m]), aval([rows, cols]), params, aval([rows, cols])))
        assert.isBelow(relative(x, x0), 1e-13)
        // op(T) = the triangle of t, transposed when asked, unit diagonal when asked
        const op = (i: number, j: number): number => {
          const [r, c] = params.transposeA ? [j, i] : [i, j]
          if (r === c) return params.unitDiagonal ? 1 : t[r * m + c]!
          return (params.lower ? c < r : c > r) ? t[r * m + c]! : 0
        }
        let err = 0
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            let s = 0
            if (params.leftSide) { for (let k = 0; k < m; k++) s += op(i, k) * x[k * cols + j]! }
            else for (let k = 0; k < m; k++) s += x[i * cols + k]! * op(k, j)
            err = Math.max(err, Math.abs(s - b[i * cols + j]!))
          }
        }
        assert.isBelow(err, 1e-12)
      }
    }
  })

  it("few right-hand sides, small orders and non-finite values keep substitution's bits", () => {
    const params = { leftSide: true, lower: true, transposeA: false, unitDiagonal: false } as Params<"triangular_solve">
    const t = Float64Array.from(random(150 * 150, 8), (v, i) => v * 0.2 + (i % 151 === 0 ? 2 : 0))
    const cases: ReadonlyArray<readonly [number, number, boolean]> = [[150, 15, false], [127, 40, false], [
      150,
      40,
      true
    ]]
    for (const [m, rhs, nonFinite] of cases) {
      const tm = t.subarray(0, m * m)
      const b = random(m * rhs, m + rhs)
      if (nonFinite) b[7] = Infinity
      const got = triangularSolve(tm, b, aval([m, m]), aval([m, rhs]), params, aval([m, rhs]))
      const want = unblocked(() => triangularSolve(tm, b, aval([m, m]), aval([m, rhs]), params, aval([m, rhs])))
      assert.isTrue(sameBits(got, want))
    }
  })
})

describe("gemmF32 into a strided output, subtracting", () => {
  it("out[cOff + i ldOut + j] -= (A B)[i, j], the rest untouched (float64 and float32 accumulation)", () => {
    for (const accumulate of ["f64", "f32"] as const) {
      const [m, k, n, ld] = [37, 19, 45, 60]
      const a = random(m * k, 1)
      const b = random(k * n, 2)
      const out = random(m * ld + 10, 3)
      const before = Float64Array.from(out)
      assert.isTrue(
        gemmF32(a, 0, k, 1, b, 0, n, 1, out, 10, m, k, n, accumulate, undefined, { ldOut: ld, subtract: true })
      )
      for (let i = 0; i < out.length; i++) {
        const row = Math.floor((i - 10) / ld)
        const col = (i - 10) % ld
        if (i < 10 || col >= n) {
          assert.strictEqual(out[i], before[i])
          continue
        }
        let s = 0
        for (let p = 0; p < k; p++) s += a[row * k + p]! * b[p * n + col]!
        assert.approximately(out[i]!, before[i]! - s, accumulate === "f64" ? 1e-13 : 1e-5)
      }
    }
  })

  it("subtractProduct in bands of rows: the bits of one product (a large trailing update's memory bounded)", () => {
    const [m, k, n, ld] = [53, 32, 70, 75]
    const a = random(m * k, 4)
    const b = random(k * n, 5)
    const whole = random(m * ld, 6)
    const banded = Float64Array.from(whole)
    assert.isTrue(subtractProduct(a, 0, k, b, 0, n, 1, whole, 0, ld, m, k, n))
    assert.isTrue(subtractProduct(a, 0, k, b, 0, n, 1, banded, 0, ld, m, k, n, 7 * n))
    assert.isTrue(sameBits(whole, banded))
    assert.isFalse(sameBits(whole, random(m * ld, 6)))
  })
})
