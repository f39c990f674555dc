/**
 * jax.nn against jax/_src/nn/functions.py: the differences a differential sweep found
 * and fixed (the exact GELU's tail, dot_product_attention's sequence lengths, local
 * window and low-rank biases), and edges it pinned (one_hot's out-of-range rows,
 * logsumexp's signs). References: SciPy 1.17.1's values (quoted) and direct float64
 * loops written here from JAX's definitions.
 */
import { assert, describe, it } from "@effect/vitest"
import { DTypeError, nn, np, toJsSync } from "diffect"
import { assertClose, f64, flat } from "./helpers.js"

describe("gelu", () => {
  it("approximate: false is x/2 erfc(-x/sqrt 2), accurate in the negative tail", () => {
    // SciPy 1.17.1: 0.5 * x * erfc(-x / sqrt(2)) at -10, -5, 1
    const y = flat(nn.gelu(f64([-10, -5, 1]), { approximate: false }))
    const expected = [-7.61985302416047e-23, -1.4332578593959663e-06, 0.8413447460685429]
    // relative: 1 + erf(x / sqrt 2) cancels to 0 at -10
    y.forEach((v, i) => assert.isBelow(Math.abs(v / expected[i]! - 1), 1e-13))
  })

  it("float32 keeps the tail too", () => {
    const y = flat(nn.gelu(np.array([-10], { dtype: "float32" }), { approximate: false }))
    assert.isBelow(Math.abs(y[0]! / -7.61985302416047e-23 - 1), 1e-6)
  })
})

describe("oneHot and logsumexp edges", () => {
  it("out-of-range, negative and non-integer classes give zero rows", () => {
    const y = toJsSync(nn.oneHot(np.array([0, 2, -1, 3, 1.5]), 3))
    assert.deepStrictEqual(y, [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
  })

  it("logsumexp with b: a negative sum is NaN, its sign and magnitude with logsumexpWithSign", () => {
    // log|e^0 - 2 e^0| = 0 with sign -1; b = 0 everywhere gives -inf with sign 0 (SciPy 1.17.1)
    assert.isTrue(Number.isNaN(toJsSync(nn.logsumexp(f64([0, 0]), { b: f64([1, -2]) })) as number))
    const [v, s] = nn.logsumexpWithSign(f64([[0, 0], [1, 2]]), { axis: 1, b: f64([[1, -2], [0, 0]]) })
    assert.deepStrictEqual(toJsSync(v), [0, -Infinity])
    assert.deepStrictEqual(toJsSync(s), [-1, 0])
  })
})

// JAX's _dot_product_attention_core for one batch element and head, in float64 (the
// softmax in float32 is below these tolerances): logits q.k * scale + bias, masked to
// -0.7 * float32max, softmax over keys, then the weighted values.
const attentionLoop = (
  q: Array<Array<Array<Array<number>>>>,
  k: Array<Array<Array<Array<number>>>>,
  v: Array<Array<Array<Array<number>>>>,
  keep: (b: number, n: number, t: number, s: number) => boolean,
  bias: (b: number, n: number, t: number, s: number) => number,
  queryValid: (b: number, t: number) => boolean
): Array<Array<Array<Array<number>>>> => {
  const N = q[0]![0]!.length
  const H = q[0]![0]![0]!.length
  const S = k[0]!.length
  const K = k[0]![0]!.length
  const G = N / K
  const scale = 1 / Math.sqrt(H)
  const big = -0.7 * 3.4028234663852886e38
  return q.map((qb, b) =>
    qb.map((qt, t) =>
      qt.map((qn, n) => {
        const kv = Math.floor(n / G)
        const logits = Array.from({ length: S }, (_, s) => {
          const dot = qn.reduce((acc, x, h) => acc + x * k[b]![s]![kv]![h]!, 0) * scale + bias(b, n, t, s)
          return keep(b, n, t, s) ? dot : big
        })
        const m = Math.max(...logits)
        const e = logits.map((l) => Math.exp(l - m))
        const z = e.reduce((a, c) => a + c, 0)
        return Array.from(
          { length: H },
          (_, h) => queryValid(b, t) ? e.reduce((acc, p, s) => acc + (p / z) * v[b]![s]![kv]![h]!, 0) : 0
        )
      })
    )
  )
}

describe("dotProductAttention", () => {
  const B = 2
  const T = 3
  const S = 4
  const N = 4
  const K = 2
  const H = 3
  const fill = (dims: ReadonlyArray<number>, f: (i: number) => number): Array<any> => {
    let i = 0
    const build = (d: number): Array<any> =>
      Array.from({ length: dims[d]! }, () => (d === dims.length - 1 ? f(i++) : build(d + 1)))
    return build(0)
  }
  const q = fill([B, T, N, H], (i) => Math.sin(0.7 * i + 0.1))
  const k = fill([B, S, K, H], (i) => Math.cos(0.3 * i))
  const v = fill([B, S, K, H], (i) => Math.sin(1.3 * i + 2))
  const all = () => true
  const none = () => 0
  const run = (options: nn.AttentionOptions) => toJsSync(nn.dotProductAttention(f64(q), f64(k), f64(v), options))

  it("querySeqLengths and keyValueSeqLengths mask the padding (padded queries output 0)", () => {
    const ql = [2, 3]
    const kl = [1, 4]
    const ref = attentionLoop(q, k, v, (b, _n, t, s) => t < ql[b]! && s < kl[b]!, none, (b, t) => t < ql[b]!)
    const y = run({
      querySeqLengths: np.array(ql, { dtype: "int32" }),
      keyValueSeqLengths: np.array(kl, { dtype: "int32" })
    })
    assertClose(flat(f64(y as never)), flat(f64(ref)), 1e-6)
  })

  it("localWindowSize [left, right] keeps keys t - left <= s <= t + right, with the causal mask", () => {
    const ref = attentionLoop(q, k, v, (_b, _n, t, s) => s >= t - 1 && s <= t + 0 && s <= t, none, all)
    const y = run({ localWindowSize: [1, 0], isCausal: true })
    assertClose(flat(f64(y as never)), flat(f64(ref)), 1e-6)
    // one number is both sides
    const ref2 = attentionLoop(q, k, v, (_b, _n, t, s) => Math.abs(s - t) <= 1, none, all)
    assertClose(flat(f64(run({ localWindowSize: 1 }) as never)), flat(f64(ref2)), 1e-6)
  })

  it("a 2-d bias [T, S] broadcasts over batch and heads (JAX's _ensure_4d)", () => {
    const bias = fill([T, S], (i) => 0.25 * i - 1)
    const ref = attentionLoop(q, k, v, all, (_b, _n, t, s) => bias[t]![s]!, all)
    assertClose(flat(f64(run({ bias: f64(bias) }) as never)), flat(f64(ref)), 1e-6)
  })

  it("sequence lengths must be int32 [B]", () => {
    try {
      nn.dotProductAttention(f64(q), f64(k), f64(v), { querySeqLengths: f64([1, 2]) })
      assert.fail("expected a DTypeError")
    } catch (e) {
      assert.instanceOf(e, DTypeError)
    }
  })
})
