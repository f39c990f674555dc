/**
 * Gamma samples: JAX's `_gamma_one` (Marsaglia and Tsang, with JAX's key
 * splits) for every element at once.
 *
 * @since 0.1.0
 */
import { customJvpCall, lax, np, Shape } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { checkKey, partitionable, shapeOf } from "./keys.js"
import type { ShapeLike } from "./keys.js"
import { whileLoop } from "./loops.js"
import { asFloat, normalFromFloats, unitFloatsBatch } from "./sampling.js"
import type { FloatDType } from "./sampling.js"
import * as threefry from "./threefry.js"

type TensorLike = np.TensorLike

// The per-element rejection loops run at most this many rounds under a transformation.
const MAX_TRACED_ROUNDS = 16

// JAX's `_gamma_one` for every element at once: keys [n, 2], alphas [n].
export const gammaBatch = (keys: Tensor, alpha: Tensor, logSpace: boolean): Tensor => {
  const n = alpha.shape[0]!
  const dtype = alpha.dtype as FloatDType
  const c = (v: number) => lax.full([n], v, dtype)
  const boostMask = lax.ge(alpha, c(1))
  const alphaOrig = alpha
  const a = lax.select(boostMask, alpha, lax.add(alpha, c(1)))
  const d = lax.sub(a, c(1 / 3))
  const cc = lax.div(c(1 / 3), lax.sqrt(d))
  const split2 = threefry.splitBatch(keys, 2, partitionable())
  const at = (ks: Tensor, i: number) => lax.reshape(lax.slice(ks, [0, i, 0], [n, i + 1, 2], null), [n, 2])
  const loopKey = at(split2, 0)
  const subkey = at(split2, 1)
  const normalBatch = (ks: Tensor) => normalFromFloats(unitFloatsBatch(ks, dtype), dtype)
  const cond = ([, X, V, U]: ReadonlyArray<Tensor>) =>
    lax.and(
      lax.ge(U!, lax.sub(c(1), lax.mul(c(0.0331), lax.mul(X!, X!)))),
      lax.ge(lax.log(U!), lax.add(lax.mul(X!, c(0.5)), lax.mul(d, lax.add(lax.sub(c(1), V!), lax.log(V!)))))
    )
  const body = ([key]: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const three = threefry.splitBatch(key!, 3, partitionable())
    const [next, xKey, uKey] = [at(three, 0), at(three, 1), at(three, 2)]
    const [, x, v] = whileLoop(
      ([, , vv]) => lax.le(vv!, c(0)),
      ([kk]) => {
        const two = threefry.splitBatch(kk!, 2, partitionable())
        const xx = normalBatch(at(two, 1))
        return [at(two, 0), xx, lax.add(c(1), lax.mul(xx, cc))]
      },
      [xKey, c(0), c(-1)],
      MAX_TRACED_ROUNDS
    )
    const U = unitFloatsBatch(uKey, dtype)
    return [next, lax.mul(x!, x!), lax.mul(lax.mul(v!, v!), v!), U]
  }
  const [, , V] = whileLoop(cond, body, [loopKey, c(0), c(1), c(2)], MAX_TRACED_ROUNDS)
  if (logSpace) {
    const logSamples = lax.neg(lax.neg(lax.log1p(lax.neg(unitFloatsBatch(subkey, dtype)))))
    const logBoost = lax.select(
      lax.or(boostMask, lax.eq(logSamples, c(0))),
      c(0),
      lax.mul(logSamples, lax.div(c(1), alphaOrig))
    )
    return lax.add(lax.add(lax.log(d), lax.log(V!)), logBoost)
  }
  const samples = lax.sub(c(1), unitFloatsBatch(subkey, dtype))
  const boost = lax.select(boostMask, c(1), lax.pow(samples, lax.div(c(1), alphaOrig)))
  return lax.mul(lax.mul(d, V!), boost)
}

export const gammaImpl = (
  operation: string,
  key: Tensor,
  a: TensorLike,
  shape: ShapeLike | undefined,
  dtype: FloatDType,
  logSpace: boolean
): Tensor => {
  checkKey(operation, key)
  const at = asFloat(a, dtype)
  const s = shape === undefined ? at.shape : shapeOf(operation, shape)
  const alphas = np.broadcastTo(at, s)
  const n = Shape.sizeOf(s)
  if (n === 0) return np.zeros(s, { dtype })
  // JAX splits the key into one key per element, then runs `_gamma_one` on each.
  const keys = threefry.split(key, [n], partitionable())
  return lax.reshape(reparameterized(keys, lax.reshape(alphas, [n]), logSpace), s)
}

// JAX's `_gamma_grad`: the sample's tangent is the alpha tangent times `random_gamma_grad(a, x)`
// (the implicit reparameterization gradient: d x / d a at the sample's fixed quantile), divided
// by the sample in log space, where a zero sample counts as the dtype's smallest normal.
const reparameterized = (keys: Tensor, alphas: Tensor, logSpace: boolean): Tensor =>
  customJvpCall({
    name: logSpace ? "loggamma" : "gamma",
    f: ([k, a]) => [gammaBatch(k!, a!, logSpace)],
    jvp: ([k, a], [, da]) => {
      const out = gammaBatch(k!, a!, logSpace)
      if (!logSpace) return [[out], [lax.mul(da!, lax.randomGammaGrad(a!, out))]]
      const tiny = lax.full(out.shape, out.dtype === "float64" ? 2 ** -1022 : 2 ** -126, out.dtype)
      const e = lax.exp(out)
      const x = lax.select(lax.eq(e, lax.zerosLike(e)), tiny, e)
      return [[out], [lax.mul(da!, lax.div(lax.randomGammaGrad(a!, x), x))]]
    }
  }, [keys, alphas])[0]!
