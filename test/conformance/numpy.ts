/**
 * Conformance cases of np's compositions (issue 12's breadth): each is built
 * from existing primitives, so every backend must agree with the CPU and with
 * the hand-derived values.
 */
import { np } from "@diffect/core"
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
