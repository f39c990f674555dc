/**
 * The WebGPU kernels on matrices beyond what one invocation survives on Mesa's
 * llvmpipe (a loop cut off after 65535 iterations): each factorization runs as
 * one dispatch per step, so 40 x 40 results match the CPU backend's. Node only
 * (Dawn); the browser suite runs the small conformance cases.
 */
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { WebGpu, WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend, lax, linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { mismatch, runCase } from "../conformance/compare.js"

const skip = await Backends.webGpuSkipReason()
const reference = makeTypedArrayBackend()

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })
const big = f(
  Array.from(
    { length: 40 },
    (_, i) => Array.from({ length: 40 }, (_, j) => (((i * 41 + j * 17) % 23) - 11) / 7 + (i === j ? 4 : 0))
  )
)
const bigSym = np.add(big, np.swapaxes(big, 0, 1))
// beyond where a one-invocation-per-matrix step would pass llvmpipe's loop limit (about 250 rows)
const huge = () =>
  f(
    Array.from(
      { length: 300 },
      (_, i) => Array.from({ length: 300 }, (_, j) => (((i * 41 + j * 17) % 23) - 11) / 7 + (i === j ? 4 : 0))
    )
  )
const flat = (xs: ReadonlyArray<Tensor>): Tensor => np.concatenate(xs.map((x) => np.ravel(np.astype(x, "float32"))))
const rebuild = (xs: ReadonlyArray<Tensor>): Tensor => xs.reduce((acc, x) => np.matmul(acc, x))

const cases: Array<readonly [string, () => Tensor]> = [
  ["cholesky", () => lax.linalg.cholesky(np.add(np.matmul(big, np.swapaxes(big, 0, 1)), np.eye(40)))],
  ["lu reconstructs P A", () => rebuild(linalg.lu(big))],
  ["qr reconstructs A", () => rebuild(lax.linalg.qr(big))],
  [
    // values, reconstruction and orthogonality (eigenvectors may not be unique up to sign)
    "eigh values, reconstruction, V^T V",
    () => {
      const [v, w] = lax.linalg.eigh(bigSym)
      return flat([w, np.matmul(np.multiply(v, w), np.swapaxes(v, 0, 1)), np.matmul(np.swapaxes(v, 0, 1), v)])
    }
  ],
  [
    "singular values and reconstruction",
    () => {
      const [u, s, vh] = lax.linalg.svd(big)
      return flat([s, np.matmul(np.multiply(u, s), vh)])
    }
  ]
]

cases.push(
  ["300 x 300: lu reconstructs P A (parallel row updates)", () => rebuild(linalg.lu(huge()))],
  ["300 x 300: qr reconstructs A (parallel column updates)", () => rebuild(lax.linalg.qr(huge()))],
  [
    "300 x 300: cholesky (parallel columns)",
    () => {
      const h = huge()
      return lax.linalg.cholesky(np.add(np.divide(np.matmul(h, np.swapaxes(h, 0, 1)), 300), np.eye(300)))
    }
  ],
  ["300 x 300: solve (one dispatch per row of each substitution)", () => np.linalg.solve(huge(), np.eye(300))]
)

describe.skipIf(skip !== undefined)("WebGPU linalg kernels on 40 x 40 and 300 x 300 matrices", () => {
  layer(WebGpuBackend.layer, { timeout: "60 seconds" })((it) => {
    for (const [name, run] of cases) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const got = yield* runCase(yield* Backend, run)
          const want = yield* runCase(reference, run)
          const vs = mismatch(got.data, want.data, { rtol: 2e-3, atol: 2e-3 })
          assert.isUndefined(vs, `differs from the typed-array backend: ${vs}`)
        }))
    }
    // complex64 decompositions, eig, schur and hessenberg have CPU kernels only: a BackendError, never a wrong number
    const z = () => np.array([[{ re: 2, im: 1 }, { re: 0, im: 1 }], [{ re: 1, im: 0 }, { re: 3, im: 0 }]])
    const cpuOnly: ReadonlyArray<readonly [string, () => Tensor]> = [
      ["complex64 qr", () => lax.linalg.qr(z())[0]],
      ["complex64 eigh", () => lax.linalg.eigh(z())[1]],
      ["complex64 svd", () => lax.linalg.singularValues(z())],
      ["eig", () => np.linalg.eigvals(f([[1, 2], [3, 4]]))],
      ["schur", () => lax.linalg.schur(f([[1, 2], [3, 4]]))[0]!],
      ["hessenberg", () => lax.linalg.hessenberg(f([[1, 2], [3, 4]]))[0]]
    ]
    // eigh and svd keep one invocation per matrix: on llvmpipe, above their measured limits, a BackendError
    it.effect("eigh and svd above the software adapter's limits fail with a BackendError", () =>
      Effect.gen(function*() {
        const gpu = yield* WebGpu
        if (!/llvmpipe|lavapipe|swiftshader/i.test(gpu.description)) return
        const sym = () => np.add(huge(), np.swapaxes(huge(), 0, 1))
        for (const run of [() => lax.linalg.eigh(sym())[1], () => lax.linalg.singularValues(huge())]) {
          const e = yield* Effect.flip(runCase(yield* Backend, run))
          assert.strictEqual((e as { _tag?: string })._tag, "BackendError")
          assert.include(String((e as Error).message), "typed-array backend")
        }
      }))
    for (const [name, run] of cpuOnly) {
      it.effect(`${name} fails with a BackendError`, () =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(runCase(yield* Backend, run))
          assert.strictEqual((e as { _tag?: string })._tag, "BackendError")
        }))
    }
  })
})
