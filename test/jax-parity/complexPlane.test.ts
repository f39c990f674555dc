/**
 * JAX's testSuccessOnComplexPlane (tests/lax_test.py), ported: each complex function over a grid of
 * the plane (infinities, the largest finite values, the smallest normals, zero and a logarithmic
 * sweep between, in every quadrant and on both axes) against mpmath, region by region. A region JAX
 * lists as inaccurate on its CPU backend is skipped for that function, as JAX's test does; every
 * other region must hold. References: fixtures/complexPlane.txt (from fixtures/complexPlane.py,
 * mpmath at 21 times the dtype's precision, rounded to the dtype).
 *
 * The comparison and the regions: complexPlane.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, np, toJsSync } from "diffect"
import { type DType, failuresOf, functions, onGrid } from "./complexPlane.js"
import { expect, value } from "./parity.js"

describe("complex functions over the plane (JAX's testSuccessOnComplexPlane)", () => {
  for (const dtype of ["complex64", "complex128"] as const satisfies ReadonlyArray<DType>) {
    for (const [name, f] of Object.entries(functions)) {
      it(`${name} ${dtype}`, () => {
        const out = toJsSync(onGrid(f, dtype)) as Array<{ re: number; im: number }>
        assert.deepStrictEqual(failuresOf(name, dtype, out), [])
      })
    }
  }
})

// d/dz of each inverse function at ZS, from its closed form in Python's cmath: 1/sqrt(1 - z^2),
// -1/sqrt(1 - z^2), 1/(1 + z^2), 1/sqrt(z^2 + 1), 1/(sqrt(z - 1) sqrt(z + 1)), 1/(1 - z^2)
const ZS = [{ re: 0.3, im: 0.4 }, { re: -1.5, im: 0.2 }, { re: 2, im: -0.5 }, { re: -0.7, im: -1.3 }]
const DERIVATIVES: Record<string, ReadonlyArray<readonly [number, number]>> = {
  arcsin: [[0.9491402412151736, 0.10513946776119938], [0.19630967293875343, -0.8377817814335373], [
    0.16770213325966557,
    -0.5157148857049605
  ], [0.5568178967793627, 0.20046692395951402]],
  arccos: [[-0.9491402412151736, -0.10513946776119938], [-0.19630967293875343, 0.8377817814335373], [
    -0.16770213325966557,
    0.5157148857049605
  ], [-0.5568178967793627, -0.20046692395951402]],
  arctan: [[1.0081300813008132, -0.2601626016260163], [0.30100993051453007, 0.05626353841393086], [
    0.17882352941176471,
    0.07529411764705882
  ], [-0.059658751938909495, -0.5428946426440759]],
  arcsinh: [[1.012247127408006, -0.12850745365521427], [0.5510140619989696, 0.051054539524651985], [
    0.43177078956364745,
    0.08719223192837099
  ], [0.49320584313517646, -0.550373287543636]],
  arccosh: [[0.10513946776119949, -0.9491402412151738], [-0.8377817814335373, -0.19630967293875343], [
    0.5157148857049605,
    0.16770213325966557
  ], [-0.20046692395951402, 0.5568178967793627]],
  arctanh: [[0.8898128898128898, 0.19958419958419954], [-0.6633408256126309, -0.32892933501452776], [
    -0.23783783783783782,
    -0.17297297297297295
  ], [0.26985918257200336, 0.22324714194593]]
}

describe("their derivatives (holomorphic grad)", () => {
  for (const [name, expected] of Object.entries(DERIVATIVES)) {
    it(`${name}'s is its closed form`, () => {
      const f = functions[name]!
      ZS.forEach((z, i) => {
        const g = value(grad(f, { holomorphic: true })(np.array(z, { dtype: "complex128" }))) as {
          re: number
          im: number
        }
        expect.close([g.re, g.im], expected[i]!, 1e-12)
      })
    })
  }
})
