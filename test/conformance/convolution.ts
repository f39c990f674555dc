/**
 * Conformance cases of `conv_general_dilated` and its wrappers: hand-derived
 * values, a direct-summation oracle on small-integer inputs (exact in float32),
 * gradients (both transposes, themselves convolutions) and vmap, on every backend.
 */
import { grad, vmap } from "@diffect/ad"
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import type { Case } from "./cases.js"

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })
const i32 = (xs: np.TensorLike) => np.array(xs, { dtype: "int32" })
const ints = (n: number, seed: number) => Array.from({ length: n }, (_, k) => (((k + seed) * 7) % 11) - 5)

const pack = (...ts: ReadonlyArray<Tensor>) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    return withBackend(backend, () => np.concatenate(ts.map((t) => np.ravel(t))))
  })

// NCH / OIH 1-d convolution by its definition, with feature groups.
const conv1d = (
  x: ReadonlyArray<number>,
  [n, c, w]: readonly [number, number, number],
  k: ReadonlyArray<number>,
  [o, i, kw]: readonly [number, number, number],
  stride: number,
  [lo, hi]: readonly [number, number],
  rhsDil: number,
  groups: number
): Array<number> => {
  const win = (kw - 1) * rhsDil + 1
  const ow = Math.floor((w + lo + hi - win) / stride) + 1
  const out: Array<number> = []
  for (let b = 0; b < n; b++) {
    for (let oo = 0; oo < o; oo++) {
      const g = Math.floor(oo / (o / groups))
      for (let s = 0; s < ow; s++) {
        let acc = 0
        for (let ii = 0; ii < i; ii++) {
          for (let t = 0; t < kw; t++) {
            const q = s * stride + t * rhsDil - lo
            if (q >= 0 && q < w) acc += x[(b * c + g * i + ii) * w + q]! * k[(oo * i + ii) * kw + t]!
          }
        }
        out.push(acc)
      }
    }
  }
  return out
}

const X = ints(2 * 4 * 9, 1)
const K = ints(6 * 2 * 3, 4)

export const convolutionCases: ReadonlyArray<Case> = [
  {
    name: "conv 1-d: differences, stride 2 with padding, SAME",
    run: () => {
      const x = f([[[1, 2, 4, 7, 11]]])
      const k = f([[[1, -1]]])
      return np.concatenate([
        np.ravel(lax.convGeneralDilated(x, k, [1], "VALID")),
        np.ravel(lax.convGeneralDilated(x, k, [2], [[1, 0]])),
        np.ravel(lax.convGeneralDilated(x, k, [1], "SAME"))
      ])
    },
    expected: [-1, -2, -3, -4, -1, -2, -4, -1, -2, -3, -4, 11]
  },
  {
    name: "conv 2-d NCHW: a box filter, rhs dilation 2",
    run: () => {
      const x = np.arange(16).reshape([1, 1, 4, 4]).astype("float32")
      return np.concatenate([
        np.ravel(lax.conv(x, np.ones([1, 1, 2, 2]), [2, 2], "VALID")),
        np.ravel(lax.convWithGeneralPadding(x, np.ones([1, 1, 2, 2]), [1, 1], "VALID", undefined, [2, 2]))
      ])
    },
    // windows at (0,0), (0,2), (2,0), (2,2); then corners of 3x3 blocks: x[i,j] + x[i,j+2] + x[i+2,j] + x[i+2,j+2]
    expected: [10, 18, 42, 50, 20, 24, 36, 40]
  },
  {
    name: "conv 1-d, 2 feature groups, stride 2, padding (1, 2), rhs dilation 2 (oracle)",
    run: () =>
      lax.convGeneralDilated(f(X).reshape([2, 4, 9]), f(K).reshape([6, 2, 3]), [2], [[1, 2]], {
        rhsDilation: [2],
        featureGroupCount: 2
      }),
    expected: ((): unknown => {
      const flat = conv1d(X, [2, 4, 9], K, [6, 2, 3], 2, [1, 2], 2, 2)
      const ow = flat.length / 12
      return Array.from(
        { length: 2 },
        (_, b) => Array.from({ length: 6 }, (_, o) => flat.slice((b * 6 + o) * ow, (b * 6 + o + 1) * ow))
      )
    })()
  },
  {
    name: "conv NHWC / HWIO equals NCHW / OIHW transposed",
    run: () => {
      const x = f(ints(2 * 3 * 5 * 4, 2)).reshape([2, 3, 5, 4])
      const k = f(ints(3 * 3 * 4 * 3, 5)).reshape([3, 3, 4, 3])
      const a = lax.convGeneralDilated(x, k, [1, 2], "SAME")
      const b = lax.convGeneralDilated(lax.transpose(x, [0, 2, 3, 1]), lax.transpose(k, [2, 3, 1, 0]), [1, 2], "SAME", {
        dimensionNumbers: ["NHWC", "HWIO", "NHWC"]
      })
      return np.subtract(lax.transpose(b, [0, 3, 1, 2]), a)
    },
    expected: Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]))
  },
  {
    name: "conv int32, lhs dilation 2",
    run: () => lax.convWithGeneralPadding(i32([[[1, 2, 3]]]), i32([[[1, 10]]]), [1], [[0, 0]], [2], [1]),
    expected: [[[1, 20, 2, 30]]]
  },
  {
    name: "conv batch groups: output feature g sees example g",
    run: () =>
      lax.convGeneralDilated(f([[[1, 2, 3]], [[4, 5, 6]]]), f([[[1, 0]], [[0, 1]]]), [1], "VALID", {
        batchGroupCount: 2
      }),
    expected: [[[1, 2], [5, 6]]]
  },
  {
    name: "convTranspose VALID stride 2 and convGeneralDilatedPatches",
    run: () =>
      np.concatenate([
        np.ravel(lax.convTranspose(f([[[1], [2], [3]]]), f([[[1]], [[10]]]), [2], "VALID")),
        np.ravel(lax.convGeneralDilatedPatches(f([[[1, 2, 3, 4]]]), [2], [1], "VALID"))
      ]),
    expected: [10, 1, 20, 2, 30, 3, 1, 2, 3, 2, 3, 4]
  },
  {
    // d/dx sum(conv(x, [1, 2, 3])) = taps covering each x; d/dk_t = sum of the windows' x at t
    name: "grad of sum(conv) in lhs and rhs (transposes on the backend)",
    run: () =>
      Effect.gen(function*() {
        const x = f([[[1, 2, 3, 4, 5]]])
        const k = f([[[1, 2, 3]]])
        const gx = yield* grad((t: Tensor) => np.sum(lax.convGeneralDilated(t, k, [1], "VALID")))(x)
        const gk = yield* grad((t: Tensor) => np.sum(lax.convGeneralDilated(x, t, [1], "VALID")))(k)
        const gs = yield* grad((t: Tensor) => np.sum(np.square(lax.convGeneralDilated(t, k, [2], [[1, 1]]))))(x)
        return yield* pack(gx, gk, gs)
      }),
    // strided square loss: y = conv over [0,1,2,3,4,5,0] at 0, 2, 4 = [8, 20, 14]
    // dL/dx_j = sum_w 2 y_w k[j + 1 - 2w]
    expected: [
      1,
      3,
      6,
      5,
      3,
      6,
      9,
      12,
      ...[1, 2, 3, 4, 5].map((_, j) => {
        const y = [8, 20, 14]
        let s = 0
        for (let w = 0; w < 3; w++) {
          const t = j + 1 - 2 * w
          if (t >= 0 && t < 3) s += 2 * y[w]! * [1, 2, 3][t]!
        }
        return s
      })
    ]
  },
  {
    name: "vmap of conv over the lhs and over the kernel",
    run: () =>
      Effect.gen(function*() {
        const xs = f([[[[1, 2, 3]]], [[[4, 5, 6]]]])
        const k = f([[[1, -1]]])
        const a = yield* vmap((x: Tensor) => lax.convGeneralDilated(x, k, [1], "VALID"))(xs)
        const ks = f([[[[1, 1]]], [[[2, 0]]]])
        const b = yield* vmap((t: Tensor) => lax.convGeneralDilated(f([[[1, 2, 3]]]), t, [1], "VALID"))(ks)
        return yield* pack(a, b)
      }),
    expected: [-1, -1, -1, -1, 3, 5, 2, 4]
  }
]
