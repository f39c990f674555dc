/**
 * Edge semantics of lax against JAX's rules (values hand-derived from JAX's
 * source, cited per case).
 */
import { assert, describe, it } from "@effect/vitest"
import { lax, np, toJsSync } from "diffect"

describe("lax semantics (JAX parity)", () => {
  it("reduceWindow: string padding is computed for the dilated window", () => {
    // windowed_reductions.py: padtype_to_pads(shape, _dilate_shape(window_dimensions, window_dilation), ...)
    // window 2 dilated by 2 spans 3: SAME pads (1, 1), out[i] = p[i] + p[i + 2] over [0, 1, 2, 3, 4, 5, 0]
    const x = np.array([1, 2, 3, 4, 5])
    assert.deepStrictEqual(
      toJsSync(lax.reduceWindow(x, 0, lax.add, [2], [1], "SAME", { windowDilation: [2] })),
      [2, 4, 6, 8, 4]
    )
    // a generic computation pads with its initial value: p = [1, 1, 2, 3, 4, 5, 1]
    assert.deepStrictEqual(
      toJsSync(lax.reduceWindow(x, 1, lax.mul, [2], [1], "SAME", { windowDilation: [2] })),
      [2, 3, 8, 15, 4]
    )
    // SAME_LOWER with stride 2: out 3, total pad (3 - 1) * 2 + 3 - 5 = 2, (1, 1)
    assert.deepStrictEqual(
      toJsSync(lax.reduceWindow(x, 0, lax.add, [2], [2], "SAME_LOWER", { windowDilation: [2] })),
      [2, 6, 4]
    )
  })

  it("reduceWindow sums complex operands (JAX's reduce_window_sum takes any number dtype), so avgPool does", () => {
    const x = np.array([{ re: 1, im: 1 }, { re: 2, im: -1 }, { re: 3, im: 0 }], { dtype: "complex64" })
    const sums = lax.reduceWindow(x, 0, lax.add, [2], [1], "VALID")
    assert.strictEqual(sums.dtype, "complex64")
    assert.deepStrictEqual(toJsSync(sums), [{ re: 3, im: 0 }, { re: 5, im: -1 }])
  })
})
