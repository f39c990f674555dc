import { assert, describe, it } from "@effect/vitest"
import { Backend, grad, np, runSync, type Tensor, vmap, WebGpuBackend } from "diffect"
import { Effect } from "effect"
import { inspect } from "node:util"

// Expected strings are what `repr(jnp.array(...))` prints in JAX (NumPy's repr rules with
// the `Array(` prefix): aligned columns, `1.` for whole floats, weak_type noted.
describe("printing concrete tensors as JAX does", () => {
  it("1-D, scalar and weak values", () => {
    assert.strictEqual(String(np.array([1, 2])), "Array([1., 2.], dtype=float32)")
    assert.strictEqual(np.array([1, 2]).toString(), "Array([1., 2.], dtype=float32)")
    assert.strictEqual(String(np.array(1.5)), "Array(1.5, dtype=float32, weak_type=True)")
    assert.strictEqual(String(np.array(3, { dtype: "float32" })), "Array(3., dtype=float32)")
    assert.strictEqual(String(np.array([0.1, 0.25], { dtype: "float64" })), "Array([0.1 , 0.25], dtype=float64)")
  })

  it("integers, booleans, non-finite values", () => {
    assert.strictEqual(String(np.array([1, -20], { dtype: "int32" })), "Array([  1, -20], dtype=int32)")
    assert.strictEqual(String(np.array([true, false])), "Array([ True, False], dtype=bool)")
    assert.strictEqual(String(np.divide(np.array([1, -1, 0]), 0)), "Array([ inf, -inf,  nan], dtype=float32)")
  })

  it("float32 values print their shortest round-trip digits", () => {
    assert.strictEqual(String(np.array([0.1, 1 / 3])), "Array([0.1       , 0.33333334], dtype=float32)")
  })

  it("scientific notation when magnitudes are far apart", () => {
    assert.strictEqual(String(np.array([0.1, 1e-5, 3])), "Array([1.e-01, 1.e-05, 3.e+00], dtype=float32)")
    assert.strictEqual(String(np.array([1.5e10, 1])), "Array([1.5e+10, 1.0e+00], dtype=float32)")
  })

  it("negative zero keeps its sign (NumPy's -0.), positional and scientific", () => {
    assert.strictEqual(String(np.array([-0, 1, -2])), "Array([-0.,  1., -2.], dtype=float32)")
    assert.strictEqual(String(np.array([-0, 1e-10])), "Array([-0.e+00,  1.e-10], dtype=float32)")
    assert.strictEqual(String(np.array([-0, 0], { dtype: "float64" })), "Array([-0.,  0.], dtype=float64)")
  })

  it("matrices align columns, one row per line", () => {
    assert.strictEqual(
      String(np.array([[1, 2.5], [3, -4]])),
      "Array([[ 1. ,  2.5],\n       [ 3. , -4. ]], dtype=float32)"
    )
    assert.strictEqual(
      String(np.zeros([2, 1, 2])),
      "Array([[[0., 0.]],\n\n       [[0., 0.]]], dtype=float32)"
    )
  })

  it("long rows wrap at 75 columns", () => {
    assert.strictEqual(
      String(np.astype(np.arange(12).mul(100000), "float32")),
      "Array([      0.,  100000.,  200000.,  300000.,  400000.,  500000.,\n" +
        "        600000.,  700000.,  800000.,  900000., 1000000., 1100000.], dtype=float32)"
    )
  })

  it("more than 1000 elements are summarized to 3 per edge", () => {
    assert.strictEqual(
      String(np.astype(np.arange(2000), "int32")),
      "Array([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int32)"
    )
    const lines = String(np.reshape(np.astype(np.arange(2000), "int32"), [40, 50])).split("\n")
    assert.deepStrictEqual(lines.slice(2, 5), [
      "       [ 100,  101,  102, ...,  147,  148,  149],",
      "       ...,",
      "       [1850, 1851, 1852, ..., 1897, 1898, 1899],"
    ])
  })

  it("complex values", () => {
    assert.strictEqual(
      String(np.complex(np.array([1, 0.5]), np.array([2, -1]))),
      "Array([1. +2.j, 0.5-1.j], dtype=complex64)"
    )
  })

  it("console.log (util.inspect) prints the same", () => {
    assert.strictEqual(inspect(np.array([[1, 2], [3, 4]])), "Array([[1., 2.],\n       [3., 4.]], dtype=float32)")
    assert.strictEqual(inspect({ w: np.array([1]) }), "{ w: Array([1.], dtype=float32) }")
  })
})

describe("printing traced values", () => {
  it("a tracer prints its abstract value and its transformation", () => {
    const seen: Array<string> = []
    runSync(
      grad((x: Tensor) => {
        seen.push(String(x))
        return np.sum(x)
      })(np.array([1, 2, 3]))
    )
    runSync(
      vmap((x: Tensor) => {
        seen.push(String(x))
        return x
      })(np.array([1, 2]))
    )
    assert.deepStrictEqual(seen, ["Traced<float32[3]>with<linearize>", "Traced<float32[]>with<vmap>"])
  })
})

describe("printing without a synchronous read", () => {
  it.effect("a tensor on the GPU says where it is instead of blocking", () =>
    Effect.gen(function*() {
      const backend = yield* Backend
      const y = np.multiply(np.array([1, 2]), 2)
      assert.strictEqual(String(y), `Array(<on ${backend.name}; read it with toJs>, shape=(2,), dtype=float32)`)
    }).pipe(Effect.provide(WebGpuBackend.layer)), { timeout: 60_000 })
})
