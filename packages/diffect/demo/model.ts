/**
 * The classifier: a 4-16-3 tanh MLP whose parameters are a pytree validated by
 * an Effect Schema, and its softmax cross-entropy loss.
 */
import { np, Tensor, type TensorSchema } from "diffect"
import { Effect, Schema } from "effect"
import { rng } from "./data.js"

export const hidden = 16

/** The parameters' schema: shapes and dtypes are checked when they are decoded. */
export const Params: Schema.Struct<{
  readonly w1: TensorSchema.TensorSchema
  readonly b1: TensorSchema.TensorSchema
  readonly w2: TensorSchema.TensorSchema
  readonly b2: TensorSchema.TensorSchema
}> = Schema.Struct({
  w1: Tensor.schema({ dtype: "float32", shape: [4, hidden] }),
  b1: Tensor.schema({ dtype: "float32", shape: [hidden] }),
  w2: Tensor.schema({ dtype: "float32", shape: [hidden, 3] }),
  b2: Tensor.schema({ dtype: "float32", shape: [3] })
})
export type Params = typeof Params.Type

const normal = (next: () => number, n: number, std: number): Float32Array => {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    // Box-Muller; 1 - u keeps the logarithm finite.
    out[i] = std * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
  }
  return out
}

/** Glorot-style initial parameters, decoded through the schema. */
export const initParams = (seed: number): Effect.Effect<Params, Schema.SchemaError> => {
  const next = rng(seed)
  return Schema.decodeUnknownEffect(Params)({
    w1: np.array(normal(next, 4 * hidden, Math.sqrt(2 / (4 + hidden)))).reshape([4, hidden]),
    b1: np.zeros([hidden]),
    w2: np.array(normal(next, hidden * 3, Math.sqrt(2 / (hidden + 3)))).reshape([hidden, 3]),
    b2: np.zeros([3])
  })
}

/** Logits for a batch `x: f32[n, 4]`. */
export const logits = (p: Params, x: Tensor): Tensor => np.tanh(x.matmul(p.w1).add(p.b1)).matmul(p.w2).add(p.b2)

/** Mean softmax cross-entropy against one-hot labels `y: f32[n, 3]`. */
export const loss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const z = logits(p, x)
  const logp = z.sub(np.logsumexp(z, { axis: 1, keepdims: true }))
  return logp.mul(y).sum({ axis: 1 }).mean().neg()
}

/** Predicted class per row. */
export const predict = (p: Params, x: Tensor): Tensor => np.argmax(logits(p, x), { axis: 1 })
