/**
 * Conformance cases of `lax.reduceWindow` (sum, max, min primitives and the
 * generic fold), their gradients (`select_and_scatter_add`) and vmap, with
 * hand-derived values, on every backend.
 */
import { grad, vmap } from "@diffect/ad"
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import type { Case } from "./cases.js"

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })
const i32 = (xs: np.TensorLike) => np.array(xs, { dtype: "int32" })

const pack = (...ts: ReadonlyArray<Tensor>) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    return withBackend(backend, () => np.concatenate(ts.map((t) => np.ravel(t))))
  })

const X = [[1, 5, 2, 0], [3, 4, 8, 7], [-1, 6, 2, 2]]

export const windowCases: ReadonlyArray<Case> = [
  {
    name: "reduceWindow max 2x2 stride 2 with padding, min, sum SAME",
    run: () =>
      np.concatenate([
        np.ravel(lax.reduceWindow(f(X), -Infinity, lax.max, [2, 2], [2, 2], [[0, 1], [0, 0]])),
        np.ravel(lax.reduceWindow(f(X), Infinity, lax.min, [3, 1], [1, 1], "VALID")),
        np.ravel(lax.reduceWindow(f([1, 2, 3, 4]), 0, lax.add, [3], [1], "SAME"))
      ]),
    // max windows rows {0,1} and {2, pad}: [5, 8], [6, 2]; min over the 3 rows per column; running sums
    expected: [5, 8, 6, 2, -1, 4, 2, 0, 3, 6, 9, 7]
  },
  {
    name: "reduceWindow int32 max with window and base dilation",
    run: () =>
      np.concatenate([
        np.ravel(lax.reduceWindow(i32([3, -1, 4, 1, -5, 9]), -2147483648, lax.max, [2], [1], "VALID", {
          windowDilation: [2]
        })),
        np.ravel(lax.reduceWindow(i32([1, 2, 3]), 0, lax.add, [2], [1], "VALID", { baseDilation: [2] }))
      ]),
    // max(x[i], x[i+2]); [1, _, 2, _, 3] in windows of 2
    expected: [4, 1, 4, 9, 1, 2, 2, 3]
  },
  {
    name: "reduceWindow generic fold (product, init 1)",
    run: () => lax.reduceWindow(f([1, 2, 3, 4]), 1, lax.mul, [2], [1], [[1, 0]]),
    expected: [1, 2, 6, 12]
  },
  {
    name: "grad of max pooling, of sum pooling, and vmap of min pooling",
    run: () =>
      Effect.gen(function*() {
        const x = f([1, 3, 3, 2, 0, 5])
        const w = f([1, 10, 100, 1000])
        const pool = (t: Tensor) => lax.reduceWindow(t, -Infinity, lax.max, [3], [1], "VALID")
        const gmax = yield* grad((t: Tensor) => np.sum(np.multiply(pool(t), w)))(x)
        const gsum = yield* grad((t: Tensor) =>
          np.sum(np.multiply(lax.reduceWindow(t, 0, lax.add, [2], [2], [[1, 1]]), f([1, 10, 100, 1000])))
        )(x)
        const v = yield* vmap((t: Tensor) => lax.reduceWindow(t, Infinity, lax.min, [2], [1], "VALID"))(
          f([[4, 2, 3], [0, 5, -1]])
        )
        return yield* pack(gmax, gsum, v)
      }),
    // windows [1,3,3] [3,3,2] [3,2,0] [2,0,5]: first maxima at 1, 1, 2, 5;
    // sum windows over [0 | 1 3 | 3 2 | 0 5 | 0]: x0 -> w0, x1,x2 -> w1, x3,x4 -> w2, x5 -> w3
    expected: [0, 11, 100, 0, 0, 1000, 1, 10, 10, 100, 100, 1000, 2, 2, 0, -1]
  }
]

const bits32 = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0]!
// XLA's float32 -> bfloat16 rounding on the bits (ties to even)
const bfloat16 = (x: number) => {
  let b = new Uint32Array(new Float32Array([x]).buffer)[0]!
  b = ((b + ((b >>> 16) & 1) + 0x7fff) & 0xffff0000) >>> 0
  return new Float32Array(new Uint32Array([b]).buffer)[0]!
}

/** Bit-level float functions (float32 on the bits) and the lax compositions over shifts. */
export const bitCases: ReadonlyArray<Case> = [
  {
    name: "bitcastConvertType float32 <-> int32",
    run: () => lax.bitcastConvertType(lax.bitcastConvertType(f([1, -2, 0.1]), "int32"), "float32"),
    expected: [1, -2, Math.fround(0.1)]
  },
  {
    name: "bitcastConvertType to int32 gives the IEEE bits",
    run: () => lax.bitcastConvertType(f([1, -2, 0.1]), "int32"),
    expected: [1, -2, 0.1].map(bits32)
  },
  {
    name: "nextafter float32: up, down, from zero",
    run: () => lax.bitcastConvertType(lax.nextafter(f([1, 1, 0]), f([2, 0, -1])), "int32"),
    expected: [bits32(1) + 1, bits32(1) - 1, -2147483647]
  },
  {
    name: "reducePrecision float32 to bfloat16 and float16",
    run: () =>
      np.concatenate([
        lax.reducePrecision(f([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3e38]), 8, 7),
        lax.reducePrecision(f([65504, 65520, 1 + 2 ** -11]), 5, 10)
      ]),
    expected: [1, 1 + 2 ** -6, bfloat16(3e38), 65504, Infinity, 1]
  },
  {
    name: "populationCount, clz, reduceXor on int32",
    run: () =>
      np.concatenate([
        lax.populationCount(i32([0, 7, -1])),
        lax.clz(i32([1, 255, -1])),
        np.ravel(lax.reduceXor(i32([6, 3]), [0]))
      ]),
    expected: [0, 3, 32, 31, 24, 0, 5]
  }
]
