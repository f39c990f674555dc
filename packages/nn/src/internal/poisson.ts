/**
 * Poisson samples: JAX's `_poisson` (Knuth below 10, transformed rejection
 * above), as whole-array rejection loops.
 *
 * @since 0.1.0
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { splitN } from "./keys.js"
import { whileLoop } from "./loops.js"
import { uniformImpl } from "./sampling.js"

// log Gamma(x) for x >= 1 (Lanczos, g = 7, n = 9: ~1e-15 relative in float64).
const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7
]
const lgamma = (x: Tensor): Tensor => {
  const z = np.subtract(x, 1)
  let acc: Tensor = np.fullLike(z, LANCZOS[0]!)
  for (let i = 1; i < 9; i++) acc = np.add(acc, np.divide(LANCZOS[i]!, np.add(z, i)))
  const t = np.add(z, 7.5)
  return np.add(
    np.add(0.5 * Math.log(2 * Math.PI), np.multiply(np.add(z, 0.5), np.log(t))),
    np.subtract(np.log(acc), t)
  )
}

/** Poisson samples of rates `l` (float32, shape `s`), int32. @since 0.1.0 */
export const poissonSample = (key: Tensor, l: Tensor, s: ReadonlyArray<number>): Tensor => {
  const useKnuth = np.logicalOr(np.isnan(l), np.less(l, 10))
  const lamKnuth = np.where(useKnuth, l, 0)
  const lamRejection = np.where(useKnuth, 1e5, l)
  const t = lax.scalar(1, "bool")
  // Knuth: count uniforms until their product drops below exp(-lam).
  const [, kKnuth] = whileLoop(
    ([, , , logProd]) => np.any(np.greater(logProd!, np.negative(lamKnuth))),
    ([, k, rng, logProd]) => {
      const [next, sub] = splitN(rng!, 2)
      const k2 = np.where(np.greater(logProd!, np.negative(lamKnuth)), lax.add(k!, lax.full(s, 1, "int32")), k!)
      const u = uniformImpl(sub!, s, "float32", 0, 1)
      return [t, k2, next!, np.add(logProd!, np.log(u))]
    },
    [t, np.zeros(s, { dtype: "int32" }), key, np.zeros(s, { dtype: "float32" })],
    64
  )
  // Rejection (PTRS).
  const logLam = np.log(lamRejection)
  const b = np.add(0.931, np.multiply(2.53, np.sqrt(lamRejection)))
  const a = np.add(-0.059, np.multiply(0.02483, b))
  const invAlpha = np.add(1.1239, np.divide(1.1328, np.subtract(b, 3.4)))
  const vR = np.subtract(0.9277, np.divide(3.6224, np.subtract(b, 2)))
  const [, kRej] = whileLoop(
    ([, , accepted]) => np.any(np.logicalNot(accepted!)),
    ([, kOut, accepted, rng]) => {
      const [next, s0, s1] = splitN(rng!, 3)
      const u = np.subtract(uniformImpl(s0!, s, "float32", 0, 1), 0.5)
      const v = uniformImpl(s1!, s, "float32", 0, 1)
      const uShifted = np.subtract(0.5, np.abs(u))
      const k = np.floor(
        np.add(np.add(np.multiply(np.add(np.divide(np.multiply(2, a), uShifted), b), u), lamRejection), 0.43)
      )
      const sv = np.log(np.divide(np.multiply(v, invAlpha), np.add(np.divide(a, np.multiply(uShifted, uShifted)), b)))
      const tv = np.subtract(np.add(np.negative(lamRejection), np.multiply(k, logLam)), lgamma(np.add(k, 1)))
      const accept1 = np.logicalAnd(np.greaterEqual(uShifted, 0.07), np.lessEqual(v, vR))
      const reject = np.logicalOr(np.less(k, 0), np.logicalAnd(np.less(uShifted, 0.013), np.greater(v, uShifted)))
      const accept = np.logicalOr(accept1, np.logicalAnd(np.logicalNot(reject), np.lessEqual(sv, tv)))
      return [t, np.where(accept, k, kOut!), np.logicalOr(accepted!, accept), next!]
    },
    [t, np.full(s, -1, { dtype: "float32" }), np.full(s, false, { dtype: "bool" }), key],
    64
  )
  const result = lax.select(useKnuth, lax.sub(kKnuth!, lax.full(s, 1, "int32")), np.astype(kRej!, "int32"))
  return lax.select(np.equal(l, 0), lax.full(s, 0, "int32"), result)
}
