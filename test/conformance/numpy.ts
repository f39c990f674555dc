/**
 * Conformance cases of np's compositions (issue 12's breadth): each is built
 * from existing primitives, so every backend must agree with the CPU and with
 * the hand-derived values.
 */
import { lax, np } from "@diffect/core"
import type { Case } from "./cases.js"

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })

export const numpyCases: ReadonlyArray<Case> = [
  {
    name: "logaddexp",
    run: () => np.logaddexp(f([0, 80, -Infinity]), f([0, 80, 1])),
    expected: [Math.LN2, 80 + Math.LN2, 1],
    rtol: 1e-6
  },
  {
    name: "arcsinh, arctanh",
    run: () => np.add(np.arcsinh(f([0, 1])), np.arctanh(f([0, 0.5]))),
    expected: [0, Math.asinh(1) + Math.atanh(0.5)],
    rtol: 1e-6
  },
  {
    name: "cbrt and hypot",
    run: () => np.add(np.cbrt(f([27, -8])), np.hypot(f([3, 5]), f([4, 12]))),
    expected: [8, 11],
    rtol: 1e-6
  },
  { name: "diag with k=1", run: () => np.diag(f([1, 2]), { k: 1 }), expected: [[0, 1, 0], [0, 0, 2], [0, 0, 0]] },
  { name: "trace and triu", run: () => np.trace(np.triu(f([[1, 2], [3, 4]]))), expected: 5 },
  { name: "roll", run: () => np.roll(f([[1, 2, 3], [4, 5, 6]]), 1, { axis: 1 }), expected: [[3, 1, 2], [6, 4, 5]] },
  { name: "convolve full", run: () => np.convolve(f([1, 2, 3]), f([0, 1, 0.5])), expected: [0, 1, 2.5, 4, 1.5] },
  {
    name: "einsum of three operands with an ellipsis",
    run: () => np.einsum("...ij,jk,k->...i", f([[[1, 2], [3, 4]]]), f([[1, 0], [0, 1]]), f([1, 1])),
    expected: [[3, 7]]
  },
  { name: "interp", run: () => np.interp(f([0, 1.5, 2.5, 4]), f([1, 2, 3]), f([3, 2, 0])), expected: [3, 2.5, 1, 0] },
  { name: "histogram counts", run: () => np.histogram(f([1, 2, 2, 3, 5]), { bins: 2 }).counts, expected: [3, 2] },
  { name: "cov", run: () => np.cov(f([[0, 1, 2], [2, 1, 0]])), expected: [[1, -1], [-1, 1]] },
  { name: "nanmean and nanmax", run: () => np.add(np.nanmean(f([1, NaN, 3])), np.nanmax(f([NaN, 2]))), expected: 4 },
  {
    name: "takeAlongAxis",
    run: () => np.takeAlongAxis(f([[10, 30, 20]]), np.array([[2, 0]], { dtype: "int32" }), 1),
    expected: [[20, 10]]
  },
  { name: "kron", run: () => np.kron(f([1, 10]), f([1, 2])), expected: [1, 2, 10, 20] }
]

// Reference values: SciPy / Abramowitz & Stegun, to float64 precision.
const lgammaValues: ReadonlyArray<readonly [number, number]> = [
  [0.5, 0.5723649429247001],
  [1.5, -0.12078223763524522],
  [3, 0.6931471805599453],
  [10, 12.801827480081469],
  [-0.5, 1.2655121234846454],
  [-2.5, -0.05624371649767405]
]
const digammaValues: ReadonlyArray<readonly [number, number]> = [
  [1, -0.5772156649015329],
  [0.5, -1.9635100260214235],
  [2, 0.42278433509846713],
  [10, 2.251752589066721],
  [-0.5, 0.03648997397857652]
]

export const specialCases: ReadonlyArray<Case> = [
  {
    name: "lgamma float32",
    run: () => lax.lgamma(f(lgammaValues.map(([x]) => x))),
    expected: lgammaValues.map(([, y]) => y),
    rtol: 2e-6,
    atol: 2e-6
  },
  {
    name: "digamma float32",
    run: () => lax.digamma(f(digammaValues.map(([x]) => x))),
    expected: digammaValues.map(([, y]) => y),
    rtol: 2e-6,
    atol: 2e-6
  },
  {
    name: "erfc float32 (tail)",
    run: () => lax.erfc(f([-1, 0.3, 3, 9])),
    expected: [1.8427007929497148, 0.6713732405408726, 2.209049699858544e-5, 4.137031746513810e-37],
    rtol: 1e-5
  },
  {
    name: "erfInv float32",
    run: () => lax.erfInv(f([0, 0.5, -0.9, 1])),
    expected: [0, 0.4769362762044699, -1.1630871536766743, Infinity],
    rtol: 2e-6
  },
  {
    name: "zeta and polygamma",
    run: () => lax.add(lax.zeta(f([2]), f([1])), lax.polygamma(1, f([1]))),
    expected: [Math.PI ** 2 / 3],
    rtol: 2e-6
  }
]

export const fftCases: ReadonlyArray<Case> = [
  {
    name: "fft",
    run: () => np.fft.fft(f([1, 2, 3, 4])),
    expected: [{ re: 10, im: 0 }, { re: -2, im: 2 }, { re: -2, im: 0 }, { re: -2, im: -2 }],
    atol: 1e-5
  },
  {
    name: "irfft of rfft",
    run: () => np.fft.irfft(np.fft.rfft(f([1, -2, 3, 0.5, 2])), { n: 5 }),
    expected: [1, -2, 3, 0.5, 2],
    atol: 1e-5
  },
  {
    name: "fftn round trip",
    run: () => np.real(np.fft.ifftn(np.fft.fftn(f([[1, 2], [3, 4]])))),
    expected: [[1, 2], [3, 4]],
    atol: 1e-5
  },
  { name: "fftfreq and fftshift", run: () => np.fft.fftshift(np.fft.fftfreq(4)), expected: [-0.5, -0.25, 0, 0.25] }
]
