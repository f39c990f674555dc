/**
 * The `fft` primitive (lax.fft): values against a float64 direct DFT (lengths
 * incl. 1, primes and Bluestein lengths), JAX's documented rfft/irfft round
 * trips, the JVP against finite differences, every transpose against the JVP
 * (<ct, J t> = <J^T ct, t>), and vmap against a loop.
 */
import { aval, ConcreteTensor, DType, DTypeError, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, vjpFlat } from "../src/index.js"
import { vmapFlat } from "../src/Vmap.js"
import { values } from "./finiteDifferencesUtil.js"

type FftType = "FFT" | "IFFT" | "RFFT" | "IRFFT"
const sizeOf = (s: ReadonlyArray<number>) => s.reduce((a, b) => a * b, 1)

const host = (data: ReadonlyArray<number>, shape: ReadonlyArray<number>, dtype: DType.DType): Tensor => {
  const h = DType.allocHost(dtype, sizeOf(shape))
  data.forEach((v, i) => (h[i] = v))
  return new ConcreteTensor(aval(shape, dtype), h, undefined)
}

// deterministic pseudo-random values in [-1, 1)
const randoms = (count: number, seed: number): Array<number> => {
  let s = seed >>> 0 || 1
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 31 - 1
  })
}

/** The DFT of complex `x` (interleaved, shape `shape`) over its trailing `k` axes, by the definition in float64. */
const directDft = (
  x: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  k: number,
  inverse: boolean
): Array<number> => {
  let cur = x.slice()
  const rank = shape.length
  for (let axis = rank - k; axis < rank; axis++) {
    const n = shape[axis]!
    let inner = 1
    for (let d = axis + 1; d < rank; d++) inner *= shape[d]!
    const outer = sizeOf(shape) / (n * inner)
    const next = new Array<number>(cur.length).fill(0)
    const sgn = inverse ? 1 : -1
    for (let o = 0; o < outer; o++) {
      for (let q = 0; q < inner; q++) {
        for (let f = 0; f < n; f++) {
          let re = 0
          let im = 0
          for (let t = 0; t < n; t++) {
            const i = (o * n + t) * inner + q
            const a = (sgn * 2 * Math.PI * ((f * t) % n)) / n
            re += cur[2 * i]! * Math.cos(a) - cur[2 * i + 1]! * Math.sin(a)
            im += cur[2 * i]! * Math.sin(a) + cur[2 * i + 1]! * Math.cos(a)
          }
          const j = (o * n + f) * inner + q
          next[2 * j] = inverse ? re / n : re
          next[2 * j + 1] = inverse ? im / n : im
        }
      }
    }
    cur = next
  }
  return cur
}

const maxAbs = (a: ReadonlyArray<number>) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
const maxDiff = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => {
  assert.strictEqual(a.length, b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

const fftOf = (x: Tensor, t: FftType, lengths: ReadonlyArray<number>) => lax.fft(x, t, lengths)

// lengths: 1, small, primes (generic radix), large primes (Bluestein), powers of 2, 3, mixed
const lengthArb = fc.oneof(
  fc.integer({ min: 1, max: 40 }),
  fc.constantFrom(37, 41, 43, 47, 53, 61, 64, 81, 97, 100, 125, 127, 128, 210, 243, 256, 257, 1000, 1021)
)

describe("lax.fft values", () => {
  it("FFT and IFFT of complex128 match the float64 direct DFT to ~1e-15 relative, any length", () => {
    fc.assert(
      fc.property(lengthArb, fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.integer(), (n, rows, inverse, seed) => {
        const shape = [rows, n]
        const data = randoms(2 * sizeOf(shape), seed)
        const y = values(fftOf(host(data, shape, "complex128"), inverse ? "IFFT" : "FFT", [n]))
        const want = directDft(data, shape, 1, inverse)
        const err = maxDiff(y, want)
        // error of an O(n log n) FFT: a few ulps of log2(n) times the output's scale
        assert.isBelow(err, 5e-16 * Math.max(1, Math.log2(n)) * Math.max(1, maxAbs(want)), `n=${n}`)
      }),
      { numRuns: 60 }
    )
  })

  it("complex64: the result is the float64 transform rounded once (error ~ float32 epsilon of the output)", () => {
    for (const n of [1, 7, 64, 97, 1000, 1021]) {
      const data = randoms(2 * n, n).map(Math.fround)
      const y = values(fftOf(host(data, [n], "complex64"), "FFT", [n]))
      const want = directDft(data, [n], 1, false)
      assert.isBelow(maxDiff(y, want), 1.2e-7 * maxAbs(want), `n=${n}`)
    }
  })

  it("2-d and 3-d transforms over the trailing axes, with a leading batch axis", () => {
    for (const shape of [[2, 3, 4], [5, 6], [2, 3, 5, 7], [1, 17, 2]]) {
      for (const k of [1, 2, 3].filter((k) => k <= shape.length)) {
        const data = randoms(2 * sizeOf(shape), k + shape.length)
        for (const inverse of [false, true]) {
          const y = values(fftOf(host(data, shape, "complex128"), inverse ? "IFFT" : "FFT", shape.slice(-k)))
          assert.isBelow(maxDiff(y, directDft(data, shape, k, inverse)), 1e-13, `${shape} k=${k}`)
        }
      }
    }
  })

  it("RFFT is the first n/2 + 1 entries of the complex FFT of the real input", () => {
    fc.assert(
      fc.property(lengthArb, fc.integer(), (n, seed) => {
        const data = randoms(2 * n, seed)
        const shape = [2, n]
        const y = fftOf(host(data, shape, "float64"), "RFFT", [n])
        const h = Math.floor(n / 2) + 1
        assert.deepStrictEqual(y.shape, [2, h])
        assert.strictEqual(y.dtype, "complex128")
        const full = directDft(data.flatMap((v) => [v, 0]), shape, 1, false)
        const want: Array<number> = []
        for (let r = 0; r < 2; r++) for (let k = 0; k < 2 * h; k++) want.push(full[2 * r * n + k]!)
        assert.isBelow(maxDiff(values(y), want), 5e-16 * Math.max(1, Math.log2(n)) * Math.max(1, maxAbs(want)))
      }),
      { numRuns: 40 }
    )
  })

  it("multi-dimensional RFFT and IRFFT against the complex transform", () => {
    const shape = [3, 4, 6]
    const data = randoms(sizeOf(shape), 5)
    const y = fftOf(host(data, shape, "float64"), "RFFT", [4, 6])
    assert.deepStrictEqual(y.shape, [3, 4, 4])
    const full = directDft(data.flatMap((v) => [v, 0]), shape, 2, false)
    const want: Array<number> = []
    for (let i = 0; i < 12; i++) for (let k = 0; k < 8; k++) want.push(full[2 * i * 6 + k]!)
    assert.isBelow(maxDiff(values(y), want), 1e-13)
    const back = fftOf(y, "IRFFT", [4, 6])
    assert.deepStrictEqual(back.shape, shape)
    assert.isBelow(maxDiff(values(back), data), 1e-15)
  })

  it("JAX's documented round trips: irfft(rfft(x)) == x for even and odd n, ifft(fft(x)) == x", () => {
    for (const n of [1, 2, 3, 8, 9, 31, 50, 101]) {
      const x = randoms(n, n + 1)
      const f = fftOf(host(x, [n], "float64"), "RFFT", [n])
      assert.isBelow(maxDiff(values(fftOf(f, "IRFFT", [n])), x), 1e-14, `n=${n}`)
      const c = randoms(2 * n, n + 2)
      const z = host(c, [n], "complex128")
      assert.isBelow(maxDiff(values(fftOf(fftOf(z, "FFT", [n]), "IFFT", [n])), c), 1e-14)
    }
  })

  it("IRFFT ignores the imaginary parts of X[0] and X[n/2] (a Hermitian half-spectrum's real-valued entries)", () => {
    // n = 4: X = [4, 1-1i, 2] gives x_t = (X0 + 2 Re(X1 e^{i pi t/2}) + X2 (-1)^t) / 4
    const spectrum = host([4, 7, 1, -1, 2, 5], [3], "complex128")
    const x = values(fftOf(spectrum, "IRFFT", [4]))
    const want = [0, 1, 2, 3].map((t) =>
      (4 + 2 * (Math.cos((Math.PI * t) / 2) + Math.sin((Math.PI * t) / 2)) + 2 * (-1) ** t) / 4
    )
    assert.isBelow(maxDiff(x, want), 1e-15)
  })

  it("hand-derived: the FFT of [1, 2, 3, 4] and of an impulse", () => {
    assert.deepStrictEqual(values(fftOf(np.array([1, 2, 3, 4]), "FFT", [4])), [10, 0, -2, 2, -2, 0, -2, -2])
    const impulse = host([0, 0, 1, 0, 0, 0], [3], "complex128")
    const y = values(fftOf(impulse, "FFT", [3]))
    // x = delta_1: X_k = exp(-2 pi i k / 3)
    assert.isBelow(maxDiff(y, [1, 0, -0.5, -Math.sqrt(3) / 2, -0.5, Math.sqrt(3) / 2]), 1e-15)
  })

  it("a 2^16-point FFT (O(n log n); a DFT-matrix product would need 4.3e9 multiplies) against a closed form", () => {
    const n = 1 << 16
    // x_t = exp(2 pi i 5 t / n) + 0.5: X = n delta_5 + 0.5 n delta_0
    const data: Array<number> = []
    for (let t = 0; t < n; t++) {
      const a = (2 * Math.PI * ((5 * t) % n)) / n
      data.push(Math.cos(a) + 0.5, Math.sin(a))
    }
    const y = values(fftOf(host(data, [n], "complex128"), "FFT", [n]))
    const want = new Array<number>(2 * n).fill(0)
    want[0] = 0.5 * n
    want[10] = n
    assert.isBelow(maxDiff(y, want), 1e-9)
  })

  it("zero-size operands and JAX's shape and dtype errors", () => {
    assert.deepStrictEqual(fftOf(np.zeros([0, 4]), "FFT", [4]).shape, [0, 4])
    assert.deepStrictEqual(fftOf(np.zeros([0, 4]), "RFFT", [4]).shape, [0, 3])
    assert.throws(() => lax.fft(np.zeros([4]), "FFT", [5]), ShapeError)
    assert.throws(() => lax.fft(np.zeros([4]), "FFT", [1, 4]), ShapeError)
    assert.throws(() => lax.fft(np.zeros([2, 2, 2, 2]), "FFT", [2, 2, 2, 2]), ShapeError)
    assert.throws(() => lax.fft(lax.complex(np.zeros([4]), np.zeros([4])), "RFFT", [4]), DTypeError)
    assert.throws(() => lax.fft(np.zeros([4]), "IRFFT", [4]), ShapeError)
    assert.throws(() => lax.fft(np.zeros([4]), "DCT" as never, [4]))
  })
})

// --- derivatives and batching (float64) -------------------------------------------------

interface Case {
  readonly type: FftType
  readonly shape: ReadonlyArray<number>
  readonly lengths: ReadonlyArray<number>
}

const inDType = (t: FftType): DType.DType => (t === "RFFT" ? "float64" : "complex128")
const inShape = (c: Case): Array<number> => {
  if (c.type !== "IRFFT") return [...c.shape]
  const s = [...c.shape]
  s[s.length - 1] = Math.floor(c.lengths[c.lengths.length - 1]! / 2) + 1
  return s
}

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(
    fc.constantFrom<FftType>("FFT", "IFFT", "RFFT", "IRFFT"),
    fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    fc.integer({ min: 0, max: 1 })
  )
  .map(([type, lengths, lead]) => ({ type, lengths, shape: [...(lead === 1 ? [2] : []), ...lengths] }))

const random = (shape: ReadonlyArray<number>, dtype: DType.DType, seed: number) =>
  host(randoms(sizeOf(shape) * DType.lanes(dtype), seed), shape, dtype)

describe("lax.fft derivatives and batching", () => {
  it("JVP matches central finite differences of a nonlinear function through fft", () => {
    fc.assert(
      fc.property(caseArb, fc.integer(), (c, seed) => {
        const shape = inShape(c)
        const x = random(shape, inDType(c.type), seed)
        const t = random(shape, inDType(c.type), seed + 1)
        // |fft(x)|^2 (or fft(x)^2 for a real output), summed with weights: nonlinear, real
        const f = (z: Tensor): Tensor => {
          const y = lax.fft(z, c.type, c.lengths)
          const p = DType.isComplex(y.dtype) ? lax.real(lax.mul(y, lax.conj(y))) : lax.mul(y, y)
          return lax.reduceSum(lax.mul(p, random(p.shape, "float64", 7)), [...p.shape.keys()])
        }
        const [, [dy]] = jvpFlat(([z]) => [f(z!)], [x], [t])
        const h = 1e-6
        const shift = (s: number) => lax.add(x, lax.mul(t, lax.full([], s, x.dtype)))
        const fd = (values(f(shift(h)))[0]! - values(f(shift(-h)))[0]!) / (2 * h)
        const got = values(dy!)[0]!
        assert.isBelow(Math.abs(got - fd), 1e-6 * Math.max(1, Math.abs(fd)), JSON.stringify(c))
      }),
      { numRuns: 60 }
    )
  })

  it("the transpose agrees with the JVP: <ct, J t> = <J^T ct, t> (FFT, IFFT, RFFT and IRFFT with their scalings)", () => {
    fc.assert(
      fc.property(caseArb, fc.integer(), (c, seed) => {
        const shape = inShape(c)
        const x = random(shape, inDType(c.type), seed)
        const t = random(shape, inDType(c.type), seed + 1)
        const [[y], pullback] = vjpFlat(([z]) => [lax.fft(z!, c.type, c.lengths)], [x])
        const ct = random(y!.shape, y!.dtype, seed + 2)
        const [, [jt]] = jvpFlat(([z]) => [lax.fft(z!, c.type, c.lengths)], [x], [t])
        const [jtct] = pullback([ct])
        // JAX's pairing of complex values: Re(sum a b) without conjugation (as R^2 dot with (re, -im))
        const pair = (a: Tensor, b: Tensor): number => {
          const u = values(a)
          const v = values(b)
          if (!DType.isComplex(a.dtype)) return u.reduce((s, ui, i) => s + ui * v[i]!, 0)
          let s = 0
          for (let i = 0; i < u.length; i += 2) s += u[i]! * v[i]! - u[i + 1]! * v[i + 1]!
          return s
        }
        const lhs = pair(ct, jt!)
        const rhs = pair(jtct!, t)
        assert.isBelow(Math.abs(lhs - rhs), 1e-12 * Math.max(1, Math.abs(lhs)), JSON.stringify(c))
      }),
      { numRuns: 120 }
    )
  })

  it("second order: grad of a grad through RFFT/IRFFT (a linear map's transpose transposed)", () => {
    const x = random([6], "float64", 3)
    const g = (z: Tensor): Tensor => {
      const [, pb] = vjpFlat(([u]) => {
        const y = lax.fft(u!, "RFFT", [6])
        return [lax.reduceSum(lax.real(lax.mul(y, lax.conj(y))), [0])]
      }, [z])
      return pb([lax.full([], 1, "float64")])[0]!
    }
    // f(x) = sum_k |X_k|^2 over k <= 3 is a quadratic form x^T A x: its gradient is linear, 2 A x
    const a = g(x)
    const b = g(lax.mul(x, lax.full([], 2, "float64")))
    assert.isBelow(maxDiff(values(b), values(a).map((v) => 2 * v)), 1e-12)
    // Parseval for n = 6: sum |X_k|^2 over k = 0..3 = (|X0|^2 + |X3|^2) + half of the rest, so A's diagonal is (6 + 6)/2... checked by FD
    const h = 1e-6
    const f = (z: Tensor) => {
      const y = values(lax.fft(z, "RFFT", [6]))
      let s = 0
      for (let i = 0; i < y.length; i += 2) s += y[i]! ** 2 + y[i + 1]! ** 2
      return s
    }
    const xv = values(x)
    xv.forEach((_, i) => {
      const p = xv.slice()
      const m = xv.slice()
      p[i]! += h
      m[i]! -= h
      const fd = (f(host(p, [6], "float64")) - f(host(m, [6], "float64"))) / (2 * h)
      assert.isBelow(Math.abs(fd - values(a)[i]!), 1e-6)
    })
  })

  it("vmap equals a loop, for every batch position (inside or before the transformed axes)", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 3 }), fc.integer(), (c, pos, seed) => {
        const shape = inShape(c)
        const axis = Math.min(pos, shape.length)
        const batched = [...shape]
        batched.splice(axis, 0, 3)
        const x = random(batched, inDType(c.type), seed)
        const [y] = vmapFlat(([z]) => [lax.fft(z!, c.type, c.lengths)], [x], [axis], [0])
        for (let b = 0; b < 3; b++) {
          const slice = lax.indexInDim(x, b, axis, false)
          const want = values(lax.fft(slice, c.type, c.lengths))
          assert.isBelow(maxDiff(values(lax.indexInDim(y!, b, 0, false)), want), 1e-12)
        }
      }),
      { numRuns: 60 }
    )
  })
})
