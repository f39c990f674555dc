/**
 * Plain-JS complex matrix arithmetic for the complex linalg tests (independent
 * of the code under test) and complex tensor reads.
 */
import { assert } from "@effect/vitest"
import { np, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { stream } from "./helpers.js"

export type C = { re: number; im: number }
export type CMatrix = Array<Array<C>>
export const c = (re: number, im: number): C => ({ re, im })
export const add = (a: C, b: C) => c(a.re + b.re, a.im + b.im)
export const mul = (a: C, b: C) => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
export const conj = (a: C) => c(a.re, -a.im)
export const matmul = (a: CMatrix, b: CMatrix): CMatrix =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => add(s, mul(x, b[k]![j]!)), c(0, 0))))
export const adjoint = (a: CMatrix): CMatrix => a[0]!.map((_, j) => a.map((row) => conj(row[j]!)))
export const dist = (a: CMatrix, b: CMatrix) =>
  Math.sqrt(a.flat().reduce((s, x, k) => s + (x.re - b.flat()[k]!.re) ** 2 + (x.im - b.flat()[k]!.im) ** 2, 0))

export const random = (m: number, n: number, seed: number): CMatrix => {
  const next = stream(seed)
  return Array.from({ length: m }, () => Array.from({ length: n }, () => c(next(), next())))
}
/** A Hermitian positive-definite matrix `B B^H + n I`. */
export const hpd = (n: number, seed: number): CMatrix => {
  const b = random(n, n, seed)
  return matmul(b, adjoint(b)).map((row, i) => row.map((x, j) => (i === j ? add(x, c(n, 0)) : x)))
}
export const dominant = (n: number, seed: number): CMatrix =>
  random(n, n, seed).map((row, i) => row.map((x, j) => (i === j ? add(x, c(3, 1)) : x)))

export const tensor = (a: CMatrix | Array<C>, dtype: "complex64" | "complex128" = "complex128"): Tensor =>
  np.array(a as np.TensorLike, { dtype })
export const value = (t: Tensor): CMatrix => toJsSync(t) as CMatrix
export const flatC = (t: Tensor): Array<C> => {
  const v = toJsSync(t) as unknown
  return (Array.isArray(v) ? v.flat(Infinity) : [v]) as Array<C>
}
export const assertCloseC = (a: Array<C>, b: Array<C>, tol: number) =>
  a.forEach((x, k) => {
    assert.approximately(x.re, b[k]!.re, tol, `re[${k}]`)
    assert.approximately(x.im, b[k]!.im, tol, `im[${k}]`)
  })
