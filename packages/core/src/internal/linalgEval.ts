/**
 * Abstract evaluation of the linear-algebra primitives (JAX's lax.linalg shape
 * rules): each takes float32 or float64 matrices (complex too for cholesky,
 * triangular_solve and lu) in its last two dimensions and maps over the
 * leading (batch) dimensions.
 */
import { aval } from "../AbstractValue.js"
import type { AbstractValue } from "../AbstractValue.js"
import { complexDType, isComplex, isFloating, realDType } from "../DType.js"
import { DTypeError, Float0OperationError, ShapeError } from "../Errors.js"
import type { Params, Primitive } from "../Primitive.js"
import { formatShape } from "../Shape.js"

type LinalgPrimitive =
  | "cholesky"
  | "triangular_solve"
  | "lu"
  | "qr"
  | "eigh"
  | "svd"
  | "eig"
  | "schur"
  | "hessenberg"
type Rule<P extends Primitive> = (
  avals: ReadonlyArray<AbstractValue>,
  params: Params<P>
) => ReadonlyArray<AbstractValue>

const arity = (op: string, avals: ReadonlyArray<AbstractValue>, n: number): void => {
  if (avals.length !== n) throw new ShapeError({ operation: op, detail: `takes ${n} operand(s), got ${avals.length}` })
}

// A floating matrix (or stack of matrices): [..., m, n].
// Complex matrices are supported by these primitives (all of them, on the CPU).
const complexOk = new Set(["cholesky", "triangular_solve", "lu", "qr", "eigh", "svd", "eig", "schur", "hessenberg"])

const matrix = (
  op: string,
  a: AbstractValue,
  what = "operand"
): readonly [batch: Array<number>, m: number, n: number] => {
  if (a.dtype === "float0") throw new Float0OperationError({ operation: op })
  if (!isFloating(a.dtype) && !(isComplex(a.dtype) && complexOk.has(op))) {
    throw new DTypeError({
      operation: op,
      detail: complexOk.has(op)
        ? `dtype ${a.dtype} is not accepted. Accepted dtypes are float32, float64, complex64 and complex128 ` +
          `(np.linalg promotes integers to float first)`
        : `dtype ${a.dtype} is not accepted. Accepted dtypes are float32 and float64 ` +
          `(np.linalg promotes integers to float first; complex matrices are not supported by ${op} yet)`
    })
  }
  if (a.shape.length < 2) {
    throw new ShapeError({
      operation: op,
      detail: `${what} must have at least two dimensions (a matrix or a stack of matrices), got shape ${
        formatShape(a.shape)
      }`
    })
  }
  const k = a.shape.length
  return [a.shape.slice(0, k - 2), a.shape[k - 2]!, a.shape[k - 1]!]
}

const square = (op: string, a: AbstractValue, what = "operand"): readonly [Array<number>, number] => {
  const [batch, m, n] = matrix(op, a, what)
  if (m !== n) {
    throw new ShapeError({
      operation: op,
      detail: `${what} must be a square matrix (or a stack of them) in its last two dimensions, got shape ${
        formatShape(a.shape)
      }`
    })
  }
  return [batch, n]
}

const sameBatch = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** The abstract evaluation of each linear-algebra primitive. */
export const linalgEvalRules: { readonly [P in LinalgPrimitive]: Rule<P> } = {
  cholesky: (avals) => {
    arity("cholesky", avals, 1)
    square("cholesky", avals[0]!)
    return [aval(avals[0]!.shape, avals[0]!.dtype, false)]
  },
  triangular_solve: (avals, { leftSide }) => {
    arity("triangular_solve", avals, 2)
    const [a, b] = avals as readonly [AbstractValue, AbstractValue]
    const [batchA, m] = square("triangular_solve", a, "a")
    const [batchB, rows, cols] = matrix("triangular_solve", b, "b")
    if (a.dtype !== b.dtype) {
      throw new DTypeError({
        operation: "triangular_solve",
        detail: `a and b must have the same dtype, got ${a.dtype} and ${b.dtype}`
      })
    }
    const common = leftSide ? rows : cols
    if (!sameBatch(batchA, batchB) || common !== m) {
      throw new ShapeError({
        operation: "triangular_solve",
        detail: `shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not match: b must have the batch ` +
          `dimensions of a and ${m} ${leftSide ? "rows" : "columns"} (leftSide=${leftSide})`
      })
    }
    return [aval(b.shape, b.dtype, false)]
  },
  lu: (avals) => {
    arity("lu", avals, 1)
    const a = avals[0]!
    const [batch, m, n] = matrix("lu", a)
    return [
      aval(a.shape, a.dtype, false),
      aval([...batch, Math.min(m, n)], "int32", false),
      aval([...batch, m], "int32", false)
    ]
  },
  qr: (avals, { fullMatrices }) => {
    arity("qr", avals, 1)
    const a = avals[0]!
    const [batch, m, n] = matrix("qr", a)
    const k = fullMatrices ? m : Math.min(m, n)
    return [aval([...batch, m, k], a.dtype, false), aval([...batch, k, n], a.dtype, false)]
  },
  eigh: (avals) => {
    arity("eigh", avals, 1)
    const a = avals[0]!
    const [batch, n] = square("eigh", a)
    // Hermitian: real eigenvalues
    return [aval(a.shape, a.dtype, false), aval([...batch, n], realDType(a.dtype), false)]
  },
  svd: (avals, { computeUv, fullMatrices }) => {
    arity("svd", avals, 1)
    const a = avals[0]!
    const [batch, m, n] = matrix("svd", a)
    const k = Math.min(m, n)
    const s = aval([...batch, k], realDType(a.dtype), false)
    if (!computeUv) return [s]
    return [
      s,
      aval([...batch, m, fullMatrices ? m : k], a.dtype, false),
      aval([...batch, fullMatrices ? n : k, n], a.dtype, false)
    ]
  },
  eig: (avals, { computeLeftEigenvectors, computeRightEigenvectors }) => {
    arity("eig", avals, 1)
    const a = avals[0]!
    const [batch, n] = square("eig", a)
    // complex results for real input too (JAX's)
    const dtype = complexDType(a.dtype)
    const vectors = aval(a.shape, dtype, false)
    return [
      aval([...batch, n], dtype, false),
      ...(computeLeftEigenvectors ? [vectors] : []),
      ...(computeRightEigenvectors ? [vectors] : [])
    ]
  },
  schur: (avals, { computeSchurVectors }) => {
    arity("schur", avals, 1)
    const a = avals[0]!
    square("schur", a)
    const t = aval(a.shape, a.dtype, false)
    return computeSchurVectors ? [t, aval(a.shape, a.dtype, false)] : [t]
  },
  hessenberg: (avals) => {
    arity("hessenberg", avals, 1)
    const a = avals[0]!
    const [batch, n] = square("hessenberg", a)
    return [aval(a.shape, a.dtype, false), aval([...batch, Math.max(n - 1, 0)], a.dtype, false)]
  }
}
