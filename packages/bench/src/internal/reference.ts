/**
 * Float64 reference results, written by hand from the math (no library), that
 * every library's float32 result is checked against.
 *
 * @since 0.1.0
 */
import type { ChainData, LinalgData, MatmulData, MlpData, RnnData, RosenbrockData } from "../Cases.js"

const f64 = (n: number): Float64Array => new Float64Array(n)

/** `A[m,k] @ B[k,n]`; `ta`: A is stored as `[k,m]`; `tb`: B is stored as `[n,k]`. */
const matmul = (
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  ta = false,
  tb = false
): Float64Array => {
  const c = f64(m * n)
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = ta ? a[p * m + i] : a[i * k + p]
      if (aip === 0) continue
      const row = i * n
      if (tb) { for (let j = 0; j < n; j++) c[row + j] += aip * b[j * k + p] }
      else {
        const brow = p * n
        for (let j = 0; j < n; j++) c[row + j] += aip * b[brow + j]
      }
    }
  }
  return c
}

const addBiasTanh = (z: Float64Array, bias: ArrayLike<number>, n: number): Float64Array => {
  for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i] + bias[i % n])
  return z
}

const colSum = (a: Float64Array, m: number, n: number): Float64Array => {
  const out = f64(n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j] += a[i * n + j]
  return out
}

/**
 * B1: loss and gradient of the mean softmax cross-entropy of the tanh MLP,
 * backpropagated by hand. Outputs: `[loss, dW1, db1, dW2, db2, dW3, db3]`.
 *
 * @since 0.1.0
 */
export const mlpReference = (d: MlpData): ReadonlyArray<Float64Array> => {
  const [n0, n1, n2, n3] = d.sizes
  const B = d.batch
  const h1 = addBiasTanh(matmul(d.x, d.w1, B, n0, n1), d.b1, n1)
  const h2 = addBiasTanh(matmul(h1, d.w2, B, n1, n2), d.b2, n2)
  const logits = matmul(h2, d.w3, B, n2, n3)
  let loss = 0
  const dlogits = f64(B * n3)
  for (let i = 0; i < B; i++) {
    let max = -Infinity
    for (let j = 0; j < n3; j++) {
      logits[i * n3 + j] += d.b3[j]
      max = Math.max(max, logits[i * n3 + j])
    }
    let s = 0
    for (let j = 0; j < n3; j++) s += Math.exp(logits[i * n3 + j] - max)
    const lse = max + Math.log(s)
    let ySum = 0
    for (let j = 0; j < n3; j++) {
      const y = d.y[i * n3 + j]
      ySum += y
      loss -= y * (logits[i * n3 + j] - lse)
    }
    // d/dlogits of -sum_j y_j logp_j is softmax * sum(y) - y
    for (let j = 0; j < n3; j++) dlogits[i * n3 + j] = (Math.exp(logits[i * n3 + j] - lse) * ySum - d.y[i * n3 + j]) / B
  }
  loss /= B
  const dw3 = matmul(h2, dlogits, n2, B, n3, true)
  const db3 = colSum(dlogits, B, n3)
  const dz2 = matmul(dlogits, d.w3, B, n3, n2, false, true)
  for (let i = 0; i < dz2.length; i++) dz2[i] *= 1 - h2[i] * h2[i]
  const dw2 = matmul(h1, dz2, n1, B, n2, true)
  const db2 = colSum(dz2, B, n2)
  const dz1 = matmul(dz2, d.w2, B, n2, n1, false, true)
  for (let i = 0; i < dz1.length; i++) dz1[i] *= 1 - h1[i] * h1[i]
  const dw1 = matmul(d.x, dz1, n0, B, n1, true)
  const db1 = colSum(dz1, B, n1)
  return [Float64Array.of(loss), dw1, db1, dw2, db2, dw3, db3]
}

/**
 * B2 and B2b: value and gradient of `sum(x_T)` for `x_{t+1} = step(x_t)`; the
 * gradient is the product of the step's derivatives along the chain.
 *
 * @since 0.1.0
 */
export const chainReference = (d: ChainData, kind: "residual" | "sin"): ReadonlyArray<Float64Array> => {
  const n = d.x.length
  const grad = f64(n).fill(1)
  let value = 0
  for (let i = 0; i < n; i++) {
    let x = d.x[i]
    for (let t = 0; t < d.steps; t++) {
      if (kind === "residual") {
        grad[i] *= 1 + 0.01 * Math.cos(x)
        x = x + 0.01 * Math.sin(x)
      } else {
        grad[i] *= Math.cos(x)
        x = Math.sin(x)
      }
    }
    value += x
  }
  return [Float64Array.of(value), grad]
}

/**
 * B3: `sum(tanh(x) * x)` and its gradient `tanh(x) + x (1 - tanh(x)^2)`.
 *
 * @since 0.1.0
 */
export const tanhSumReference = (x: Float32Array): ReadonlyArray<Float64Array> => {
  const grad = f64(x.length)
  let value = 0
  for (let i = 0; i < x.length; i++) {
    const t = Math.tanh(x[i])
    value += t * x[i]
    grad[i] = t + x[i] * (1 - t * t)
  }
  return [Float64Array.of(value), grad]
}

/**
 * B4: the Hessian of the Rosenbrock function, tridiagonal:
 * for each term `100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2`,
 * `d2/dx_i^2 = 1200 x_i^2 - 400 x_{i+1} + 2`, `d2/dx_i dx_{i+1} = -400 x_i`,
 * `d2/dx_{i+1}^2 = 200`.
 *
 * @since 0.1.0
 */
export const rosenbrockHessian = (d: RosenbrockData): Float64Array => {
  const n = d.x.length
  const h = f64(n * n)
  for (let i = 0; i + 1 < n; i++) {
    const xi = d.x[i]
    h[i * n + i] += 1200 * xi * xi - 400 * d.x[i + 1] + 2
    h[i * n + i + 1] += -400 * xi
    h[(i + 1) * n + i] += -400 * xi
    h[(i + 1) * n + i + 1] += 200
  }
  return h
}

/** B4 (HVP): `H v`. @since 0.1.0 */
export const rosenbrockHvp = (d: RosenbrockData): Float64Array => {
  const n = d.x.length
  const h = rosenbrockHessian(d)
  const out = f64(n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i] += h[i * n + j] * d.v[j]
  return out
}

/** B5: `A @ B` in float64. @since 0.1.0 */
export const matmulReference = (d: MatmulData): Float64Array => matmul(d.a, d.b, d.n, d.n, d.n)

/** B6: `[loss, dWh, dWx, db]` of the tanh RNN, by backpropagation through time in float64. @since 0.1.0 */
export const rnnReference = (d: RnnData): ReadonlyArray<Float64Array> => {
  const { batch: B, hidden: H, input: I, steps: T } = d
  const hs: Array<Float64Array> = [f64(B * H)]
  const xAt = (t: number) => d.xs.subarray(t * B * I, (t + 1) * B * I)
  for (let t = 0; t < T; t++) {
    const a = matmul(hs[t]!, d.wh, B, H, H)
    const u = matmul(xAt(t), d.wx, B, I, H)
    for (let i = 0; i < a.length; i++) a[i] = Math.tanh(a[i]! + u[i]! + d.b[i % H]!)
    hs.push(a)
  }
  const last = hs[T]!
  let loss = 0
  for (const v of last) loss += v
  loss /= B * H
  const dWh = f64(H * H)
  const dWx = f64(I * H)
  const db = f64(H)
  let dh = f64(B * H).fill(1 / (B * H))
  for (let t = T - 1; t >= 0; t--) {
    const h1 = hs[t + 1]!
    const da = f64(B * H)
    for (let i = 0; i < da.length; i++) da[i] = dh[i]! * (1 - h1[i]! * h1[i]!)
    const gWh = matmul(hs[t]!, da, H, B, H, true)
    const gWx = matmul(xAt(t), da, I, B, H, true)
    for (let i = 0; i < gWh.length; i++) dWh[i] += gWh[i]!
    for (let i = 0; i < gWx.length; i++) dWx[i] += gWx[i]!
    for (let i = 0; i < da.length; i++) db[i % H] += da[i]!
    dh = matmul(da, d.wh, B, H, H, false, true)
  }
  return [Float64Array.of(loss), dWh, dWx, db]
}

/**
 * B7: `[L, x]`: the Cholesky factor of `a` (Cholesky-Banachiewicz) and
 * `x = a^-1 b` by forward and back substitution with it, in float64.
 *
 * @since 0.1.0
 */
export const spdSolveReference = (d: LinalgData): ReadonlyArray<Float64Array> => {
  const { k, n } = d
  const l = f64(n * n)
  for (let j = 0; j < n; j++) {
    let s = d.a[j * n + j]!
    for (let p = 0; p < j; p++) s -= l[j * n + p]! * l[j * n + p]!
    const diag = Math.sqrt(s)
    l[j * n + j] = diag
    for (let i = j + 1; i < n; i++) {
      let t = d.a[i * n + j]!
      for (let p = 0; p < j; p++) t -= l[i * n + p]! * l[j * n + p]!
      l[i * n + j] = t / diag
    }
  }
  const x = f64(n * k)
  for (let c = 0; c < k; c++) {
    const y = f64(n)
    for (let i = 0; i < n; i++) {
      let s = d.b[i * k + c]!
      for (let p = 0; p < i; p++) s -= l[i * n + p]! * y[p]!
      y[i] = s / l[i * n + i]!
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!
      for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * x[p * k + c]!
      x[i * k + c] = s / l[i * n + i]!
    }
  }
  return [l, x]
}

/**
 * B8: the singular values of `a`, descending, by one-sided (Hestenes) Jacobi
 * in float64 until every column pair is orthogonal to 1e-15.
 *
 * @since 0.1.0
 */
export const singularValuesReference = (d: LinalgData): Float64Array => {
  const n = d.n
  // columns as rows
  const w = f64(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[j * n + i] = d.a[i * n + j]!
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0
        let beta = 0
        let gamma = 0
        for (let i = 0; i < n; i++) {
          const x = w[p * n + i]!
          const y = w[q * n + i]!
          alpha += x * x
          beta += y * y
          gamma += x * y
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const s = c * t
        for (let i = 0; i < n; i++) {
          const x = w[p * n + i]!
          const y = w[q * n + i]!
          w[p * n + i] = c * x - s * y
          w[q * n + i] = s * x + c * y
        }
      }
    }
    if (!rotated) break
  }
  const s = f64(n)
  for (let j = 0; j < n; j++) {
    let t = 0
    for (let i = 0; i < n; i++) t += w[j * n + i]! ** 2
    s[j] = Math.sqrt(t)
  }
  return s.sort().reverse()
}
