/**
 * Conformance cases of the `fft` primitive (lax.fft and np.fft on it): every
 * kind over lengths with radix-4/2 stages, odd-prime stages and a prime length
 * (one direct stage on WebGPU, Bluestein on the CPU), 2-d transforms, the
 * gradients (the transposes run on the backend) and vmap; expected values from
 * a float64 direct DFT of the same float32 inputs.
 */
import { grad, vmap } from "@diffect/ad"
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import type { Case } from "./cases.js"

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })
const fill = (n: number, seed: number) =>
  Array.from({ length: n }, (_, k) => Math.fround((((k + seed) * 37) % 17 - 8) / 4))

// The DFT of a real or complex line (pairs), float64.
const dft = (re: ReadonlyArray<number>, im: ReadonlyArray<number>, inverse = false) => {
  const n = re.length
  const sgn = inverse ? 1 : -1
  return Array.from({ length: n }, (_, k) => {
    let a = 0
    let b = 0
    for (let t = 0; t < n; t++) {
      const w = (sgn * 2 * Math.PI * ((k * t) % n)) / n
      a += re[t]! * Math.cos(w) - im[t]! * Math.sin(w)
      b += re[t]! * Math.sin(w) + im[t]! * Math.cos(w)
    }
    return inverse ? { re: a / n, im: b / n } : { re: a, im: b }
  })
}

const complexLine = (n: number, seed: number) => lax.complex(f(fill(n, seed)), f(fill(n, seed + 5)))

const pack = (...ts: ReadonlyArray<Tensor>) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    return withBackend(backend, () => np.concatenate(ts.map((t) => np.ravel(t))))
  })

const lengths = [1, 8, 12, 64, 96, 97, 125, 256]

export const fftPrimitiveCases: ReadonlyArray<Case> = [
  ...lengths.map((n): Case => ({
    name: `lax.fft FFT, n = ${n}`,
    run: () => lax.fft(complexLine(n, n), "FFT", [n]),
    expected: dft(fill(n, n), fill(n, n + 5)),
    atol: 2e-6 * n
  })),
  ...lengths.map((n): Case => ({
    name: `lax.fft IFFT, n = ${n}`,
    run: () => lax.fft(complexLine(n, n), "IFFT", [n]),
    expected: dft(fill(n, n), fill(n, n + 5), true),
    atol: 2e-6
  })),
  ...[5, 8, 97].map((n): Case => ({
    name: `lax.fft RFFT and IRFFT round trip, n = ${n}`,
    run: () => lax.fft(lax.fft(f(fill(n, 1)), "RFFT", [n]), "IRFFT", [n]),
    expected: fill(n, 1),
    atol: 1e-5
  })),
  {
    name: "lax.fft RFFT over two axes [3, 6]",
    run: () => lax.fft(np.reshape(f(fill(18, 2)), [3, 6]), "RFFT", [3, 6]),
    expected: (() => {
      // 2-d DFT: rows (length 6) then columns (length 3), keep k2 <= 3
      const x = fill(18, 2)
      const rows = [0, 1, 2].map((r) => dft(x.slice(6 * r, 6 * r + 6), new Array(6).fill(0)))
      return [0, 1, 2].map((k1) =>
        [0, 1, 2, 3].map((k2) => dft(rows.map((row) => row[k2]!.re), rows.map((row) => row[k2]!.im))[k1]!)
      )
    })(),
    atol: 1e-5
  },
  {
    name: "np.fft.fft2 then ifft2 round trip [4, 5]",
    run: () => np.real(np.fft.ifft2(np.fft.fft2(np.reshape(f(fill(20, 3)), [4, 5])))),
    expected: [0, 1, 2, 3].map((r) => fill(20, 3).slice(5 * r, 5 * r + 5)),
    atol: 1e-5
  },
  {
    // d/dx sum(Re(fft(x)) * w) = Re(fft(w)) (the DFT matrix is symmetric); d/dx sum(irfft(z)) on a real line
    name: "grads through FFT and IRFFT (transposes on the backend)",
    run: () =>
      Effect.gen(function*() {
        const w = f(fill(12, 4))
        const g1 = yield* grad((x: Tensor) => np.sum(np.multiply(np.real(lax.fft(x, "FFT", [12])), w)))(f(fill(12, 6)))
        // sum_t irfft(X)_t = Re(X_0): the gradient (JAX's convention, conj) is 1 at k = 0, else 0
        const g2 = yield* grad((x: Tensor) => np.sum(lax.fft(lax.complex(x, np.zerosLike(x)), "IRFFT", [10])))(
          f(fill(6, 1))
        )
        return yield* pack(g1, g2)
      }),
    expected: [...dft(fill(12, 4), new Array(12).fill(0)).map((z) => z.re), 1, 0, 0, 0, 0, 0],
    atol: 1e-4
  },
  {
    name: "vmap of rfft over a leading and a trailing batch axis",
    run: () =>
      Effect.gen(function*() {
        const xs = np.reshape(f(fill(24, 7)), [3, 8])
        const a = yield* vmap((x: Tensor) => np.abs(np.fft.rfft(x)))(xs)
        const b = yield* vmap((x: Tensor) => np.abs(np.fft.rfft(x)), { inAxes: 1 })(np.transpose(xs))
        return yield* pack(a, b)
      }),
    expected: (() => {
      const x = fill(24, 7)
      const rows = [0, 1, 2].flatMap((r) =>
        dft(x.slice(8 * r, 8 * r + 8), new Array(8).fill(0)).slice(0, 5).map((z) => Math.hypot(z.re, z.im))
      )
      return [...rows, ...rows]
    })(),
    atol: 1e-5
  }
]
