/**
 * The benchmark cases: what each computes, its inputs (seeded, identical for
 * every library) and its float64 reference result.
 *
 * @since 0.1.0
 */
import { normal, uniform } from "./internal/random.js"
import {
  chainReference,
  matmulReference,
  mlpReference,
  rnnReference,
  rosenbrockHessian,
  rosenbrockHvp,
  singularValuesReference,
  spdSolveReference,
  tanhSumReference
} from "./internal/reference.js"

/** B1 inputs: a 784-256-256-10 tanh MLP, a batch of 128 and one-hot labels. @since 0.1.0 */
export interface MlpData {
  readonly batch: number
  readonly sizes: readonly [number, number, number, number]
  readonly x: Float32Array
  readonly y: Float32Array
  readonly w1: Float32Array
  readonly b1: Float32Array
  readonly w2: Float32Array
  readonly b2: Float32Array
  readonly w3: Float32Array
  readonly b3: Float32Array
}

/** B2 and B2b inputs: a start vector and the number of steps. @since 0.1.0 */
export interface ChainData {
  readonly x: Float32Array
  readonly steps: number
}

/** B3 inputs. @since 0.1.0 */
export interface ElementwiseData {
  readonly x: Float32Array
}

/** B4 inputs: the point and, for Hessian-vector products, the vector. @since 0.1.0 */
export interface RosenbrockData {
  readonly x: Float32Array
  readonly v: Float32Array
}

/** B5 inputs: two `n x n` matrices. @since 0.1.0 */
export interface MatmulData {
  readonly n: number
  readonly a: Float32Array
  readonly b: Float32Array
}

/**
 * B6 inputs: a tanh RNN `h = tanh(h Wh + x_t Wx + b)` over `steps` inputs of
 * `[batch, input]`, from `h = 0`; the loss is the mean of the last `h`.
 *
 * @since 0.1.0
 */
export interface RnnData {
  readonly batch: number
  readonly hidden: number
  readonly input: number
  readonly steps: number
  /** `[steps, batch, input]` */
  readonly xs: Float32Array
  readonly wh: Float32Array
  readonly wx: Float32Array
  readonly b: Float32Array
}

/**
 * B7 and B8 inputs: an `n x n` matrix `a` (B7: symmetric positive definite,
 * `G G^T / n + I`; B8: Gaussian) and, for B7, `k` right-hand sides `b`.
 *
 * @since 0.1.0
 */
export interface LinalgData {
  readonly n: number
  readonly k: number
  readonly a: Float32Array
  readonly b: Float32Array
}

/** Each case's input type. @since 0.1.0 */
export interface CaseData {
  readonly B1: MlpData
  readonly B2: ChainData
  readonly B2b: ChainData
  readonly B3: ElementwiseData
  readonly B4: RosenbrockData
  readonly B4hvp: RosenbrockData
  readonly B5: MatmulData
  readonly B6: RnnData
  readonly B7: LinalgData
  readonly B8: LinalgData
}

/** A case's id. @since 0.1.0 */
export type CaseId = keyof CaseData

/**
 * A result as flat arrays, in a fixed order per case (for example B1:
 * `[loss, dW1, db1, dW2, db2, dW3, db3]`).
 *
 * @since 0.1.0
 */
export type Outputs = ReadonlyArray<ArrayLike<number>>

/** One benchmark case. @since 0.1.0 */
export interface Case<K extends CaseId> {
  readonly id: K
  readonly title: string
  readonly description: string
  readonly data: () => CaseData[K]
  readonly reference: (data: CaseData[K]) => Outputs
  /** Outputs whose error is reported but not held to the agreement tolerance (B3's 4M-term sum). */
  readonly reportOnly?: ReadonlyArray<number>
}

const mlpData = (): MlpData => {
  const batch = 128
  const sizes = [784, 256, 256, 10] as const
  const labels = uniform(7, batch, 0, sizes[3])
  const y = new Float32Array(batch * sizes[3])
  for (let i = 0; i < batch; i++) y[i * sizes[3] + Math.floor(labels[i])] = 1
  return {
    batch,
    sizes,
    x: uniform(1, batch * sizes[0], 0, 1),
    y,
    // Glorot-like scales keep tanh out of saturation, so gradients are not all tiny.
    w1: normal(2, sizes[0] * sizes[1], 1 / Math.sqrt(sizes[0])),
    b1: normal(3, sizes[1], 0.1),
    w2: normal(4, sizes[1] * sizes[2], 1 / Math.sqrt(sizes[1])),
    b2: normal(5, sizes[2], 0.1),
    w3: normal(6, sizes[2] * sizes[3], 1 / Math.sqrt(sizes[2])),
    b3: normal(8, sizes[3], 0.1)
  }
}

// G G^T / n + I: eigenvalues in about [1, 5], so float32 factors agree with float64 to ~1e-6.
const spdData = (): LinalgData => {
  const n = 256
  const k = 16
  const g = normal(61, n * n)
  const a = new Float32Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0
      for (let p = 0; p < n; p++) s += g[i * n + p]! * g[j * n + p]!
      const v = s / n + (i === j ? 1 : 0)
      a[i * n + j] = v
      a[j * n + i] = v
    }
  }
  return { n, k, a, b: normal(62, n * k) }
}

const chainData = (): ChainData => ({ x: uniform(11, 16, -2, 2), steps: 200 })
const rosenbrockData = (): RosenbrockData => ({ x: uniform(21, 100, -1.5, 1.5), v: uniform(22, 100, -1, 1) })

/**
 * Every case, in the order they run.
 *
 * @since 0.1.0
 */
export const cases: { readonly [K in CaseId]: Case<K> } = {
  B1: {
    id: "B1",
    title: "B1 mlp",
    description:
      "value and gradient of the mean softmax cross-entropy of a 784-256-256-10 tanh MLP (batch 128) w.r.t. all six parameters",
    data: mlpData,
    reference: mlpReference
  },
  B2: {
    id: "B2",
    title: "B2 scalar-chain",
    description: "`x = x + 0.01*sin(x)` 200 times on a float32[16]; value and gradient of sum(x) w.r.t. the start",
    data: chainData,
    reference: (d) => chainReference(d, "residual")
  },
  B2b: {
    id: "B2b",
    title: "B2b sin-chain",
    description: "`x = sin(x)` 200 times on a float32[16]; value and gradient of sum(x)",
    data: chainData,
    reference: (d) => chainReference(d, "sin")
  },
  B3: {
    id: "B3",
    title: "B3 big-elementwise",
    description: "sum(tanh(x)*x) over 4M float32 values (2^22); value and gradient",
    data: () => ({ x: normal(31, 4 * 1024 * 1024, 1.5) }),
    reference: (d) => tanhSumReference(d.x),
    reportOnly: [0]
  },
  B4: {
    id: "B4",
    title: "B4 hessian",
    description: "full Hessian (100x100) of the 100-dimensional Rosenbrock function",
    data: rosenbrockData,
    reference: (d) => [rosenbrockHessian(d)]
  },
  B4hvp: {
    id: "B4hvp",
    title: "B4 hvp",
    description: "one Hessian-vector product of the 100-dimensional Rosenbrock function",
    data: rosenbrockData,
    reference: (d) => [rosenbrockHvp(d)]
  },
  B5: {
    id: "B5",
    title: "B5 matmul",
    description: "forward 1024x1024 float32 matrix product",
    data: () => ({ n: 1024, a: normal(41, 1024 * 1024), b: normal(42, 1024 * 1024) }),
    reference: (d) => [matmulReference(d)]
  },
  B6: {
    id: "B6",
    title: "B6 tanh-rnn",
    description:
      "value and gradient (Wh, Wx, b) of the mean final state of a tanh RNN, hidden 128, batch 32, input 32, 100 steps",
    data: () => {
      const batch = 32
      const hidden = 128
      const input = 32
      const steps = 100
      return {
        batch,
        hidden,
        input,
        steps,
        xs: uniform(51, steps * batch * input, -1, 1),
        wh: normal(52, hidden * hidden, 1 / Math.sqrt(hidden)),
        wx: normal(53, input * hidden, 1 / Math.sqrt(input)),
        b: normal(54, hidden, 0.1)
      }
    },
    reference: rnnReference
  },
  B7: {
    id: "B7",
    title: "B7 cholesky-solve",
    description:
      "Cholesky factor of a 256x256 symmetric positive-definite float32 matrix and the solve `a x = b` for 16 right-hand sides (LU)",
    data: spdData,
    reference: spdSolveReference
  },
  B8: {
    id: "B8",
    title: "B8 svd",
    description: "singular values of a 256x256 Gaussian float32 matrix",
    data: () => ({ n: 256, k: 0, a: normal(63, 256 * 256), b: new Float32Array(0) }),
    reference: (d) => [singularValuesReference(d)]
  }
}

/** The case ids in run order. @since 0.1.0 */
export const caseIds: ReadonlyArray<CaseId> = ["B1", "B2", "B2b", "B3", "B4", "B4hvp", "B5", "B6", "B7", "B8"]
