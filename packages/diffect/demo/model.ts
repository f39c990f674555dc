/**
 * The classifier: a 4-16-3 tanh MLP whose parameters are a pytree validated by
 * an Effect Schema, and its softmax cross-entropy loss.
 */
import { nn, np, random, Tensor, type TensorSchema } from "diffect"
import { Effect, Schema } from "effect"

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

/** Glorot-normal weights and zero biases (`nn.initializers`), decoded through the schema. */
export const initParams = (key: Tensor): Effect.Effect<Params, Schema.SchemaError> => {
  const keys = random.split(key)
  const glorot = nn.initializers.glorotNormal()
  return Schema.decodeUnknownEffect(Params)({
    w1: glorot(keys.at(0), [4, hidden]),
    b1: np.zeros([hidden]),
    w2: glorot(keys.at(1), [hidden, 3]),
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
