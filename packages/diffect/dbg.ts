import { jvp, lax, linalg, np, runSync, toJsSync } from "diffect"
import type { Tensor } from "diffect"
const c = (re: number, im: number) => ({ re, im })
const A = np.array([[c(4, 0), c(1, 1)], [c(1, -1), c(3, 0)]], { dtype: "complex128" })
const L = np.linalg.cholesky(A)
console.log(toJsSync(L))
console.log(toJsSync(np.matmul(L, np.conj(np.swapaxes(L, 0, 1)))))
const b = np.array([c(1, 2), c(-1, 0.5)], { dtype: "complex128" })
const x = np.linalg.solve(A, b)
console.log(toJsSync(np.matmul(A, x)))
console.log(toJsSync(np.linalg.det(A)), toJsSync(np.linalg.slogdet(A)[0]), toJsSync(np.linalg.slogdet(A)[1]))
const B = np.array([[c(1, 2), c(0, 1), c(2, 0)], [c(1, 0), c(3, -1), c(0, 0)], [c(0, 1), c(1, 1), c(1, 0)]], {
  dtype: "complex128"
})
const [s, l] = np.linalg.slogdet(
  np.array([[c(1, 2), c(0, 1), c(2, 0), c(0, 0)], [c(1, 0), c(3, -1), c(0, 0), c(0, 0)], [
    c(0, 1),
    c(1, 1),
    c(1, 0),
    c(0, 0)
  ], [c(0, 0), c(0, 0), c(0, 0), c(1, 0)]], { dtype: "complex128" })
)
console.log(toJsSync(np.linalg.det(B)), toJsSync(lax.mul(s, lax.convertElementType(lax.exp(l), "complex128", false))))
console.log(toJsSync(np.matmul(B, np.linalg.inv(B))))
const T = np.array([[c(0.3, 0), c(0.2, 0.1)], [c(0.2, -0.1), c(-0.5, 0)]], { dtype: "complex128" })
const [, t] = runSync(jvp((a: Tensor) => np.linalg.cholesky(a), [A], [T]))
const h = 1e-6
const fd = np.divide(
  np.subtract(np.linalg.cholesky(np.add(A, np.multiply(T, h))), np.linalg.cholesky(np.subtract(A, np.multiply(T, h)))),
  2 * h
)
console.log(toJsSync(t as Tensor))
console.log(toJsSync(fd))
const [, t2] = runSync(jvp((a: Tensor) => np.linalg.solve(a, b), [A], [T]))
const fd2 = np.divide(
  np.subtract(np.linalg.solve(np.add(A, np.multiply(T, h)), b), np.linalg.solve(np.subtract(A, np.multiply(T, h)), b)),
  2 * h
)
console.log(toJsSync(t2 as Tensor))
console.log(toJsSync(fd2))
console.log(
  toJsSync(linalg.choSolve(linalg.choFactor(A), b)),
  toJsSync(linalg.luSolve(linalg.luFactor(A), b, { trans: 2 }))
)
