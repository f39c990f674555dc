/**
 * Conformance cases of the linear-algebra primitives: each backend's kernels
 * (float32) against the typed-array backend's (float64 internally, rounded
 * once) and against independently known values. Eigenvectors and singular
 * vectors are compared through gauge-invariant functions (reconstructions,
 * absolute values), since their signs are not unique.
 */
import { grad, jvp, vmap } from "@diffect/ad"
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import type { Case } from "./cases.js"

// Packs results into one flat float32 tensor, on the backend under test.
const pack = (...ts: ReadonlyArray<Tensor>) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    return withBackend(backend, () => np.concatenate(ts.map((t) => np.ravel(np.astype(t, "float32")))))
  })

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })

// Inputs are built when a case runs (on the backend under test), never at import time.
// A well-conditioned batch [2, 3, 3] (symmetric positive definite members).
const spd = () => f([[[4, 1, 0.5], [1, 3, 0.25], [0.5, 0.25, 2]], [[5, -1, 0], [-1, 4, 1], [0, 1, 3]]])
const general = () => f([[2, -1, 0.5, 3], [1, 4, -2, 0], [0.5, 1, 3, -1]]) // [3, 4]
const tall = () => np.swapaxes(general(), 0, 1) // [4, 3]

const asFloat = (xs: ReadonlyArray<Tensor>): Tensor => np.concatenate(xs.map((x) => np.ravel(np.astype(x, "float32"))))
const tol = { rtol: 1e-4, atol: 1e-4 }

/** Reconstruction and |vectors| of eigh: gauge invariant. */
const eighInvariants = (a: Tensor): Tensor => {
  const [v, w] = lax.linalg.eigh(a)
  return asFloat([w, np.matmul(np.multiply(v, np.expandDims(w, -2)), np.swapaxes(v, -1, -2)), np.abs(v)])
}

/**
 * Singular values, reconstruction, Gram matrices and the |vectors| of the first `distinct` singular
 * values (all of them by default): a zero singular value's vectors are any orthonormal completion,
 * which backends choose differently (LAPACK's and the CPU kernel's come from the reflectors).
 */
const svdInvariants = (a: Tensor, fullMatrices: boolean, distinct?: number): Tensor => {
  const [u, s, vh] = lax.linalg.svd(a, { fullMatrices })
  const k = s.shape.at(-1)!
  const uk = lax.slice(u, [0, 0], [u.shape[0]!, k])
  const vk = lax.slice(vh, [0, 0], [k, vh.shape[1]!])
  const gram = (x: Tensor) => np.matmul(np.swapaxes(x, -1, -2), x)
  const unique = lax.slice(u, [0, 0], [u.shape[0]!, distinct ?? k])
  return asFloat([s, np.matmul(np.multiply(uk, s), vk), gram(u), gram(np.swapaxes(vh, -1, -2)), np.abs(unique)])
}

export const linalgCases: ReadonlyArray<Case> = [
  {
    name: "cholesky 2x2",
    run: () => lax.linalg.cholesky(f([[4, 2], [2, 3]])),
    expected: [[2, 0], [1, Math.SQRT2]]
  },
  { name: "cholesky batched [2, 3, 3]", run: () => lax.linalg.cholesky(spd()), ...tol },
  {
    name: "cholesky of an indefinite matrix is NaN",
    run: () => lax.linalg.cholesky(f([[1, 2], [2, 1]])),
    expected: [[NaN, NaN], [NaN, NaN]]
  },
  ...[true, false].flatMap((leftSide) =>
    [true, false].flatMap((lower) =>
      [true, false].map((transposeA): Case => ({
        name: `triangular_solve leftSide=${leftSide} lower=${lower} transposeA=${transposeA}`,
        run: () => {
          const b = leftSide ? lax.slice(spd(), [0, 0, 0], [2, 3, 2]) : lax.slice(spd(), [0, 0, 0], [2, 2, 3])
          return lax.linalg.triangularSolve(spd(), b, { leftSide, lower, transposeA })
        },
        ...tol
      }))
    )
  ),
  {
    name: "triangular_solve unit diagonal",
    run: () =>
      lax.linalg.triangularSolve(f([[9, 0], [2, 9]]), f([[1], [4]]), {
        leftSide: true,
        lower: true,
        unitDiagonal: true
      }),
    expected: [[1], [2]]
  },
  {
    name: "lu 2x2: factors, pivots, permutation",
    run: () => asFloat(lax.linalg.lu(f([[1, 2], [3, 4]]))),
    expected: [3, 4, 1 / 3, 2 / 3, 1, 1, 1, 0]
  },
  { name: "lu wide [3, 4]", run: () => asFloat(lax.linalg.lu(general())), ...tol },
  { name: "lu tall [4, 3]", run: () => asFloat(lax.linalg.lu(tall())), ...tol },
  { name: "lu batched", run: () => asFloat(lax.linalg.lu(spd())), ...tol },
  {
    name: "qr 2x2 (LAPACK's signs)",
    run: () => asFloat(lax.linalg.qr(f([[3, 1], [4, 2]]))),
    expected: [-0.6, -0.8, -0.8, 0.6, -5, -2.2, 0, 0.4]
  },
  ...[true, false].flatMap((fullMatrices) => [
    {
      name: `qr wide fullMatrices=${fullMatrices}`,
      run: () => asFloat(lax.linalg.qr(general(), { fullMatrices })),
      ...tol
    },
    {
      name: `qr tall fullMatrices=${fullMatrices}`,
      run: () => asFloat(lax.linalg.qr(tall(), { fullMatrices })),
      ...tol
    }
  ]),
  { name: "qr batched", run: () => asFloat(lax.linalg.qr(spd())), ...tol },
  {
    name: "eigh 2x2",
    run: () => lax.linalg.eigh(f([[2, 1], [1, 2]]))[1],
    expected: [1, 3]
  },
  { name: "eigh batched: values, reconstruction, |vectors|", run: () => eighInvariants(spd()), ...tol },
  {
    name: "eigh reads the upper triangle when lower=false",
    run: () => lax.linalg.eigh(f([[2, 100], [1, 2]]), { symmetrizeInput: false, lower: false })[1],
    expected: [-98, 102],
    ...tol
  },
  { name: "svd of [[3, 0], [0, -4]]", run: () => lax.linalg.singularValues(f([[3, 0], [0, -4]])), expected: [4, 3] },
  ...[true, false].flatMap((fullMatrices) => [
    { name: `svd wide fullMatrices=${fullMatrices}`, run: () => svdInvariants(general(), fullMatrices), ...tol },
    { name: `svd tall fullMatrices=${fullMatrices}`, run: () => svdInvariants(tall(), fullMatrices), ...tol }
  ]),
  {
    name: "svd of a rank-1 matrix completes U",
    run: () => svdInvariants(f([[1, 2], [2, 4], [3, 6]]), true, 1),
    ...tol
  },
  {
    name: "np.linalg.solve, det, inv",
    run: () => {
      const a = f([[3, 1], [1, 2]])
      return asFloat([np.linalg.solve(a, f([9, 8])), np.linalg.det(a), np.linalg.inv(a)])
    },
    expected: [2, 3, 5, 0.4, -0.2, -0.2, 0.6],
    ...tol
  },
  {
    name: "grad of slogdet's logabsdet is inv(a)^T",
    run: () => Effect.flatMap(grad((a: Tensor) => np.linalg.slogdet(a)[1])(f([[4, 1], [1, 3]])), (g) => pack(g)),
    expected: [3 / 11, -1 / 11, -1 / 11, 4 / 11],
    ...tol
  },
  {
    name: "grad through cholesky and a triangular solve",
    run: () =>
      Effect.flatMap(
        grad((a: Tensor) =>
          np.sum(
            lax.linalg.triangularSolve(lax.linalg.cholesky(a), f([[1], [2], [3]]), { leftSide: true, lower: true })
          )
        )(np.index(spd(), 0)),
        (g) => pack(g)
      ),
    ...tol
  },
  {
    name: "grad of the sum of eigenvalues is the identity",
    run: () => Effect.flatMap(grad((a: Tensor) => np.sum(np.linalg.eigvalsh(a)))(np.index(spd(), 1)), (g) => pack(g)),
    expected: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    ...tol
  },
  {
    name: "jvp of the singular values and of qr",
    run: () =>
      Effect.flatMap(
        jvp((a: Tensor) => [np.linalg.svdvals(a), ...np.linalg.qr(a)], [tall()], [np.onesLike(tall())]),
        ([ys, ts]) => pack(...(ys as ReadonlyArray<Tensor>), ...(ts as ReadonlyArray<Tensor>))
      ),
    ...tol
  },
  {
    name: "vmap of solve and lu over a batch",
    run: () =>
      Effect.flatMap(
        vmap((a: Tensor) => [np.linalg.solve(a, f([1, 2, 3])), ...lax.linalg.lu(a)])(spd()),
        (outs) => pack(...(outs as ReadonlyArray<Tensor>))
      ),
    ...tol
  }
]
