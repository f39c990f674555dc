/**
 * jax.nn: values against float64 formulas and JAX's documented outputs, custom
 * derivatives at the kinks (JAX's relu'(0) = 0), gradients against float64 central
 * differences at random points (fast-check), and vmap against a loop.
 */
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, AxisError, grad, jvp, nn, np, runSync, ShapeError, UnboundAxisError, vmap } from "diffect"
import type { Tensor } from "diffect"
import * as fc from "fast-check"
import { assertClose, assertVmapMatchesLoop, f64, finiteGradient, flat, gradient } from "./helpers.js"

const xs = [-3, -1.5, -0.25, 0, 0.25, 1.5, 3]
const sig = (x: number) => 1 / (1 + Math.exp(-x))
const softplusRef = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
// erf to double precision (Abramowitz-Stegun 7.1.26 is too coarse): series for |x| < 3.
const erfRef = (x: number) => {
  let sum = 0
  let term = x
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1)
    term *= -x * x / (n + 1)
  }
  return (2 / Math.sqrt(Math.PI)) * sum
}
const SELU_A = 1.6732632423543772
const SELU_L = 1.0507009873554805

// Each activation with its float64 formula.
const elementwise: ReadonlyArray<readonly [string, (x: Tensor) => Tensor, (x: number) => number]> = [
  ["relu", nn.relu, (x) => Math.max(x, 0)],
  ["relu6", nn.relu6, (x) => Math.min(Math.max(x, 0), 6)],
  ["sigmoid", nn.sigmoid, sig],
  ["softplus", nn.softplus, (x) => Math.log(1 + Math.exp(x))],
  ["logSigmoid", nn.logSigmoid, (x) => Math.log(sig(x))],
  ["softSign", nn.softSign, (x) => x / (Math.abs(x) + 1)],
  ["silu", nn.silu, (x) => x * sig(x)],
  ["swish", nn.swish, (x) => x * sig(x)],
  ["mish", nn.mish, (x) => x * Math.tanh(softplusRef(x))],
  ["elu", (x) => nn.elu(x), (x) => (x > 0 ? x : Math.expm1(x))],
  ["elu alpha 2", (x) => nn.elu(x, { alpha: 2 }), (x) => (x > 0 ? x : 2 * Math.expm1(x))],
  ["selu", nn.selu, (x) => SELU_L * (x > 0 ? x : SELU_A * Math.expm1(x))],
  ["celu alpha 2", (x) => nn.celu(x, { alpha: 2 }), (x) => Math.max(x, 0) + 2 * Math.expm1(Math.min(x, 0) / 2)],
  ["leakyRelu", (x) => nn.leakyRelu(x), (x) => (x >= 0 ? x : 0.01 * x)],
  ["leakyRelu 0.2", (x) => nn.leakyRelu(x, { negativeSlope: 0.2 }), (x) => (x >= 0 ? x : 0.2 * x)],
  ["hardTanh", nn.hardTanh, (x) => Math.min(Math.max(x, -1), 1)],
  ["hardSigmoid", nn.hardSigmoid, (x) => Math.min(Math.max(x + 3, 0), 6) / 6],
  ["hardSilu", nn.hardSilu, (x) => x * Math.min(Math.max(x + 3, 0), 6) / 6],
  ["gelu tanh", (x) => nn.gelu(x), (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  ["gelu exact", (x) => nn.gelu(x, { approximate: false }), (x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2))],
  ["tanh", nn.tanh, Math.tanh],
  ["identity", nn.identity, (x) => x],
  ["squareplus", (x) => nn.squareplus(x), (x) => (x + Math.sqrt(x * x + 4)) / 2],
  ["squareplus b 1", (x) => nn.squareplus(x, { b: 1 }), (x) => (x + Math.sqrt(x * x + 1)) / 2],
  ["sparsePlus", nn.sparsePlus, (x) => (x <= -1 ? 0 : x >= 1 ? x : (x + 1) ** 2 / 4)],
  ["sparseSigmoid", nn.sparseSigmoid, (x) => Math.min(Math.max((x + 1) / 2, 0), 1)]
]

// Points away from the kinks, for finite differences.
const smooth = fc.double({ min: -4, max: 4, noNaN: true }).filter((x) =>
  [0, 6, -3, 3, 1, -1].every((k) => Math.abs(x - k) > 1e-3)
)

describe("activations", () => {
  for (const [name, f, ref] of elementwise) {
    it(`${name}: float64 values match the formula`, () => {
      assertClose(f(f64(xs)), xs.map(ref), 2e-15)
    })
    it(`${name}: grad matches float64 central differences`, () => {
      fc.assert(
        fc.property(smooth, (x) => {
          const g = gradient((t) => np.sum(f(t)), [x], [1])[0]!
          const fd = finiteGradient((t) => np.sum(f(t)), [x], [1])[0]!
          return Close.isClose(g, fd, { rtol: 1e-6, atol: 1e-6, equalNan: false })
        }),
        { numRuns: 30 }
      )
    })
  }

  it("log1mexp: log(1 - e^-x) without cancellation on both sides of log 2; its gradient 1 / expm1(x)", () => {
    const x = [1e-12, 1e-3, 0.5, Math.LN2, 0.7, 5, 40]
    // float64 references: log(-expm1(-x)) is exact to rounding everywhere (expm1 and log are correctly rounded in V8)
    assertClose(nn.log1mexp(f64(x)), x.map((v) => Math.log(-Math.expm1(-v))), 1e-15)
    assertClose(gradient((t) => np.sum(nn.log1mexp(t)), x, [x.length]), x.map((v) => 1 / Math.expm1(v)), 1e-12)
  })

  it("log1mexp's gradient near 0 is JAX's custom JVP g / expm1(x): inf at 0, 1e30 at 1e-30 (not NaN)", () => {
    // JAX: log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x)); the untaken branch log1p(-exp(-x))
    // is log1p(-1) = -inf there, so the chain rule through jnp.where would give 0 * inf = NaN
    const g = gradient((t) => np.sum(nn.log1mexp(t)), [0, 1e-30, 1e-200], [3])
    assert.strictEqual(g[0], Infinity)
    assertClose(g.slice(1), [1e30, 1e200], 1e-15)
    const g32 = flat(runSync(grad((t: Tensor) => np.sum(nn.log1mexp(t)))(np.array([1e-10]))) as Tensor)
    assertClose(g32, [1e10], 1e-6)
  })

  it("logmeanexp: log of the mean of exp, over axes and where", () => {
    const x = [[0, 1, 2], [3, -1, 0.5]]
    const ref = (row: Array<number>) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0) / row.length)
    assertClose(nn.logmeanexp(f64(x), { axis: 1 }), x.map(ref), 1e-15)
    assertClose(nn.logmeanexp(f64(x)), [ref(x.flat())], 1e-15)
    const where = np.array([[true, false, true], [true, true, false]])
    assertClose(nn.logmeanexp(f64(x), { axis: 1, where }), [ref([0, 2]), ref([3, -1])], 1e-15)
  })

  it("JAX's documented outputs (jax.nn docstrings)", () => {
    // jax.nn.relu([-2., -1., -0.5, 0, 0.5, 1., 2.]) -> [0., 0., 0., 0., 0.5, 1., 2.]
    assertClose(nn.relu(np.array([-2, -1, -0.5, 0, 0.5, 1, 2])), [0, 0, 0, 0, 0.5, 1, 2], 0)
    // jax.nn.one_hot(jnp.array([0, 1, 2]), 3) is the identity; [-1, 3] encode as zeros
    assertClose(nn.oneHot(np.array([0, 1, 2], { dtype: "int32" }), 3), [1, 0, 0, 0, 1, 0, 0, 0, 1], 0)
    assertClose(nn.oneHot(np.array([-1, 3], { dtype: "int32" }), 3), [0, 0, 0, 0, 0, 0], 0)
  })

  it("relu and hardTanh keep an integer dtype (JAX's weak int constants); bool becomes int32", () => {
    const i = np.array([-2, 0, 3, 7], { dtype: "int32" })
    const r = nn.relu(i)
    assert.strictEqual(r.dtype, "int32")
    assert.strictEqual(r.weakType, false)
    assertClose(r, [0, 0, 3, 7], 0)
    const h = nn.hardTanh(i)
    assert.strictEqual(h.dtype, "int32")
    assertClose(h, [-1, 0, 1, 1], 0)
    const u = nn.hardTanh(np.array([0, 1, 5], { dtype: "uint32" }))
    assert.strictEqual(u.dtype, "uint32")
    assertClose(u, [0, 1, 1], 0)
    assert.strictEqual(nn.relu(np.array([true, false])).dtype, "int32")
    // floats are unchanged, float64 included
    assert.strictEqual(nn.relu(f64([-1, 2])).dtype, "float64")
    assertClose(nn.hardTanh(f64([-2, 0.5, 3])), [-1, 0.5, 1], 0)
  })

  it("relu and relu6 have JAX's derivative 0 at their kinks", () => {
    assertClose(runSync(grad((x: Tensor) => np.sum(nn.relu(x)))(f64([-1, 0, 1]))), [0, 0, 1], 0)
    assertClose(runSync(grad((x: Tensor) => np.sum(nn.relu6(x)))(f64([0, 3, 6, 7]))), [0, 1, 0, 0], 0)
    const [, t] = runSync(jvp((x: Tensor) => nn.relu(x), [f64([0, 2])], [f64([5, 5])]))
    assertClose(t as Tensor, [0, 5], 0)
  })

  it("softplus and logSigmoid stay finite far out, with sigmoid as softplus' derivative at 0", () => {
    assertClose(nn.softplus(f64([-800, 800])), [0, 800], 0)
    assertClose(nn.logSigmoid(f64([-800])), [-800], 0)
    assertClose(runSync(grad((x: Tensor) => np.sum(nn.softplus(x)))(f64([0]))), [0.5], 0)
    // float32 too: exp(100) overflows, the result does not
    assertClose(nn.softplus(np.array([100])), [100], 0)
  })

  it("elu's gradient is finite for large x (exp is taken of min(x, 0) only)", () => {
    assertClose(runSync(grad((x: Tensor) => np.sum(nn.elu(x)))(np.array([1000]))), [1], 0)
  })

  it("glu halves the axis; an odd size is a ShapeError", () => {
    assertClose(nn.glu(f64([[1, 2, 0, 3]])), [1 * sig(0), 2 * sig(3)], 1e-15)
    assertClose(nn.glu(f64([[1, 2], [0, 3]]), { axis: 0 }), [1 * sig(0), 2 * sig(3)], 1e-15)
    assert.throws(() => nn.glu(f64([1, 2, 3])), ShapeError)
  })

  it("batching: vmap of each activation equals a loop over rows", () => {
    const batch = f64([[-2, 0.5, 3], [1, -0.25, 0]])
    for (const [, f] of elementwise) assertVmapMatchesLoop(f, batch)
    assertVmapMatchesLoop((x) => nn.glu(x), f64([[1, 2, 0, 3], [-1, 0.5, 2, -2]]))
  })
})

const softmaxRef = (row: ReadonlyArray<number>) => {
  const m = Math.max(...row)
  const e = row.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

const logSoftmaxRef = (row: ReadonlyArray<number>) => {
  const m = Math.max(...row)
  const lse = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0))
  return row.map((v) => v - m - lse)
}

describe("softmax, logSoftmax, logsumexp", () => {
  it("values match float64 formulas along the last axis, and over all axes", () => {
    const rows = [[1, 2, 3], [1000, 1000, -1000]]
    assertClose(nn.softmax(f64(rows)), rows.flatMap(softmaxRef), 1e-15)
    assertClose(nn.logSoftmax(f64(rows)), rows.flatMap(logSoftmaxRef), 1e-14)
    // columns [1, 1000], [2, 1000], [3, -1000]: exp(-999) and exp(-998) underflow against 1
    assertClose(nn.softmax(f64(rows), { axis: 0 }), [0, 0, 1, 1, 1, 0], 1e-15)
    assertClose(nn.softmax(f64([[0, 0], [0, 0]]), { axis: null }), [0.25, 0.25, 0.25, 0.25], 1e-15)
  })

  it("where: masked elements are 0 (softmax) and -inf (logSoftmax), the rest renormalize", () => {
    const x = f64([1, 2, 3])
    const where = np.array([true, false, true])
    const ref = softmaxRef([1, 3])
    assertClose(nn.softmax(x, { where }), [ref[0]!, 0, ref[1]!], 1e-15)
    assertClose(nn.logSoftmax(x, { where }), [Math.log(ref[0]!), -Infinity, Math.log(ref[1]!)], 1e-14)
  })

  it("initial bounds the subtracted maximum from below", () => {
    // exp(x - max(max(x), initial)): the same normalized result, computed with another shift.
    assertClose(nn.softmax(f64([-50, -51]), { initial: 0 }), softmaxRef([-50, -51]), 1e-12)
  })

  it("+inf input gives NaN, as in JAX", () => {
    assert.isTrue(flat(nn.softmax(f64([Infinity, 0]))).some(Number.isNaN))
  })

  it("softmax's custom JVP equals y * (t - <y, t>) and agrees with finite differences", () => {
    const x = f64([0.5, -1, 2])
    const t = f64([1, 2, -1])
    const [, tOut] = runSync(jvp((a: Tensor) => nn.softmax(a), [x], [t]))
    const y = softmaxRef([0.5, -1, 2])
    const yt = y[0]! * 1 + y[1]! * 2 + y[2]! * -1
    assertClose(tOut as Tensor, y.map((v, i) => v * ([1, 2, -1][i]! - yt)), 1e-15)
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), (p) => {
        const w = [0.3, -1.2, 2]
        const f = (a: Tensor) => np.sum(np.multiply(nn.softmax(a), f64(w)))
        const g = gradient(f, p, [3])
        const fd = finiteGradient(f, p, [3])
        const h = (a: Tensor) => np.sum(np.multiply(nn.logSoftmax(a), f64(w)))
        const gl = gradient(h, p, [3])
        const fdl = finiteGradient(h, p, [3])
        return g.every((v, i) => Math.abs(v - fd[i]!) < 1e-7) && gl.every((v, i) => Math.abs(v - fdl[i]!) < 1e-7)
      }),
      { numRuns: 25 }
    )
  })

  it("softmax with where: the gradient through masked entries is 0", () => {
    const where = np.array([true, false, true])
    const g = runSync(grad((a: Tensor) => np.index(nn.softmax(a, { where }), 0))(f64([1, 2, 3])))
    const y = softmaxRef([1, 3])
    assertClose(g, [y[0]! * (1 - y[0]!), 0, -y[0]! * y[1]!], 1e-15)
  })

  it("logsumexp: stable, with b, where, keepdims and the sign", () => {
    assertClose(nn.logsumexp(f64([1000, 1000])), [1000 + Math.LN2], 1e-15)
    assertClose(nn.logsumexp(f64([[0, Math.log(3)], [1, 1]]), { axis: 1 }), [Math.log(4), 1 + Math.LN2], 1e-15)
    assertClose(nn.logsumexp(f64([0, 0]), { b: f64([2, 3]) }), [Math.log(5)], 1e-15)
    assert.isNaN(flat(nn.logsumexp(f64([0, 0]), { b: f64([1, -2]) }))[0]!)
    const [out, sign] = nn.logsumexpWithSign(f64([0, 0]), { b: f64([1, -2]) })
    assertClose(out, [0], 1e-15)
    assertClose(sign, [-1], 0)
    assertClose(nn.logsumexp(f64([1, 50, 2]), { where: np.array([true, false, true]) }), [
      Math.log(Math.E + Math.E ** 2)
    ], 1e-15)
    assert.deepStrictEqual(nn.logsumexp(f64([[1, 2]]), { axis: 1, keepdims: true }).shape, [1, 1])
    assertClose(nn.logsumexp(f64([-Infinity, -Infinity])), [-Infinity], 0)
  })

  it("batching: vmap(softmax), vmap(logSoftmax) equal loops", () => {
    const batch = f64([[1, 2, 3], [0, -5, 5]])
    assertVmapMatchesLoop((x) => nn.softmax(x), batch)
    assertVmapMatchesLoop((x) => nn.logSoftmax(x), batch)
    assertVmapMatchesLoop((x) => nn.logsumexp(x), batch)
    assertVmapMatchesLoop((x) => nn.standardize(x), batch)
  })
})

describe("standardize and oneHot", () => {
  it("standardize: fast and stable variance, given mean/variance, where", () => {
    const x = [1, 2, 3, 6]
    const m = 3
    const v = (4 + 1 + 0 + 9) / 4
    const ref = x.map((a) => (a - m) / Math.sqrt(v + 1e-5))
    assertClose(nn.standardize(f64(x)), ref, 1e-14)
    assertClose(nn.standardize(f64(x), { algorithm: "stable" }), ref, 1e-14)
    assertClose(nn.standardize(f64(x), { mean: 0, variance: 1, epsilon: 0 }), x, 1e-15)
    const w = np.array([true, true, true, false])
    const vw = (1 + 0 + 1) / 3
    assertClose(nn.standardize(f64(x), { where: w, epsilon: 0 }), x.map((a) => (a - 2) / Math.sqrt(vw)), 1e-14)
    assert.throws(() => nn.standardize(f64(x), { algorithm: "slow" as "fast" }), ShapeError)
  })

  it("oneHot: axis, dtype, and a bad class count", () => {
    const t = nn.oneHot(np.array([1, 0], { dtype: "int32" }), 3, { axis: 0, dtype: "int32" })
    assert.strictEqual(t.dtype, "int32")
    assert.deepStrictEqual(t.shape, [3, 2])
    assertClose(t, [0, 1, 1, 0, 0, 0], 0)
    assert.throws(() => nn.oneHot(np.array([1]), -1), ShapeError)
  })

  it("oneHot with a named axis: x == axisIndex(axis), the axis' size must be numClasses (JAX's _one_hot)", () => {
    const x = np.array([0, 1, 2], { dtype: "int32" })
    // instance i compares x[i] with i
    const diag = runSync(vmap((a: Tensor) => nn.oneHot(a, 3, { axis: "i" }), { axisName: "i" })(x)) as Tensor
    assert.strictEqual(diag.dtype, "float32")
    assertClose(diag, [1, 1, 1], 0)
    // the whole x in every instance: row i is (x == i), the transposed encoding
    const rows = runSync(
      vmap((a: Tensor) => nn.oneHot(a, 3, { axis: "i", dtype: "int32" }), { axisName: "i", inAxes: null, axisSize: 3 })(
        np.array([0, 2, 5], { dtype: "int32" })
      )
    ) as Tensor
    assert.strictEqual(rows.dtype, "int32")
    assertClose(rows, [1, 0, 0, 0, 0, 0, 0, 1, 0], 0)
    assert.throws(
      () => runSync(vmap((a: Tensor) => nn.oneHot(a, 4, { axis: "i" }), { axisName: "i" })(x)),
      /oneHot: Expected num_classes to match the size of axis i, but 4 != 3/
    )
    assert.throws(() => nn.oneHot(x, 3, { axis: "j" }), UnboundAxisError)
    assert.throws(() => nn.oneHot(x, 3, { axis: true as never }), ArgumentError)
  })
})

// Attention in float64 by loops: out[b,t,n,:] = sum_s p[s] v[b,s,n/G,:].
const attentionRef = (
  q: Array<Array<Array<Array<number>>>>,
  k: Array<Array<Array<Array<number>>>>,
  v: Array<Array<Array<Array<number>>>>,
  opts: {
    causal?: boolean
    mask?: (b: number, n: number, t: number, s: number) => boolean
    bias?: (b: number, n: number, t: number, s: number) => number
    /** Filled with the logsumexp of each [b, t, n] row of logits. */
    lse?: Array<number>
  }
) => {
  const B = q.length, T = q[0]!.length, N = q[0]![0]!.length, H = q[0]![0]![0]!.length
  const S = k[0]!.length, K = k[0]![0]!.length, G = N / K
  const out: Array<number> = []
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let n = 0; n < N; n++) {
        const kn = Math.floor(n / G)
        const logits = Array.from({ length: S }, (_, s) => {
          let d = 0
          for (let h = 0; h < H; h++) d += q[b]![t]![n]![h]! * k[b]![s]![kn]![h]!
          d /= Math.sqrt(H)
          if (opts.bias) d += opts.bias(b, n, t, s)
          const keep = (opts.mask?.(b, n, t, s) ?? true) && (!opts.causal || s <= t)
          return keep ? d : -0.7 * 3.4028234663852886e38
        })
        const p = softmaxRef(logits)
        const m = Math.max(...logits)
        opts.lse?.push(m + Math.log(logits.reduce((acc, l) => acc + Math.exp(l - m), 0)))
        for (let h = 0; h < H; h++) out.push(p.reduce((acc, pv, s) => acc + pv * v[b]![s]![kn]![h]!, 0))
      }
    }
  }
  return out
}

const randomArray = (shape: ReadonlyArray<number>, seed: number): any => {
  let state = seed
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state / 2147483648) * 2 - 1
  }
  const build = (
    d: number
  ): any => (d === shape.length ? next() : Array.from({ length: shape[d]! }, () => build(d + 1)))
  return build(0)
}

describe("dotProductAttention", () => {
  const q = randomArray([2, 3, 4, 2], 1)
  const k = randomArray([2, 5, 2, 2], 2)
  const v = randomArray([2, 5, 2, 2], 3)
  it("plain, grouped-query (N = 4 query heads over K = 2): float32 matches the float64 loop", () => {
    const out = nn.dotProductAttention(np.array(q), np.array(k), np.array(v))
    assert.deepStrictEqual(out.shape, [2, 3, 4, 2])
    assertClose(out, attentionRef(q, k, v, {}), 1e-6)
  })
  it("causal, mask and bias", () => {
    const maskArr = randomArray([2, 1, 3, 5], 4).map((b: any) =>
      b.map((n: any) => n.map((t: any) => t.map((x: number) => x > -0.5)))
    )
    const biasArr = randomArray([2, 4, 3, 5], 5)
    const out = nn.dotProductAttention(np.array(q), np.array(k), np.array(v), {
      isCausal: true,
      mask: np.array(maskArr),
      bias: np.array(biasArr)
    })
    const ref = attentionRef(q, k, v, {
      causal: true,
      mask: (b, _n, t, s) => maskArr[b][0][t][s],
      bias: (b, n, t, s) => biasArr[b][n][t][s]
    })
    assertClose(out, ref, 1e-6)
  })
  it("without a batch dimension, and shape errors", () => {
    const out = nn.dotProductAttention(np.array(q[0]), np.array(k[0]), np.array(v[0]))
    assert.deepStrictEqual(out.shape, [3, 4, 2])
    assertClose(out, attentionRef([q[0]], [k[0]], [v[0]], {}), 1e-6)
    assert.throws(
      () => nn.dotProductAttention(np.ones([1, 2, 3, 2]), np.ones([1, 2, 2, 2]), np.ones([1, 2, 2, 2])),
      ShapeError
    )
    assert.throws(
      () => nn.dotProductAttention(np.ones([1, 2, 2, 3]), np.ones([1, 2, 2, 2]), np.ones([1, 2, 2, 2])),
      ShapeError
    )
  })
  it("gradient with respect to the query matches float64 finite differences", () => {
    const f = (qq: Tensor) => np.sum(np.square(nn.dotProductAttention(qq, f64(k[0]), f64(v[0]))))
    const p = (q[0] as Array<Array<Array<number>>>).flat(2)
    // The softmax runs in float32 as in JAX, so the comparison is at float32 precision.
    const g = gradient(f, p, [3, 4, 2])
    const fd = finiteGradient(f, p, [3, 4, 2], 1e-3)
    assertClose(g, fd, 1e-4)
  })
  it("batching: vmap over the batch equals a loop", () => {
    assertVmapMatchesLoop(
      (qq) => nn.dotProductAttention(qq, np.array(k[0]), np.array(v[0]), { isCausal: true }),
      np.array(q),
      1e-6
    )
  })
  it("returnResidual: [out, logsumexp of the masked logits] with lse [B, T, N] ([T, N] for 3-D), a constant", () => {
    const lse: Array<number> = []
    const ref = attentionRef(q, k, v, { causal: true, lse })
    const [out, residual] = nn.dotProductAttention(np.array(q), np.array(k), np.array(v), {
      isCausal: true,
      returnResidual: true
    })
    assertClose(out, ref, 1e-6)
    assert.deepStrictEqual(residual.shape, [2, 3, 4])
    assert.strictEqual(residual.dtype, "float32")
    assertClose(residual, lse, 1e-6)
    const lse0: Array<number> = []
    attentionRef([q[0]], [k[0]], [v[0]], { lse: lse0 })
    const [, r3] = nn.dotProductAttention(f64(q[0]), f64(k[0]), f64(v[0]), { returnResidual: true })
    assert.deepStrictEqual(r3.shape, [3, 4])
    assert.strictEqual(r3.dtype, "float64")
    assertClose(r3, lse0, 1e-6)
    // JAX's lax.stop_gradient on the residual
    const g = runSync(
      grad((qq: Tensor) => np.sum(nn.dotProductAttention(qq, f64(k[0]), f64(v[0]), { returnResidual: true })[1]))(
        f64(q[0])
      )
    ) as Tensor
    assertClose(g, Array.from({ length: 24 }, () => 0), 0)
    assert.strictEqual(nn.dotProductAttention(np.array(q), np.array(k), np.array(v), { returnResidual: false }).ndim, 4)
  })
  it("implementation: \"xla\" and undefined are the one backend; \"cudnn\" is refused clearly", () => {
    const plain = flat(nn.dotProductAttention(np.array(q), np.array(k), np.array(v)))
    assertClose(nn.dotProductAttention(np.array(q), np.array(k), np.array(v), { implementation: "xla" }), plain, 0)
    assert.throws(
      () => nn.dotProductAttention(np.array(q), np.array(k), np.array(v), { implementation: "cudnn" as never }),
      /dotProductAttention: implementation must be "xla" or undefined .*got the string "cudnn"/
    )
  })
  it("an option the function does not take is an ArgumentError, not silently the default", () => {
    type Any = never
    const x = np.array([[1, 2], [3, 4]])
    // `{ axes: 0 }` was ignored: a softmax over the last axis
    assert.throws(() => nn.softmax(x, { axes: 0 } as Any), /softmax: options .*unknown key "axes"/)
    assert.throws(() => nn.gelu(x, { approx: false } as Any), /gelu: .*"approx"/)
    assert.throws(() => nn.logsumexp(x, { axes: 0 } as Any), /logsumexp: .*"axes"/)
    assert.throws(() => nn.standardize(x, { eps: 1 } as Any), /standardize: .*"eps"/)
    assert.throws(() => nn.leakyRelu(x, 0.2 as Any), /leakyRelu: options .*the number 0.2/)
    assert.throws(() => nn.oneHot(np.array([0], { dtype: "int32" }), 3, { dtyp: "float64" } as Any), /oneHot: .*"dtyp"/)
  })
  it("an axis that is not an integer, an array of them or null is an ArgumentError naming axis (was a TypeError)", () => {
    type Any = never
    const x = np.array([[1, 2, 3, 4], [3, 4, 5, 6]])
    for (const axis of ["0", {}, ["a"], [0, 1.5], true]) {
      const bad = { axis } as Any
      // `axis.map is not a function` before
      assert.throws(() => nn.softmax(x, bad), ArgumentError)
      assert.throws(() => nn.logSoftmax(x, bad), /logSoftmax: axis must be an integer, an array of integers or null/)
      assert.throws(() => nn.standardize(x, bad), /standardize: axis must be/)
      assert.throws(() => nn.glu(x, bad), /glu: axis must be an integer/)
    }
    assert.throws(() => nn.softmax(x, { axis: "0" } as Any), /softmax: axis .*got the string "0"/)
    assert.throws(() => nn.softmax(x, { axis: [0, "1"] } as Any), /got an array whose element 1 is the string "1"/)
    // glu splits one axis, as JAX's x.shape[axis]: an array took its first entry
    assert.throws(() => nn.glu(x, { axis: [0, 1] } as Any), /glu: axis must be an integer, got an array of length 2/)
    assert.throws(() => nn.glu(x, { axis: 2 }), AxisError)
    // valid axes are unchanged
    assert.deepStrictEqual(nn.softmax(x, { axis: [0, 1] }).shape, [2, 4])
    assert.deepStrictEqual(nn.softmax(x, { axis: null }).shape, [2, 4])
    assert.deepStrictEqual(nn.glu(x, { axis: 0 }).shape, [1, 4])
  })
  it("squareplus takes { b } (JAX's squareplus(x, b=4)): a positional b or a misspelt key is an ArgumentError", () => {
    type Any = never
    const x = np.array([0, 1.5])
    // both gave the b = 4 result
    assert.throws(() => nn.squareplus(x, 1 as Any), /squareplus: options must be an options object \(\{ b \}\)/)
    assert.throws(() => nn.squareplus(x, { B: 1 } as Any), /squareplus: .*unknown key "B"/)
    assert.throws(() => nn.squareplus(x, { b: "1" } as Any), /squareplus: b must be a number or an array/)
    assertClose(flat(nn.squareplus(x, { b: 1 })), [0.5, (1.5 + Math.sqrt(1.5 ** 2 + 1)) / 2], 1e-6)
  })
})
