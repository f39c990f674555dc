/**
 * `jax.scipy.linalg`'s Schur and Hessenberg functions: `schur` (real or
 * complex form), `hessenberg` (with `Q` formed from the reflectors, as JAX's
 * `householder_product`) and `rsf2csf` (the real Schur form made complex by
 * Givens rotations, JAX's algorithm). `schur` and `hessenberg` are the
 * `lax.linalg` primitives (CPU only, not differentiable, as JAX's); `rsf2csf`
 * is built from `lax` ops.
 */
import { complexDType, isComplex, realDType } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as laxLinalg from "../laxLinalg.js"
import { broadcastShapes } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import { boolean, checkOptions } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { mask, mH, mm, oneOf, perMatrix, squareOperand, toComplex } from "./matrixOps.js"
import { toInexact, toTensor } from "./npHelpers.js"

/** Options of `schur`: the real (default) or complex Schur form. @since 0.1.0 */
export interface SchurOptions {
  readonly output?: "real" | "complex" | undefined
}

/**
 * `jax.scipy.linalg.schur`: `[t, z]` with `a = z t z^H`, `z` unitary, over the
 * last two dimensions (CPU only, as JAX's). `output: "real"` (the default) gives
 * real input the real Schur form (quasi upper triangular: a standardized 2x2
 * block per complex-conjugate eigenvalue pair); `"complex"` converts the input
 * to complex first, so `t` is upper triangular. Integers are promoted to
 * float32. Not differentiable (JAX has no rule).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [t, z] = linalg.schur(np.array([[2, 1], [0, 3]]))
 * console.log(toJsSync(t), toJsSync(z)) // [[2, 1], [0, 3]] [[1, 0], [0, 1]]
 * const [tc] = linalg.schur(np.array([[0, -1], [1, 0]]), { output: "complex" })
 * console.log(toJsSync(np.diagonal(tc))) // [{ re: 0, im: 1 }, { re: 0, im: -1 }]
 *
 * @since 0.1.0
 */
export const schur = (a: TensorLike, options?: SchurOptions): readonly [t: Tensor, z: Tensor] => {
  checkOptions("schur", options, { output: oneOf("real", "complex") })
  const t0 = squareOperand("schur", "a", a)
  const t = options?.output === "complex" ? toComplex(t0) : t0
  const [tt, z] = laxLinalg.schur(t)
  return [tt!, z!]
}

/** Options of `hessenberg`: `calcQ` returns `[h, q]` (default false: `h` alone). @since 0.1.0 */
export interface HessenbergOptions {
  readonly calcQ?: boolean | undefined
}

/** `Q = H_0 ... H_{n-2}` from gehrd's packed reflectors and factors (JAX's `householder_product`). */
const reflectorProduct = (packed: Tensor, taus: Tensor): Tensor => {
  const shape = packed.shape
  const n = shape.at(-1)!
  const batch = shape.slice(0, -2)
  const eye = lax.convertElementType(mask(shape, (i, j) => i === j), packed.dtype, false)
  let q = eye
  const conj = (x: Tensor) => (isComplex(x.dtype) ? lax.conj(x) : x)
  for (let k = 0; k + 1 < n; k++) {
    // v_k: 1 at row k + 1, the packed column k below it, zeros above
    const column = lax.slice(packed, [...batch.map(() => 0), 0, k], [...batch, n, k + 1]) // [..., n, 1]
    const below = lax.convertElementType(mask([...batch, n, 1], (i) => i > k + 1), packed.dtype, false)
    const one = lax.convertElementType(mask([...batch, n, 1], (i) => i === k + 1), packed.dtype, false)
    const v = lax.add(lax.mul(column, below), one)
    const tau = lax.slice(taus, [...batch.map(() => 0), k], [...batch, k + 1]) // [..., 1]
    // Q <- Q - (Q v) (tau v^H)
    const qv = mm(q, v)
    const row = lax.mul(
      conj(lax.transpose(v, [...batch.map((_, i) => i), batch.length + 1, batch.length])),
      perMatrix(
        lax.reshape(tau, batch),
        [...batch, 1, n]
      )
    )
    q = lax.sub(q, mm(qv, row))
  }
  return q
}

/**
 * `jax.scipy.linalg.hessenberg`: the upper Hessenberg form `h` of square
 * matrices (zero below the first subdiagonal) and, with `calcQ`, the unitary
 * `q` with `a = q h q^H` (LAPACK gehrd's reflectors; CPU only, as JAX's). Not
 * differentiable (JAX has no rule).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [h, q] = linalg.hessenberg(np.array([[1, 2, 3], [4, 5, 6], [0, 8, 9]]), { calcQ: true })
 * console.log(toJsSync(h)) // [[1, 2, 3], [4, 5, 6], [0, 8, 9]]
 * console.log(toJsSync(q)) // [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
 *
 * @since 0.1.0
 */
export const hessenberg: {
  (a: TensorLike, options: HessenbergOptions & { readonly calcQ: true }): readonly [h: Tensor, q: Tensor]
  (a: TensorLike, options?: HessenbergOptions): Tensor
} = ((a: TensorLike, options?: HessenbergOptions) => {
  checkOptions("hessenberg", options, { calcQ: boolean })
  const t = squareOperand("hessenberg", "a", a)
  const calcQ = options?.calcQ === true
  if (t.shape.at(-1) === 0) return calcQ ? [t, t] : t
  const [packed, taus] = laxLinalg.hessenberg(t)
  const h = lax.select(mask(t.shape, (i, j) => j >= i - 1), packed, lax.full(t.shape, 0, t.dtype, false))
  return calcQ ? [h, reflectorProduct(packed, taus)] : h
}) as never

// --- rsf2csf ---------------------------------------------------------------------------

/** The rotation `[[conj(c), s], [-s, c]]` embedded at rows/columns `m - 1, m` of an identity of `shape`. */
const embeddedRotation = (c: Tensor, s: Tensor, shape: ReadonlyArray<number>, m: number): Tensor => {
  const dtype = c.dtype
  const at = (r: number, q: number) => lax.convertElementType(mask(shape, (i, j) => i === r && j === q), dtype, false)
  const rest = lax.convertElementType(mask(shape, (i, j) => i === j && i !== m - 1 && i !== m), dtype, false)
  const scalar = (x: Tensor) => perMatrix(x, shape)
  return lax.add(
    lax.add(rest, lax.mul(scalar(lax.conj(c)), at(m - 1, m - 1))),
    lax.add(
      lax.add(lax.mul(scalar(s), at(m - 1, m)), lax.mul(scalar(lax.neg(s)), at(m, m - 1))),
      lax.mul(scalar(c), at(m, m))
    )
  )
}

/** Entry `[i, j]` of each matrix as `[...]`. */
const entry = (x: Tensor, i: number, j: number): Tensor => {
  const batch = x.shape.slice(0, -2)
  return lax.reshape(lax.slice(x, [...batch.map(() => 0), i, j], [...batch, i + 1, j + 1]), batch)
}

/**
 * `jax.scipy.linalg.rsf2csf`: the complex Schur form `[t, z]` from a real one
 * (`schur`'s output): each 2x2 block with a non-negligible subdiagonal entry
 * (above `eps (|t[m-1, m-1]| + |t[m, m]|)`) is split by a Givens rotation built
 * from its eigenvalue with positive imaginary part, bottom block first, as JAX's
 * algorithm; `z` is rotated to match, so `z t z^H` is unchanged. Batch
 * dimensions of `t` and `z` broadcast. Differentiable by composition.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [t] = linalg.rsf2csf(np.array([[0, -1], [1, 0]]), np.eye(2))
 * const d = toJsSync(np.diagonal(t)) as Array<{ re: number; im: number }>
 * console.log(d.map((x) => [Math.round(x.re * 1e6) / 1e6 + 0, Math.round(x.im * 1e6) / 1e6 + 0])) // [[0, 1], [0, -1]]
 *
 * @since 0.1.0
 */
export const rsf2csf = (t: TensorLike, z: TensorLike): readonly [t: Tensor, z: Tensor] => {
  const square = (x: Tensor, name: string) => {
    if (x.ndim < 2 || x.shape.at(-1) !== x.shape.at(-2)) {
      throw new ShapeError({ operation: "rsf2csf", detail: `Input '${name}' must be square, got shape (${x.shape})` })
    }
  }
  const t0 = toInexact(toTensor(t))
  const z0 = toInexact(toTensor(z))
  square(t0, "T")
  square(z0, "Z")
  if (t0.shape.at(-1) !== z0.shape.at(-1)) {
    throw new ShapeError({
      operation: "rsf2csf",
      detail: `Input array shapes must match: Z: (${z0.shape}) vs. T: (${t0.shape})`
    })
  }
  const n = t0.shape.at(-1)!
  const batch = broadcastShapes(t0.shape.slice(0, -2), z0.shape.slice(0, -2))
  const shape = [...batch, n, n]
  // both complex, in the wider of their precisions
  const dtype = complexDType(
    realDType(t0.dtype) === "float64" || realDType(z0.dtype) === "float64" ? "float64" : "float32"
  )
  const widen = (x: Tensor) => {
    const c = x.dtype === dtype ? x : lax.convertElementType(x, dtype, false)
    return lax.broadcastInDim(c, shape, c.shape.map((_, i) => i + shape.length - c.ndim))
  }
  let tt = widen(t0)
  let zz = widen(z0)
  if (n <= 1) return [tt, zz]
  const eps = realDType(dtype) === "float64" ? 2 ** -52 : 2 ** -23
  const zero = lax.full(shape, 0, dtype, false)
  for (let m = n - 1; m >= 1; m--) {
    const [a, b, c, d] = [entry(tt, m - 1, m - 1), entry(tt, m - 1, m), entry(tt, m, m - 1), entry(tt, m, m)]
    const abs = (x: Tensor) => lax.abs(x)
    const split = lax.gt(abs(c), lax.mul(lax.add(abs(a), abs(d)), lax.full(a.shape, eps, realDType(dtype), false)))
    // the block's eigenvalue (a + d) / 2 + sqrt(((a - d) / 2)^2 + b c), less t[m, m]
    const half = lax.full(a.shape, 0.5, dtype, false)
    const p = lax.mul(lax.sub(a, d), half)
    const mu = lax.add(lax.sub(lax.mul(lax.add(a, d), half), d), lax.sqrt(lax.add(lax.mul(p, p), lax.mul(b, c))))
    const r = lax.sqrt(lax.add(
      lax.mul(lax.real(mu), lax.real(mu)),
      lax.add(
        lax.mul(lax.imag(mu), lax.imag(mu)),
        lax.mul(abs(c), abs(c))
      )
    ))
    const rc = lax.convertElementType(r, dtype, false)
    const g = embeddedRotation(lax.div(mu, rc), lax.div(c, rc), shape, m)
    const gh = mH(g)
    // rows m - 1, m from column m - 1 on; then columns m - 1, m down to row m
    const rows = mask(shape, (i, j) => (i === m - 1 || i === m) && j >= m - 1)
    let next = lax.select(rows, mm(g, lax.select(rows, tt, zero)), tt)
    const cols = mask(shape, (i, j) => (j === m - 1 || j === m) && i < m + 1)
    next = lax.select(cols, mm(lax.select(cols, next, zero), gh), next)
    const chosen = perMatrix(split, shape)
    tt = lax.select(chosen, next, tt)
    zz = lax.select(chosen, mm(zz, gh), zz)
    tt = lax.select(mask(shape, (i, j) => i === m && j === m - 1), zero, tt)
  }
  return [tt, zz]
}
