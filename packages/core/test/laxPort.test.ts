/**
 * lax against JAX's tests/lax_test.py and XLA's semantics where diffect differed:
 * reduce_precision (XLA's EmitReducePrecisionIR on the bits: subnormals kept with
 * the operand's exponent width, NaN to +inf with no mantissa bits, wider formats
 * accepted, JAX's linear derivative), cbrt (within one ulp at the ends of the
 * range, JAX's derivative), clamp (JAX's shape rule and boundary derivatives),
 * lax.reduce's repeated axes, reshape's `dimensions` check and pad's JS number.
 * Values are derived by hand, or printed by the Python line quoted beside them.
 */
import { Close, thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  DTypeError,
  grad,
  jit,
  lax,
  np,
  runSync,
  ShapeError,
  type Tensor,
  toJsSync,
  TreeStructureError,
  vmap
} from "diffect"

const assertClose = Close.assertClose
const f32 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "float32" })
const f64 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "float64" })
const i32 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "int32" })
const js = (t: Tensor) => toJsSync(t) as Array<number>
const assertBits = (got: ReadonlyArray<number>, want: ReadonlyArray<number>) =>
  assert.deepStrictEqual(got.map((v) => (Object.is(v, -0) ? "-0" : v)), want.map((v) => (Object.is(v, -0) ? "-0" : v)))
const gradOf = (f: (x: Tensor) => Tensor, x: Tensor) => js(runSync(grad((v: Tensor) => np.sum(f(v)))(x)))

// The distance in float64 ulps (of the larger magnitude) between two finite floats.
const ulps64 = (a: number, b: number) => Math.abs(a - b) / (Math.max(Math.abs(a), Math.abs(b)) * 2 ** -52)

describe("reducePrecision as XLA's ReducePrecision", () => {
  it("with float64's own 11 exponent bits a subnormal is rounded in place, not flushed", () => {
    // XLA rounds the mantissa bits and, the exponent width unchanged, skips the range check
    assertBits(js(lax.reducePrecision(f64([1e-310, 5e-324, -1e-311]), 11, 52)), [1e-310, 5e-324, -1e-311])
    // to 10 mantissa bits a subnormal is a multiple of 2^(-1022 - 10); 0.75 * 2^-1022 keeps its 2 bits
    // xla_rp([1e-310, -1e-311, 2.5e-320, 2.2250738585072014e-308 * 0.75], np.float64, 11, 10)
    // (a NumPy port of EmitReducePrecisionIR on the uint64 bits)
    assertBits(js(lax.reducePrecision(f64([1e-310, -1e-311, 2.5e-320, 2 ** -1022 * 0.75]), 11, 10)), [
      1.0864618449742e-310,
      -0,
      0,
      1.668805393880401e-308
    ])
    // with fewer exponent bits everything below the smallest normal is flushed (float64 as float32);
    // float(np.float32(1.2e-38)) = 1.199999978106707e-38
    assertBits(js(lax.reducePrecision(f64([1e-310, -1e-40, 1.2e-38]), 8, 23)), [0, -0, 1.199999978106707e-38])
  })

  it("with no mantissa bits NaN becomes +infinity; values round to powers of two", () => {
    // XLA: result = select(x_is_nan, +inf, result) when dest_mantissa_bits == 0; the ties 1.5 and 3
    // go to the even exponent (the last kept bit is the exponent's lowest): 2 and 2
    assertBits(js(lax.reducePrecision(f32([NaN, 1, 1.5, -2.9, 3]), 5, 0)), [Infinity, 1, 2, -2, 2])
    assertBits(js(lax.reducePrecision(f64([NaN, 1, 1.5, -2.9]), 8, 0)), [Infinity, 1, 2, -2])
    // with mantissa bits NaN stays NaN
    assert.isNaN(js(lax.reducePrecision(f32([NaN]), 5, 1))[0])
  })

  it("takes a format wider than the operand's (JAX's testReducePrecision to float64 from float32)", () => {
    const x = f32([Math.PI, 1e-45, -3e38])
    assertBits(js(lax.reducePrecision(x, 11, 52)), js(x))
    assertBits(js(runSync(jit((v: Tensor) => lax.reducePrecision(v, 11, 52))(x))), js(x))
    assert.instanceOf(thrown(() => lax.reducePrecision(x, 0, 10)), ArgumentError)
    assert.instanceOf(thrown(() => lax.reducePrecision(x, 5, -1)), ArgumentError)
  })

  it("is differentiable: the tangent passes through (it was zero through the bit operations)", () => {
    // JAX: ad.deflinear(reduce_precision_p, ...); at a cotangent of 1, reduce_precision(1) = 1
    assert.deepStrictEqual(gradOf((v) => lax.reducePrecision(v, 8, 7), f32([Math.PI, -2.5, 1e-3])), [1, 1, 1])
    assert.deepStrictEqual(gradOf((v) => lax.reducePrecision(v, 5, 10), f64([0.1, 7])), [1, 1])
  })
})

describe("cbrt", () => {
  it("at the largest floats (the Newton step's y^3 overflowed: cbrt(f32 max) was -inf)", () => {
    // np.cbrt(np.float32(3.4028234663852886e38)) = 6.981464e+12 (float32 6981463572480)
    assertBits(js(lax.cbrt(f32([3.4028234663852886e38, -3.4028234663852886e38]))), [6981463572480, -6981463572480])
    // np.cbrt(1.7976931348623157e308) = 5.643803094122362e+102
    assertBits(js(lax.cbrt(f64([1.7976931348623157e308]))), [5.643803094122362e102])
  })

  it("on subnormals, within one ulp (the step's y^3 lost their digits)", () => {
    // np.cbrt(np.float32(1e-45)) = 1.1190347e-15 (was 1.1190335e-15, 9 ulps off);
    // np.cbrt(5e-324) = 1.7031839360032603e-108 (was ...2837e-108)
    assertBits(js(lax.cbrt(f32([1e-45, -1e-45]))), [1.119034708375443e-15, -1.119034708375443e-15])
    assertBits(js(lax.cbrt(f64([5e-324]))), [1.7031839360032603e-108])
  })

  it("within one ulp of Math.cbrt on every binade; exact cubes exact; signed zeros, infinities, NaN", () => {
    const xs: Array<number> = []
    for (let e = -1074; e < 1024; e += 7) for (const m of [1, 1.3, 1.77]) xs.push(m * 2 ** e, -m * 2 ** e)
    const got = js(lax.cbrt(f64(xs)))
    const worst = Math.max(...xs.map((x, i) => ulps64(got[i]!, Math.cbrt(x))))
    assert.isAtMost(worst, 1)
    const xs32 = xs.filter((x) => Math.abs(x) >= 2 ** -149 && Math.abs(x) < 2 ** 128).map(Math.fround)
    const got32 = js(lax.cbrt(f32(xs32)))
    // one float32 ulp of the larger magnitude
    const ulps32 = (a: number, b: number) =>
      Math.abs(a - b) / Math.max(Math.abs(a) * 2 ** -23, Math.abs(b) * 2 ** -23, 2 ** -149)
    assert.isAtMost(Math.max(...xs32.map((x, i) => ulps32(got32[i]!, Math.fround(Math.cbrt(x))))), 1)
    const cubes = [1, 8, 27, 1000, 3375, 1331000, 0.125, 2 ** -30]
    assert.deepStrictEqual(js(lax.cbrt(f32(cubes))), [1, 2, 3, 10, 15, 110, 0.5, 2 ** -10])
    const special = js(lax.cbrt(f64([-0, 0, Infinity, -Infinity, NaN])))
    assertBits(special.slice(0, 4), [-0, 0, Infinity, -Infinity])
    assert.isNaN(special[4])
  })

  it("has JAX's derivative g / (3 cbrt(x)^2), also where x^2 underflows", () => {
    // 1 / (3 * 2^2) = 1/12; 1 / (3 * 1e-200) (the step's derivative squared y^2 and gave -inf)
    assertClose(gradOf(lax.cbrt, f64([8, -8, 1e-300])), [1 / 12, 1 / 12, 1 / 3e-200], 1e-15)
  })
})

describe("clamp", () => {
  it("derivatives are JAX's: zero at the bounds, min's where x < min < max, max's where max < x", () => {
    const x = f64([0, 0.5, 1, -1, 2])
    // clamp_p's JVP: operand where min < x < max (min(max) gave 0.5 at x = 0 and x = 1)
    assert.deepStrictEqual(gradOf((v) => lax.clamp(0, v, 1), x), [0, 1, 0, 0, 0])
    const lo = f64([0, 0, 0, 0, 0])
    assert.deepStrictEqual(gradOf((v) => lax.clamp(v, x, f64(1)), lo), [0, 0, 0, 1, 0])
    assert.deepStrictEqual(gradOf((v) => lax.clamp(f64(0), x, v), f64([1, 1, 1, 1, 1])), [0, 0, 0, 0, 1])
    // a scalar bound collects its elements: x < 0.25 < 1 at x = 0 and x = -1
    assert.strictEqual(toJsSync(runSync(grad((v: Tensor) => np.sum(lax.clamp(v, x, f64(1))))(f64(0.25)))), 2)
    // min > max gives max (XLA's min(max(x, lo), hi)), and its derivative only where max < x
    assert.deepStrictEqual(js(lax.clamp(f64(2), x, f64(1))), [1, 1, 1, 1, 1])
    assert.deepStrictEqual(gradOf((v) => lax.clamp(f64(2), x, v), f64([1, 1, 1, 1, 1])), [0, 0, 0, 0, 1])
  })

  it("bounds are scalars or of the operand's shape and dtype (JAX's _clamp_shape_rule)", () => {
    const e = thrown(() => lax.clamp(f32([0, 0, 0]), f32([1, 2]), f32(1)))
    assert.instanceOf(e, ShapeError)
    assert.include(
      (e as Error).message,
      "clamp requires min.shape == operand.shape or min.shape == (), got min.shape=(3,), operand.shape=(2,)"
    )
    const d = thrown(() => lax.clamp(i32(0), f32([1, 2]), f32(1)))
    assert.instanceOf(d, DTypeError)
    assert.include((d as Error).message, "lax.clamp requires arguments to have the same dtypes")
    assert.instanceOf(thrown(() => lax.clamp(0.5, i32([1, 2]), 3)), DTypeError)
    assert.deepStrictEqual(js(lax.clamp(0, i32([-4, 2, 9]), 3)), [0, 2, 3])
  })
})

describe("shape arguments", () => {
  it("lax.reduce rejects a repeated axis (JAX's test_reduction_with_repeated_axes_error)", () => {
    const e = thrown(() => lax.reduce(np.arange(3), 0, lax.add, [0, 0]))
    assert.instanceOf(e, ShapeError)
    assert.include((e as Error).message, "duplicate value in 'axes'")
    // a generic computation too (it reduced the axis once: 3, not an error)
    assert.instanceOf(thrown(() => lax.reduce(np.arange(3), 1, (a, b) => lax.mul(a, b), [0, -1])), ShapeError)
  })

  it("reshape's dimensions must be a permutation of the operand's axes (JAX's _reshape_shape_rule)", () => {
    const x = f32([[1, 2]])
    // [0] was taken as no transpose
    const e = thrown(() => lax.reshape(x, [2], [0]))
    assert.instanceOf(e, ShapeError)
    assert.include((e as Error).message, "reshape dimensions must be a permutation of operand dimensions")
    // JAX's wording opens with the operation's name: not prefixed with it again ("reshape: reshape ...")
    assert.match((e as Error).message, /^reshape dimensions must be a permutation/)
    assert.instanceOf(thrown(() => lax.reshape(x, [2], [1, 1])), ShapeError)
    assert.deepStrictEqual(js(lax.reshape(x, [2], [1, 0])), [1, 2])
  })

  it("pad takes a JS number as its padding value, in the operand's dtype (JAX's lax.pad(x, 0, ...))", () => {
    const x = i32([1, 2, 3])
    const y = lax.pad(x, 0, [[0, 0, 1]])
    assert.strictEqual(y.dtype, "int32")
    assert.deepStrictEqual(js(y), [1, 0, 2, 0, 3])
    assert.deepStrictEqual(js(lax.pad(f32([1, 2]), -1.5, [[-1, 2, 0]])), [2, -1.5, -1.5])
    assert.instanceOf(thrown(() => lax.pad(x, 0.5, [[1, 1, 0]])), DTypeError)
  })
})

describe("convertElementType of a JS number (JAX's Python scalars)", () => {
  it("an integer wraps into 32 bits (testConvertElementTypeOOB: convert_element_type(2 ** 32, 'int32') == 0)", () => {
    // np.asarray(2**32).astype(np.int32) = 0, np.asarray(2**31).astype(np.int32) = -2147483648,
    // np.asarray(-1).astype(np.uint32) = 4294967295 (the number went through float32 and saturated)
    assert.strictEqual(toJsSync(lax.convertElementType(2 ** 32, "int32")), 0)
    assert.strictEqual(toJsSync(lax.convertElementType(2 ** 31, "int32")), -2147483648)
    assert.strictEqual(toJsSync(lax.convertElementType(-1, "uint32")), 4294967295)
    assert.strictEqual(toJsSync(lax.convertElementType(2 ** 32 + 5, "uint32")), 5)
    // np.asarray(-10**12).astype(np.int32) = 727379968
    assert.strictEqual(toJsSync(lax.convertElementType(-1e12, "int32")), 727379968)
    // a non-integer converts as a float (truncated, NaN to 0, saturating)
    assert.deepStrictEqual([2.7, NaN, -1e12 - 0.5].map((v) => toJsSync(lax.convertElementType(v, "int32"))), [
      2,
      0,
      -2147483648
    ])
    assert.deepStrictEqual([0, NaN, -0.5].map((v) => toJsSync(lax.convertElementType(v, "bool"))), [false, true, true])
  })

  it("keeps a float64's digits (0.1 went through float32: 0.10000000149011612)", () => {
    const y = lax.convertElementType(0.1, "float64")
    assert.deepStrictEqual([y.dtype, y.weakType, toJsSync(y)], ["float64", false, 0.1])
    assert.strictEqual(lax.convertElementType(0.1, "float32", true).weakType, true)
  })
})

describe("weak types (JAX's testUnaryWeakTypes)", () => {
  it("cbrt, populationCount, clz, reducePrecision, clamp keep a weakly typed operand weak", () => {
    const wf = lax.full([2], 0.5, "float32", true)
    const wi = lax.full([2], 7, "int32", true)
    const outs = [
      lax.cbrt(wf),
      lax.populationCount(wi),
      lax.clz(wi),
      lax.reducePrecision(wf, 5, 10),
      lax.clamp(0, wf, 1),
      lax.nextafter(wf, wf)
    ]
    assert.deepStrictEqual(outs.map((y) => y.weakType), [true, true, true, true, true, true])
    // a strong operand (or a strong bound) gives a strong result
    assert.strictEqual(lax.cbrt(f32([8])).weakType, false)
    assert.strictEqual(lax.clamp(f32(0), wf, f32(1)).weakType, false)
    assert.strictEqual(lax.nextafter(wf, f32([1, 1])).weakType, false)
    assert.deepStrictEqual(js(lax.populationCount(wi)), [3, 3])
  })
})

describe("lax.reduce of a pytree (JAX's variadic reduce)", () => {
  it("reduces the leaves together (test_reduce_correctly_works_with_pytrees)", () => {
    const r = lax.reduce(
      { x: [np.ones([5]), np.arange(5)] },
      { x: [0, 0] },
      (a, b) => ({ x: [lax.add(a.x[0]!, b.x[0]!), lax.add(a.x[1]!, b.x[1]!)] }),
      [0]
    )
    assert.deepStrictEqual(toJsSync(r.x), [5, 10])
    // an argmax of values and indices, ties to the lower index: rows [3, 9, 9, 1] and [7, 2, 8, 8]
    const x = f32([[3, 9, 9, 1], [7, 2, 8, 8]])
    const [v, i] = lax.reduce(
      [x, lax.broadcastedIota("int32", [2, 4], 1)],
      [-Infinity, 0],
      ([av, ai], [bv, bi]) => {
        const first = lax.or(lax.gt(av!, bv!), lax.and(lax.eq(av!, bv!), lax.lt(ai!, bi!)))
        return [lax.select(first, av!, bv!), lax.select(first, ai!, bi!)]
      },
      [1]
    )
    assert.deepStrictEqual([js(v!), js(i!)], [[9, 8], [1, 2]])
  })

  it("errors as JAX's: mismatched trees, non-scalar initial values, a computation of another structure", () => {
    const e = thrown(() => lax.reduce({ x: np.ones([5]) }, { y: 0 }, (a) => a, [0]))
    assert.instanceOf(e, TreeStructureError)
    assert.include((e as Error).message, "Operands must have the same tree structure as init_values")
    const n = thrown(() => lax.reduce({ x: np.ones([5]) }, { x: np.ones([5]) }, (a) => a, [0]))
    assert.include((n as Error).message, "reduce found non-scalar initial value")
    const x = f32([1, 2])
    assert.instanceOf(thrown(() => lax.reduce([x, x], [0, 0], (a) => [a[0]!], [0])), TreeStructureError)
    assert.instanceOf(thrown(() => lax.reduce([x, f32([1, 2, 3])], [0, 0], (a) => a, [0])), ShapeError)
  })
})

describe("reduceWindow and convolution arguments (JAX's testReduceWindowFailures)", () => {
  it("a zero window dimension or stride names the values", () => {
    const e = thrown(() => lax.reduceWindow(np.ones([1]), 0, lax.add, [0], [1], "VALID"))
    assert.instanceOf(e, ArgumentError)
    assert.include((e as Error).message, "windowDimensions must be integers that are all greater than 0, got [0]")
    const s = thrown(() => lax.reduceWindow(np.ones([1]), 0, lax.add, [1], [0], "VALID"))
    assert.include((s as Error).message, "windowStrides must be integers that are all greater than 0, got [0]")
    const c = thrown(() => lax.convGeneralDilated(np.ones([1, 1, 5, 5]), np.ones([1, 1, 3, 3]), [0, 1], "VALID"))
    assert.include((c as Error).message, "windowStrides must be positive integers, got [0, 1]")
  })

  it("a computation returning another structure is an error (it returned the list)", () => {
    const list = (a: Tensor, b: Tensor) => [lax.add(a, b)] as unknown as Tensor
    assert.instanceOf(thrown(() => lax.reduceWindow(np.ones([1]), 0, list, [1], [1], "VALID")), ArgumentError)
    // a generic computation still folds: products of pairs
    const mul = (a: Tensor, b: Tensor) => lax.mul(a, b)
    assert.deepStrictEqual(js(lax.reduceWindow(f32([1, 2, 3, 4]), 1, mul, [2], [1], "VALID")), [2, 6, 12])
  })
})

describe("JS scalars and index types as JAX takes them (lax_test.py, batching_test.py)", () => {
  it("select takes a JS boolean predicate, also under vmap (JAX's select(True, ...))", () => {
    assert.deepStrictEqual(js(lax.select(true, f32([0, 1]), f32([3, 3]))), [0, 1])
    assert.deepStrictEqual(js(lax.select(false, f32([0, 1]), f32([3, 3]))), [3, 3])
    const batched = runSync(
      vmap((a: Tensor, b: Tensor) => lax.select(true, a, b), { inAxes: [0, null] })(f32([0, 1]), f32(3))
    )
    assert.deepStrictEqual(js(batched as Tensor), [0, 1])
  })

  it("dynamicUpdateSlice takes a JS number update of a scalar operand (JAX's testIssue3883)", () => {
    const out = lax.dynamicUpdateSlice(i32(3), 7, [])
    assert.strictEqual(toJsSync(out), 7)
    assert.strictEqual(out.dtype, "int32")
    assert.isFalse(out.weakType)
    assert.instanceOf(thrown(() => lax.dynamicUpdateSlice(i32(3), 7.5, [])), DTypeError)
    assert.instanceOf(thrown(() => lax.dynamicUpdateSlice(f32([1, 2]), 7, [0])), ShapeError)
  })

  it("start indices of different integer dtypes are a DTypeError (JAX's testDynamicSliceTypeErrors)", () => {
    const mixed = [np.array(1, { dtype: "int32" }), np.array(2, { dtype: "uint32" })]
    const e = thrown(() => lax.dynamicSlice(np.ones([3, 3]), mixed, [2, 2]))
    assert.instanceOf(e, DTypeError)
    assert.include(e.message, "must be integers of the same type, got: int32, uint32")
    assert.instanceOf(thrown(() => lax.dynamicUpdateSlice(np.ones([3, 3]), np.zeros([1, 1]), mixed)), DTypeError)
    // JS numbers are weak: they mix with either
    assert.deepStrictEqual(js(lax.dynamicSlice(f32([1, 2, 3]), [np.array(1, { dtype: "uint32" })], [2])), [2, 3])
  })
})
