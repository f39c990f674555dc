/**
 * jax.random bit for bit: the Random123 known answers of Threefry-2x32 (JAX's
 * testThreefry2x32), JAX's pinned values of the legacy stream (testRngRandomBits,
 * testPRNGValues and the RandomValuesCase table of tests/random_test.py), the
 * partitionable stream's split/fold_in symmetry (JAX's
 * test_threefry_split_fold_in_symmetry, also under vmap), and batching, staging and
 * error behaviour. Integer values are compared exactly.
 */
import { jit, programRunnerStats } from "@diffect/ad"
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  ConcretizationError,
  DTypeError,
  grad,
  jacrev,
  jvp,
  lax,
  makeProgram,
  np,
  random,
  runSync,
  ShapeError,
  toJsSync,
  vmap
} from "diffect"
import type { Tensor } from "diffect"
import { bits64, threefry2x32Counts } from "../src/internal/threefry.js"
import { assertClose, flat } from "./helpers.js"

const u32 = (v: ReadonlyArray<number>) => np.array([...v], { dtype: "uint32" })
const legacy = <A>(f: () => A): A => random.withPartitionable(false, f)
const ints = (t: Tensor) => flat(t)

// zlib.adler32, as JAX's RandomValuesCase derives each case's seed from its name.
const adler32 = (s: string): number => {
  let a = 1
  let b = 0
  for (const ch of s) {
    a = (a + ch.charCodeAt(0)) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}
const caseKey = (name: string) => random.key(adler32(name + "threefry2x32"))

describe("Threefry-2x32: Random123's known answers (JAX's testThreefry2x32)", () => {
  it("key (0, 0), count (0, 0)", () => {
    assert.deepStrictEqual(ints(threefry2x32Counts(u32([0, 0]), u32([0, 0]))), [0x6b200159, 0x99ba4efe])
  })
  it("key and count all ones", () => {
    const m = 0xffffffff
    assert.deepStrictEqual(ints(threefry2x32Counts(u32([m, m]), u32([m, m]))), [0x1cb996fc, 0xbb002be7])
  })
  it("key and count from the digits of pi", () => {
    assert.deepStrictEqual(
      ints(threefry2x32Counts(u32([0x13198a2e, 0x03707344]), u32([0x243f6a88, 0x85a308d3]))),
      [0xc4923a9c, 0x483df7a0]
    )
  })
  it("a long count array hashes each pair alike (JAX's testThreefry2x32Large, smaller)", () => {
    const n = 1001
    const count = np.concatenate([
      np.full([n], 0x243f6a88, { dtype: "uint32" }),
      np.full([n], 0x85a308d3, { dtype: "uint32" })
    ])
    const out = ints(threefry2x32Counts(u32([0x13198a2e, 0x03707344]), count))
    assert.isTrue(out.slice(0, n).every((v) => v === 0xc4923a9c))
    assert.isTrue(out.slice(n).every((v) => v === 0x483df7a0))
  })
  it("an empty count gives an empty result (testThreefry2x32Empty)", () => {
    assert.deepStrictEqual(threefry2x32Counts(u32([1, 2]), np.zeros([10, 0], { dtype: "uint32" })).shape, [10, 0])
  })
})

describe("keys", () => {
  it("key(seed) is [0, seed]; large seeds keep their high word", () => {
    assert.deepStrictEqual(ints(random.key(42)), [0, 42])
    assert.deepStrictEqual(ints(random.PRNGKey(-1)), [0, 0xffffffff])
    assert.deepStrictEqual(ints(random.key(2 ** 40 + 5)), [256, 5])
    assert.strictEqual(random.key(0).dtype, "uint32")
  })
  it("test_prng_seeds_and_keys (x64 disabled; seeds past int32 keep their high word, JAX's x64 value)", () => {
    const rows: ReadonlyArray<readonly [number, ReadonlyArray<number>]> = [
      [0, [0, 0]],
      [1, [0, 1]],
      [-1, [0, 4294967295]],
      [-2, [0, 4294967294]],
      [-3, [0, 4294967293]],
      [2 ** 31 - 1 + 100, [0, 2147483747]],
      [2 ** 31 - 1 + 101, [0, 2147483748]],
      [-(2 ** 31) - 100, [4294967295, 2147483548]],
      [-(2 ** 31) - 101, [4294967295, 2147483547]]
    ]
    for (const [seed, want] of rows) {
      assert.deepStrictEqual(ints(random.key(seed)), want, `seed ${seed}`)
      assert.deepStrictEqual(ints(random.PRNGKey(seed)), want, `seed ${seed}`)
    }
    assert.deepStrictEqual(ints(random.key(np.array(-2, { dtype: "int32" }))), [0, 4294967294])
    assert.deepStrictEqual(ints(random.key(np.array(2, { dtype: "uint32" }))), [0, 2])
  })
  it("test_batched_key_errors: samplers given a key array", () => {
    const keys = random.split(random.key(0))
    const calls: ReadonlyArray<readonly [string, () => unknown]> = [
      ["bits", () => random.bits(keys, [2])],
      ["chisquare", () => random.chisquare(keys, 1, { shape: [2] })],
      ["dirichlet", () => random.dirichlet(keys, np.arange(2), { shape: [2] })],
      ["gamma", () => random.gamma(keys, 1, { shape: [2] })],
      ["loggamma", () => random.loggamma(keys, 1, { shape: [2] })],
      ["foldIn", () => random.foldIn(keys, 0)],
      ["split", () => random.split(keys)]
    ]
    for (const [name, call] of calls) {
      assert.throws(call, ShapeError, new RegExp(`${name}: accepts a single key, but was given a key array of shape`))
    }
    assert.deepStrictEqual(random.keyData(keys).shape, [2, 2])
  })
  it("testIssue222: randint(key(10003), (), 0, 0) is 0", () => {
    assert.deepStrictEqual(ints(random.randint(random.key(10003), [], 0, 0)), [0])
  })
  it("impl: threefry2x32 (JAX's default) is accepted, other implementations refused, not ignored; keyImpl", () => {
    assert.deepStrictEqual(ints(random.key(5, { impl: "threefry2x32" })), [0, 5])
    assert.deepStrictEqual(ints(random.PRNGKey(5, { impl: "threefry2x32" })), [0, 5])
    const data = u32([0, 1])
    assert.deepStrictEqual(ints(random.wrapKeyData(data, { impl: "threefry2x32" })), [0, 1])
    for (const impl of ["rbg", "unsafe_rbg", "nope"]) {
      assert.throws(() => random.key(0, { impl } as never), /key: impl must be "threefry2x32"/)
      assert.throws(() => random.PRNGKey(0, { impl } as never), ArgumentError)
      assert.throws(() => random.wrapKeyData(data, { impl } as never), /wrapKeyData: impl must be/)
    }
    assert.throws(() => random.key(0, { imp: "rbg" } as never), /unknown key "imp"/)
    assert.strictEqual(random.keyImpl(random.key(0)), "threefry2x32")
    assert.strictEqual(random.keyImpl(random.split(random.key(0), 3)), "threefry2x32")
  })
  it("bad keys and seeds are typed errors", () => {
    assert.throws(() => random.key(1.5), DTypeError)
    assert.throws(() => random.split(np.array([1, 2])), DTypeError)
    assert.throws(() => random.normal(random.split(random.key(0), 2)), ShapeError)
    assert.throws(() => random.uniform(random.key(0), [2], { dtype: "int32" as "float32" }), DTypeError)
  })
  it("arguments of the wrong kind are typed errors: a shape, a key, a seed, a flag", () => {
    const key = random.key(0)
    const bad: ReadonlyArray<unknown> = [{ shape: [3] }, "3", null, new Set([3])]
    for (const shape of bad) {
      assert.throws(() => random.normal(key, shape as Array<number>), ArgumentError, /non-negative integer or an array/)
      assert.throws(() => random.bits(key, shape as Array<number>), ArgumentError, /bits: .*shape/)
    }
    assert.throws(() => random.normal(random.key(0), [-1]), ShapeError, /non-negative integer/)
    assert.throws(() => random.uniform("abc" as unknown as Tensor), ArgumentError, /uniform: .*key.*the string "abc"/)
    assert.throws(() => random.split({} as Tensor), ArgumentError, /a Tensor/)
    assert.throws(() => random.key("1" as unknown as number), ArgumentError, /seed/)
    assert.throws(() => random.withPartitionable(true, {} as () => void), ArgumentError, /a function/)
  })
  it("an axis of another kind is an ArgumentError naming the sampler (was named 'axis: an axis')", () => {
    const key = random.key(0)
    const m = np.ones([2, 3])
    const bad = { axis: "0" } as never
    assert.throws(
      () => random.permutation(key, m, bad),
      ArgumentError,
      /^permutation: axis must be an integer, got the string "0"/
    )
    assert.throws(() => random.choice(key, m, bad), ArgumentError, /^choice: axis must be an integer/)
    assert.throws(() => random.categorical(key, m, bad), ArgumentError, /^categorical: axis must be an integer/)
  })
  it("an options object of the wrong kind, or with a key the sampler does not take, is an ArgumentError, not the defaults", () => {
    const key = random.key(0)
    type Any = never
    // a shape where the options go: bernoulli returned p's scalar shape before
    assert.throws(
      () => random.bernoulli(key, 0.5, [4] as Any),
      ArgumentError,
      /bernoulli: options .*an array of length 1/
    )
    assert.throws(() => random.normal(key, [3], 3 as Any), ArgumentError, /normal: options .*the number 3/)
    // misspelled keys were ignored: uniform in [0, 1) instead of [2, 3)
    assert.throws(() => random.uniform(key, [3], { min: 2 } as Any), ArgumentError, /uniform: .*unknown key "min"/)
    assert.throws(() => random.exponential(key, [3], { dtyp: "float64" } as Any), ArgumentError, /unknown key "dtyp"/)
    assert.throws(() => random.chisquare(key, 3, { shp: [2] } as Any), ArgumentError, /chisquare: .*unknown key "shp"/)
    assert.throws(
      () => random.geometric(key, 0.5, { size: [3] } as Any),
      ArgumentError,
      /geometric: .*unknown key "size"/
    )
    assert.throws(
      () => random.choice(key, 5, { replacement: false } as Any),
      ArgumentError,
      /unknown key "replacement"/
    )
    // the same calls with the right keys
    assert.deepStrictEqual(random.bernoulli(key, 0.5, { shape: [4] }).shape, [4])
    const u = toJsSync(random.uniform(key, [3], { minval: 2, maxval: 3 })) as Array<number>
    assert.isTrue(u.every((v) => v >= 2 && v < 3), `${u}`)
    assert.deepStrictEqual(random.chisquare(key, 3, { shape: [2] }).shape, [2])
  })
})

describe("the legacy stream: JAX's pinned values", () => {
  it("testRngRandomBits: bits(key(1701), (3,))", () => {
    legacy(() => assert.deepStrictEqual(ints(random.bits(random.key(1701), [3])), [56197195, 4200222568, 961309823]))
  })
  it("testPRNGValues: randint, split, fold_in of key(0)", () => {
    legacy(() => {
      assert.deepStrictEqual(ints(random.randint(random.key(0), [3, 3], 0, 8)), [2, 1, 3, 6, 1, 5, 6, 3, 4])
      assert.deepStrictEqual(ints(random.split(random.key(0), 4)), [
        2285895361,
        1501764800,
        1518642379,
        4090693311,
        433833334,
        4221794875,
        839183663,
        3740430601
      ])
      assert.deepStrictEqual(ints(random.foldIn(random.key(0), 4)), [2285895361, 433833334])
    })
  })

  // RandomValuesCase rows for threefry2x32 (x64 disabled); floats with JAX's assertAllClose tolerance.
  const cases: ReadonlyArray<readonly [string, (k: Tensor) => Tensor, ReadonlyArray<number>, number?]> = [
    ["bernoulli", (k) => random.bernoulli(k, 0.5, { shape: [5] }), [0, 1, 1, 1, 0]],
    ["beta", (k) => random.beta(k, 0.8, 0.9, { shape: [5] }), [0.13259, 0.824893, 0.948363, 0.964155, 0.235448]],
    ["bits", (k) => random.bits(k, [5]), [1978747883, 4134381225, 3628107870, 689687174, 2788938207]],
    ["cauchy", (k) => random.cauchy(k, [5]), [-0.088416, -10.169713, 3.49677, -1.18056, 0.34556], 1e-5],
    [
      "dirichlet",
      (k) => random.dirichlet(k, np.array([0.5, 0.6, 0.7]), { shape: [2] }),
      [0.003128, 0.009694, 0.987178, 0.025938, 0.479091, 0.494971]
    ],
    ["double_sided_maxwell", (k) => random.doubleSidedMaxwell(k, 1, 2, { shape: [5] }), [
      -2.408914,
      -3.370437,
      3.235352,
      -0.907734,
      -1.708732
    ]],
    ["exponential", (k) => random.exponential(k, [5]), [0.526067, 0.043046, 0.039932, 0.46427, 0.123886]],
    ["gamma", (k) => random.gamma(k, 0.8, { shape: [5] }), [0.824221, 1.724476, 0.502882, 5.386132, 0.685543]],
    ["gumbel", (k) => random.gumbel(k, [5]), [2.06701, 0.911726, 0.145736, 0.185427, -0.00711]],
    ["laplace", (k) => random.laplace(k, [5]), [0.578939, -0.204902, 0.555733, 0.911053, -0.96456]],
    ["loggamma", (k) => random.loggamma(k, 0.8, { shape: [5] }), [
      0.240559,
      -3.575443,
      -0.450946,
      -2.161372,
      -2.943277
    ]],
    ["logistic", (k) => random.logistic(k, [5]), [0.19611, -1.709053, -0.274093, -0.208322, -1.675489]],
    ["maxwell", (k) => random.maxwell(k, [5]), [3.070779, 0.908479, 1.521317, 0.875551, 1.306137]],
    [
      "multivariate_normal",
      (k) => random.multivariateNormal(k, np.ones([1, 3]), np.eye(3), { shape: [2] }),
      [1.067826, 1.215599, 0.234166, -0.237534, 1.32591, 1.413987]
    ],
    ["normal", (k) => random.normal(k, [5]), [-1.173234, -1.511662, 0.070593, -0.099764, 1.052845]],
    ["pareto", (k) => random.pareto(k, 0.5, { shape: [5] }), [2.751398, 1.281863, 87.85448, 1.254542, 2.824487]],
    ["poisson", (k) => random.poisson(k, 5, { shape: [5] }), [7, 3, 6, 11, 6]],
    ["rademacher", (k) => random.rademacher(k, [5]), [-1, -1, -1, -1, 1]],
    ["randint", (k) => random.randint(k, [5], 0, 10), [0, 5, 7, 7, 5]],
    ["truncated_normal", (k) => random.truncatedNormal(k, 0, 2, [5]), [
      0.582807,
      1.709771,
      0.159513,
      0.861376,
      0.36148
    ]],
    ["uniform", (k) => random.uniform(k, [5]), [0.298671, 0.073213, 0.873356, 0.260549, 0.412797]],
    ["weibull_min", (k) => random.weibullMin(k, 1, 1, [5]), [1.605863, 0.841809, 0.224218, 0.4826, 0.027901]]
  ]
  for (const [name, draw, expected, rtol] of cases) {
    it(`RandomValuesCase ${name}`, () => {
      const out = legacy(() => draw(caseKey(name)))
      if (out.dtype === "float32") assertClose(out, expected, rtol ?? 1e-6)
      else assert.deepStrictEqual(ints(out), expected)
    })
  }

  // JAX's 64-bit bits (x64 only there): diffect's float64 samplers draw them as (hi, lo) words
  const u64 = ([hi, lo]: readonly [Tensor, Tensor]) =>
    ints(hi).map((h, i) => ((BigInt(h) << 32n) | BigInt(ints(lo)[i]!)).toString())
  it("RandomValuesCase bits uint64 (OnX64.ONLY)", () => {
    assert.deepStrictEqual(legacy(() => u64(bits64(caseKey("bits"), [5], false))), [
      "17649965731882839947",
      "1415307058040849897",
      "8282622628079774249",
      "14024425113645909402",
      "2012979996110532418"
    ])
  })
  it("testRngRandomBits: bits(key(1701), (3,), uint64) with x64", () => {
    assert.deepStrictEqual(legacy(() => u64(bits64(random.key(1701), [3], false))), [
      "3982329540505020460",
      "16822122385914693683",
      "7882654074788531506"
    ])
  })
  it("test_loggamma_nan_corner_case: loggamma(wrap_key_data([3200590325, 713258242]), 0.0)", () => {
    const key = random.wrapKeyData(u32([3200590325, 713258242]))
    assertClose(legacy(() => random.loggamma(key, 0)), [-4.595436], 1e-6)
  })
})

describe("the partitionable stream (JAX's default)", () => {
  it("is the default", () => {
    assert.isTrue(random.isPartitionable())
    assert.isFalse(legacy(() => random.isPartitionable()))
    assert.isTrue(random.isPartitionable())
  })
  // jax.experimental.random's StatefulPRNG doctests (jax/_src/random/stateful_rng.py), run with
  // JAX's default stream: the generator's n-th key is fold_in(key(seed), n).
  it("JAX's pinned values: StatefulPRNG's keys, uniform draws and integers", () => {
    assert.deepStrictEqual(ints(random.foldIn(random.key(0), 0)), [1797259609, 2579123966])
    assert.deepStrictEqual(ints(random.foldIn(random.key(0), 1)), [928981903, 3453687069])
    assert.deepStrictEqual(ints(random.split(random.key(0))), [1797259609, 2579123966, 928981903, 3453687069])
    const k42 = random.key(42)
    const draws = [0, 1, 2, 3].map((n) => flat(random.uniform(random.foldIn(k42, n)))[0]!)
    assert.deepStrictEqual(draws, [0.5302608, 0.72766423, 0.6672406, 0.3890121].map(Math.fround))
    assert.deepStrictEqual(ints(random.foldIn(k42, 4)), [2954079971, 3276725750])
    assert.deepStrictEqual(ints(random.foldIn(k42, 5)), [2765691542, 824333390])
    // spawn(2): children keys split(fold_in(key(123), 0), 2); each draws integers(0, 10, 2)
    const children = random.split(random.foldIn(random.key(123), 0), 2)
    const draw = (i: number) => ints(random.randint(random.foldIn(children.at(i), 0), [2], 0, 10))
    assert.deepStrictEqual([draw(0), draw(1)], [[4, 5], [2, 1]])
    // split(3) under vmap: x + rng.uniform() for each of three split generators
    const keys = random.split(random.foldIn(random.key(123), 0), 3)
    const f = (k: Tensor) => random.uniform(random.foldIn(k, 0))
    assert.deepStrictEqual(flat(runSync(vmap(f)(keys))), [0.35525954, 0.21937883, 0.5336956].map(Math.fround))
  })
  it("split(key, 3)[i] == foldIn(key, i) (test_threefry_split_fold_in_symmetry)", () => {
    const key = random.key(72)
    const s = ints(random.split(key, 3))
    for (let i = 0; i < 3; i++) assert.deepStrictEqual(ints(random.foldIn(key, i)), s.slice(2 * i, 2 * i + 2))
  })
  it("the same symmetry with the index from a vmap (test_threefry_split_vmapped_fold_in_symmetry)", () => {
    const key = random.key(72)
    const folded = runSync(vmap((i: Tensor) => random.foldIn(key, i))(np.arange(0, 3, { dtype: "int32" })))
    assert.deepStrictEqual(ints(folded), ints(random.split(key, 3)))
  })
  it("bits of an element depend only on its index: a prefix of a longer draw", () => {
    const key = random.key(5)
    assert.deepStrictEqual(ints(random.bits(key, [4])), ints(random.bits(key, [8])).slice(0, 4))
    assert.deepStrictEqual(ints(random.bits(key, [2, 2])), ints(random.bits(key, [4])))
  })
})

describe("distributions", () => {
  const key = random.key(0)
  it("uniform: float32 and float64 in [minval, maxval), mean near the middle", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const u = flat(random.uniform(key, [20000], { dtype, minval: -2, maxval: 3 }))
      assert.isTrue(u.every((v) => v >= -2 && v < 3))
      const mean = u.reduce((a, b) => a + b, 0) / u.length
      assert.isBelow(Math.abs(mean - 0.5), 0.05)
    }
  })
  it("float64 uniform uses 52 mantissa bits (values that float32 cannot hold)", () => {
    const u = flat(random.uniform(key, [100], { dtype: "float64" }))
    assert.isTrue(u.some((v) => Math.fround(v) !== v))
  })
  it("normal: moments; erfInv inverts erf", () => {
    const z = flat(random.normal(key, [20000]))
    const mean = z.reduce((a, b) => a + b, 0) / z.length
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length
    assert.isBelow(Math.abs(mean), 0.03)
    assert.isBelow(Math.abs(variance - 1), 0.05)
    const x = np.array([-0.9, -0.3, 0, 0.5, 0.99], { dtype: "float64" })
    assertClose(np.erf(random.erfInv(x)), flat(x), 1e-14)
    assertClose(random.erfInv(np.array([1, -1])), [Infinity, -Infinity], 0)
  })
  it("truncatedNormal stays inside (lower, upper)", () => {
    const t = flat(random.truncatedNormal(key, -0.5, 1, [2000]))
    assert.isTrue(t.every((v) => v > -0.5 && v < 1))
  })
  it("erfInv's reverse-mode gradient is JAX's erf_inv JVP sqrt(pi)/2 exp(y^2), finite at 0 (it was NaN)", () => {
    const d = (v: number, dtype: "float32" | "float64") =>
      flat(runSync(grad((u: Tensor) => random.erfInv(u))(np.array(v, { dtype }))))[0]!
    // central differences of erfInv in float64, then the closed form at 0
    for (const v of [-0.9, -0.3, 0.3, 0.5]) {
      const h = 1e-6
      const fd = (flat(random.erfInv(np.array(v + h, { dtype: "float64" })))[0]! -
        flat(random.erfInv(np.array(v - h, { dtype: "float64" })))[0]!) / (2 * h)
      assert.closeTo(d(v, "float64"), fd, 1e-8)
      assert.closeTo(d(v, "float32"), fd, 1e-5)
    }
    assert.closeTo(d(0.3, "float64"), 0.9545203588405493, 1e-12)
    assert.strictEqual(d(0, "float64"), Math.sqrt(Math.PI) / 2)
    assert.strictEqual(d(1, "float32"), Infinity)
  })
  it("truncatedNormal's reverse-mode gradient with respect to lower equals its jvp (it was NaN)", () => {
    const sample = (l: Tensor) => random.truncatedNormal(random.key(0), l, 1, [4])
    const l0 = np.array(0)
    const g = flat(runSync(jacrev(sample)(l0)) as Tensor)
    const [, t] = runSync(jvp(sample, [l0], [np.array(1)]))
    assertClose(g, flat(t as Tensor), 1e-6)
    // by hand: d out / d lower = exp((out^2 - lower^2) / 2) (1 - f), f the unit uniforms of the key
    const f = flat(random.uniform(random.key(0), [4]))
    const out = flat(sample(l0))
    assertClose(g, out.map((o, i) => Math.exp(o * o / 2) * (1 - f[i]!)), 1e-5)
    assert.isTrue(flat(runSync(grad((l: Tensor) => np.sum(sample(l)))(l0))).every(Number.isFinite))
  })
  it("randint covers [minval, maxval) uniformly; maxval <= minval gives minval", () => {
    const r = ints(random.randint(key, [5000], -3, 4))
    const counts = new Map<number, number>()
    for (const v of r) counts.set(v, (counts.get(v) ?? 0) + 1)
    assert.deepStrictEqual([...counts.keys()].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3])
    for (const c of counts.values()) assert.isBelow(Math.abs(c - 5000 / 7), 120)
    assert.deepStrictEqual(ints(random.randint(key, [3], 5, 5)), [5, 5, 5])
  })
  it("permutation and choice without replacement are permutations", () => {
    const p = ints(random.permutation(key, 50))
    assert.deepStrictEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i))
    const x = np.reshape(np.arange(12, { dtype: "int32" }), [4, 3])
    const rows = toJsSync(random.permutation(key, x)) as Array<Array<number>>
    assert.deepStrictEqual(rows.map((r) => r[0]! / 3).sort(), [0, 1, 2, 3])
    const c = ints(random.choice(key, 10, { shape: [10], replace: false }))
    assert.deepStrictEqual([...c].sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i))
  })
  it("choice with p and categorical follow their probabilities", () => {
    const c = ints(random.choice(key, 3, { shape: [4000], p: np.array([0.1, 0.2, 0.7]) }))
    const share = (v: number) => c.filter((x) => x === v).length / c.length
    assert.isBelow(Math.abs(share(2) - 0.7), 0.03)
    assert.isBelow(Math.abs(share(0) - 0.1), 0.02)
    const g = ints(random.categorical(key, np.log(np.array([0.25, 0.75])), { shape: [4000] }))
    assert.isBelow(Math.abs(g.filter((v) => v === 1).length / 4000 - 0.75), 0.03)
    const top = ints(random.categorical(key, np.array([0, 0, 0, 0]), { shape: [4], replace: false }))
    assert.deepStrictEqual([...top].sort(), [0, 1, 2, 3])
    // complex logits: a typed error (it read the float limits of a complex dtype: a plain TypeError)
    assert.throws(() => random.categorical(key, np.array([0, 0], { dtype: "complex64" })), /logits must be real/)
  })
  it("categorical: a batch shape that broadcasts to shape (JAX's test_categorical_shape_argument)", () => {
    for (const base of [[3, 4], [3, 1], [1, 4]]) {
      for (const axis of [-3, -2, -1, 0, 1, 2]) {
        const logitsShape = [...base]
        logitsShape.splice(((axis % 3) + 3) % 3, 0, 10)
        const logits = np.ones(logitsShape)
        assert.deepStrictEqual(random.categorical(key, logits, { axis, shape: [3, 4] }).shape, [3, 4])
      }
    }
    // the draw is that of the logits broadcast to the shape: the same Gumbel noise, added by broadcasting
    const l = np.log(np.array([[[0.1], [0.2], [0.3], [0.4]]])) // [1, 4, 1], categories on axis 1
    const full = np.broadcastTo(l, [3, 4, 5])
    const a = ints(random.categorical(key, l, { axis: 1, shape: [2, 3, 5] }))
    assert.deepStrictEqual(a, ints(random.categorical(key, full, { axis: 1, shape: [2, 3, 5] })))
    assert.isTrue(a.every((v) => v >= 0 && v < 4))
    // not a broadcast, or without replacement not the batch shape itself: ShapeErrors
    assert.throws(() => random.categorical(key, np.zeros([3, 1]), { shape: [3, 4] }), ShapeError)
    assert.throws(() => random.categorical(key, np.zeros([4, 4]), { shape: [3] }), ShapeError)
    assert.throws(
      () => random.categorical(key, np.zeros([1, 4]), { shape: [3, 4], replace: false }),
      /without replacement, shape must end with the logits' batch shape \[1\]/
    )
  })
  it("choice and permutation take a 0-d integer array as a count, like a number (JAX's int(a))", () => {
    const five = np.array(5, { dtype: "int32" })
    assert.deepStrictEqual(ints(random.choice(key, five, { shape: [3] })), ints(random.choice(key, 5, { shape: [3] })))
    const noReplace = ints(random.choice(key, five, { shape: [5], replace: false }))
    assert.deepStrictEqual([...noReplace].sort(), [0, 1, 2, 3, 4])
    assert.deepStrictEqual(ints(random.permutation(key, five)), ints(random.permutation(key, 5)))
    assert.deepStrictEqual(
      ints(random.permutation(key, np.array(7, { dtype: "uint32" }))),
      ints(random.permutation(key, 7))
    )
    // JAX's TypeError for a 0-d float x; a traced count cannot be a length
    assert.throws(() => random.permutation(key, np.array(5)), DTypeError)
    assert.throws(
      () => runSync(jit((n: Tensor) => random.permutation(key, n))(five)),
      ConcretizationError
    )
  })
  it("randint refuses a non-integer dtype (JAX's TypeError)", () => {
    for (const dtype of ["float32", "float64", "bool", "complex64"]) {
      assert.throws(() => random.randint(key, [3], 0, 5, { dtype } as never), /randint only accepts integer dtypes/)
    }
    assert.strictEqual(random.randint(key, [3], 0, 5, { dtype: "uint32" }).dtype, "uint32")
  })
  it("gamma, beta and dirichlet: means", () => {
    const g = flat(random.gamma(key, 3, { shape: [4000] }))
    assert.isBelow(Math.abs(g.reduce((a, b) => a + b, 0) / 4000 - 3), 0.15)
    const b = flat(random.beta(key, 2, 6, { shape: [4000] }))
    assert.isBelow(Math.abs(b.reduce((a, v) => a + v, 0) / 4000 - 0.25), 0.02)
    const d = toJsSync(random.dirichlet(key, np.array([1, 2, 3]), { shape: [3] })) as Array<Array<number>>
    for (const row of d) assert.closeTo(row.reduce((a, v) => a + v, 0), 1, 1e-5)
  })
  it("gamma's reparameterized gradient (JAX's testGammaGrad): -(dCDF/da) / pdf at each sample", () => {
    for (const alpha of [0.3, 1, 4.5]) {
      for (const logSpace of [false, true]) {
        const alphas = np.full([60], alpha, { dtype: "float64" })
        const k = random.key(7)
        const z = random.gamma(k, alphas, { dtype: "float64" })
        const g = runSync(
          grad((a: Tensor) =>
            np.sum(
              logSpace ? np.exp(random.loggamma(k, a, { dtype: "float64" })) : random.gamma(k, a, { dtype: "float64" })
            )
          )(alphas)
        )
        const eps = (0.01 * alpha) / (1 + Math.sqrt(alpha))
        const cdf = (a: number) => flat(lax.igamma(np.full([60], a, { dtype: "float64" }), z))
        const up = cdf(alpha + eps)
        const down = cdf(alpha - eps)
        const lg = flat(lax.lgamma(np.array([alpha], { dtype: "float64" })))[0]!
        flat(z).forEach((x, i) => {
          const pdf = Math.exp((alpha - 1) * Math.log(x) - x - lg)
          if (!(pdf > 1e-200)) return
          const want = -(up[i]! - down[i]!) / (2 * eps) / pdf
          assert.closeTo(flat(g)[i]!, want, 1e-4 * (1 + Math.abs(want)), `alpha=${alpha} x=${x}`)
        })
      }
    }
  })
  it("the gradients of gamma moments: d E[x]/da = 1, d E[log x]/da = trigamma(a) (through loggamma)", () => {
    const a = np.array(2.5, { dtype: "float64" })
    const n = 4000
    const dMean = flat(
      runSync(grad((t: Tensor) => np.mean(random.gamma(key, t, { shape: [n], dtype: "float64" })))(a))
    )[0]!
    assert.isBelow(Math.abs(dMean - 1), 0.05)
    const dLog = flat(
      runSync(grad((t: Tensor) => np.mean(random.loggamma(key, t, { shape: [n], dtype: "float64" })))(a))
    )[0]!
    // trigamma(2.5) = pi^2 / 2 - 4 - 4/9
    assert.isBelow(Math.abs(dLog - (Math.PI ** 2 / 2 - 4 - 4 / 9)), 0.03)
  })
  it("poisson: small and large rates", () => {
    const small = ints(random.poisson(key, 3, { shape: [3000] }))
    assert.isBelow(Math.abs(small.reduce((a, b) => a + b, 0) / 3000 - 3), 0.15)
    const large = ints(random.poisson(key, 50, { shape: [2000] }))
    assert.isBelow(Math.abs(large.reduce((a, b) => a + b, 0) / 2000 - 50), 1)
  })
  it("poisson's dtype: uint32 holds the int32 counts; a float dtype is a DTypeError (JAX's dtype option)", () => {
    const counts = ints(random.poisson(key, 3, { shape: [50] }))
    const u = random.poisson(key, 3, { shape: [50], dtype: "uint32" })
    assert.strictEqual(u.dtype, "uint32")
    assert.deepStrictEqual(ints(u), counts)
    assert.deepStrictEqual(ints(random.poisson(key, 3, { shape: [50], dtype: "int32" })), counts)
    assert.throws(() => random.poisson(key, 3, { dtype: "float32" } as never), DTypeError)
  })
  it("method: \"exact\" is the default sampler; \"approximate\" is refused clearly, other names too", () => {
    const exact = <A>(f: (method?: "exact") => A) =>
      assert.deepStrictEqual(flat(f("exact") as Tensor), flat(f() as Tensor))
    exact((method) => random.gamma(key, 2, { shape: [3], method }))
    exact((method) => random.loggamma(key, 2, { shape: [3], method }))
    exact((method) => random.beta(key, 2, 3, { shape: [3], method }))
    exact((method) => random.chisquare(key, 2, { shape: [3], method }))
    exact((method) => random.poisson(key, 2, { shape: [3], method }))
    const calls = [
      (method: never) => random.gamma(key, 2, { method }),
      (method: never) => random.loggamma(key, 2, { method }),
      (method: never) => random.beta(key, 2, 3, { method }),
      (method: never) => random.chisquare(key, 2, { method }),
      (method: never) => random.poisson(key, 2, { method })
    ]
    for (const call of calls) {
      assert.throws(() => call("approximate" as never), /method must be "exact" \(JAX's loop-free "approximate"/)
      assert.throws(() => call("fast" as never), ArgumentError)
    }
  })
  it("orthogonal: Q^T Q = I, also for wide matrices", () => {
    const q = random.orthogonal(key, 4, { dtype: "float64" })
    assertClose(np.matmul(np.transpose(q), q), flat(np.eye(4)), 1e-12)
    const w = random.orthogonal(key, 2, { m: 5, dtype: "float64" })
    assertClose(np.matmul(w, np.transpose(w)), flat(np.eye(2)), 1e-12)
  })
  it("ball: points inside the unit ball", () => {
    const p = toJsSync(random.ball(key, 3, { shape: [200] })) as Array<Array<number>>
    assert.isTrue(p.every((v) => Math.hypot(...v) <= 1))
  })
  it("rademacher, bernoulli, weibullMin, laplace, logistic, cauchy, gumbel, exponential: shapes and ranges", () => {
    assert.isTrue(ints(random.rademacher(key, [100])).every((v) => v === 1 || v === -1))
    assert.strictEqual(random.bernoulli(key, 0.3, { shape: [2, 2] }).dtype, "bool")
    assert.isTrue(flat(random.exponential(key, [100])).every((v) => v >= 0))
    assert.isTrue(flat(random.weibullMin(key, 2, 1.5, [100])).every((v) => v >= 0))
    for (const f of [random.laplace, random.logistic, random.cauchy, random.gumbel]) {
      assert.isTrue(flat(f(key, [50])).every(Number.isFinite))
    }
  })
})

describe("keys under transformations", () => {
  it("vmap(split) equals splitting each key", () => {
    const keys = random.split(random.key(3), 4)
    const batched = runSync(vmap((k: Tensor) => random.split(k, 2))(keys))
    const looped = np.stack(Array.from({ length: 4 }, (_, i) => random.split(np.index(keys, i), 2)))
    assert.deepStrictEqual(ints(batched), ints(looped))
  })
  it("vmap(normal) over keys equals a loop, in both streams", () => {
    for (const flag of [true, false]) {
      random.withPartitionable(flag, () => {
        const keys = random.split(random.key(9), 3)
        const batched = runSync(vmap((k: Tensor) => random.normal(k, [4]))(keys))
        const looped = np.stack(Array.from({ length: 3 }, (_, i) => random.normal(np.index(keys, i), [4])))
        assert.deepStrictEqual(flat(batched), flat(looped))
      })
    }
  })
  it("gamma under vmap (a traced rejection loop) equals the eager loop", () => {
    const keys = random.split(random.key(11), 3)
    const batched = runSync(vmap((k: Tensor) => random.gamma(k, 0.7, { shape: [4] }))(keys))
    const looped = np.stack(Array.from({ length: 3 }, (_, i) => random.gamma(np.index(keys, i), 0.7, { shape: [4] })))
    assert.deepStrictEqual(flat(batched), flat(looped))
  })
  it("grad: integer primitives carry zero tangents; samples are constants of the derivative", () => {
    const key = random.key(4)
    const u = random.uniform(key, [3])
    assert.deepStrictEqual(
      flat(runSync(grad((x: Tensor) => np.sum(np.multiply(x, random.uniform(key, [3]))))(np.ones([3])))),
      flat(u)
    )
    // d/dx [x * float(xor(int(x), 5))] at 2.5 = float(xor(2, 5)) = 7: xor contributes no tangent
    const f = (x: Tensor) =>
      np.multiply(x, np.astype(lax.xor(np.astype(x, "int32"), lax.full([], 5, "int32")), "float32"))
    assert.deepStrictEqual(flat(runSync(grad(f)(np.array(2.5)))), [7])
    const g = (x: Tensor) =>
      np.multiply(x, np.astype(lax.shiftLeft(np.astype(x, "uint32"), lax.full([], 2, "uint32")), "float32"))
    assert.deepStrictEqual(flat(runSync(grad(g)(np.array(3.5)))), [12])
  })
  it("random functions stage: makeProgram of uniform records uint32 primitives", () => {
    const program = runSync(makeProgram((k: Tensor) => random.uniform(k, [2]))(random.key(0)))
    const text = String(program)
    assert.include(text, "shift_right_logical")
    assert.include(text, "xor")
  })
})

describe("eager samplers run compiled (JAX's samplers are jitted functions)", () => {
  it("a large eager draw runs as one compiled program and equals the jitted draw bit for bit", () => {
    for (const flag of [true, false]) {
      random.withPartitionable(flag, () => {
        const key = random.key(21)
        for (
          const [name, draw] of [
            ["normal", (k: Tensor) => random.normal(k, [64, 48])],
            ["uniform", (k: Tensor) => random.uniform(k, [3000], { minval: -2, maxval: 5 })],
            ["bits", (k: Tensor) => random.bits(k, [50, 50])],
            ["split", (k: Tensor) => random.split(k, 600)],
            ["float64 normal", (k: Tensor) => random.normal(k, [1500], { dtype: "float64" })]
          ] as const
        ) {
          const before = programRunnerStats.compiled
          const eager = draw(key)
          assert.isAbove(programRunnerStats.compiled, before, `${name}: compiled`)
          const staged = runSync(jit(draw)(key))
          assert.deepStrictEqual(flat(eager), flat(staged), `${name} (partitionable ${flag})`)
        }
      })
    }
  })
  it("a small draw is interpreted once and compiled when its signature comes again, with the same values", () => {
    const key = random.key(5)
    const first = random.normal(key, [7, 3])
    const compiled = programRunnerStats.compiled
    const again = random.normal(key, [7, 3])
    assert.isAbove(programRunnerStats.compiled, compiled)
    assert.deepStrictEqual(flat(again), flat(first))
  })
  it("traced samplers are staged inline (no nested call), and the stream is read when each runs", () => {
    const text = runSync(jit((k: Tensor) => random.normal(k, [4096])).lower(random.key(0))).text
    assert.notInclude(text, "jit_call")
    // the flag is part of the compiled signature: switching streams switches values
    const key = random.key(8)
    const a = flat(random.uniform(key, [2048]))
    const b = flat(legacy(() => random.uniform(key, [2048])))
    assert.notDeepEqual(a, b)
    assert.deepStrictEqual(flat(random.uniform(key, [2048])), a)
    assert.deepStrictEqual(flat(legacy(() => random.uniform(key, [2048]))), b)
  })
})
