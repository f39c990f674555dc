/**
 * special.boxcox / boxcox1p / poch / comb and np.nextafter / bitwiseCount:
 * SciPy's and NumPy's documented values and closed forms.
 */
import { np, special } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { expect } from "./npSetup.js"

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })

describe("special: boxcox, poch, comb", () => {
  it("boxcox / boxcox1p: the power transform, the log at 0, precise for small lmbda", () => {
    expect.tensor(special.boxcox(f64([1, 5, 10]), f64([0, 0, 0])), "float64", [0, Math.log(5), Math.log(10)])
    expect.tensor(special.boxcox(f64([2, 3]), 2), "float64", [1.5, 4])
    // a tiny lmbda is the log to within lmbda * log(x)^2 / 2
    expect.tensor(special.boxcox(f64([Math.E]), 1e-12), "float64", [1], { tol: 1e-11 })
    expect.tensor(special.boxcox1p(f64([1e-20, 1]), f64([0, -1])), "float64", [1e-20, 0.5], { tol: 1e-15 })
  })
  it("poch: rising factorials, negative arguments by the sign of Gamma", () => {
    expect.tensor(special.poch(f64([1, 5, 2.5]), f64([4, 0, 1])), "float64", [24, 1, 2.5], { tol: 1e-13 })
    // (-2.5)(-1.5) = 3.75
    expect.tensor(special.poch(f64([-2.5]), 2), "float64", [3.75], { tol: 1e-13 })
  })
  it("comb: SciPy's example and the range", () => {
    expect.tensor(special.comb(f64([10, 10]), f64([3, 4])), "float64", [120, 210])
    expect.tensor(special.comb(f64([5, 5, 5.5]), f64([-1, 6, 2])), "float64", [0, 0, 12.375], { tol: 1e-12 })
  })
})

describe("np.nextafter, np.bitwiseCount", () => {
  it("NumPy's examples", () => {
    expect.tensor(np.nextafter(f64([1, 1]), f64([2, 0])), "float64", [1 + 2 ** -52, 1 - 2 ** -53], { tol: 0 })
    expect.tensor(np.bitwiseCount(np.array([1023, -1023, 0], { dtype: "int32" })), "int32", [10, 10, 0])
  })
})
