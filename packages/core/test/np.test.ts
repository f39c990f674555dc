import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f32 = (v: np.NestedArray | number) => np.array(v)
const f64 = (v: np.NestedArray | number) => np.array(v, { dtype: "float64" })
const i32 = (v: np.NestedArray | number) => np.array(v, { dtype: "int32" })
const b = (v: np.NestedArray | boolean) => np.array(v)
const c64 = (v: np.NestedArray) => np.array(v, { dtype: "complex64" })
const c128 = (v: np.NestedArray) => np.array(v, { dtype: "complex128" })

describe("np creation", () => {
  it("zeros, ones, full and the *Like variants", () => {
    expect.tensor(np.zeros([2, 2]), "float32", [[0, 0], [0, 0]], { weak: false })
    expect.tensor(np.ones(3, { dtype: "int32" }), "int32", [1, 1, 1])
    expect.tensor(np.full([2], 7, { dtype: "int32" }), "int32", [7, 7])
    // jnp.full keeps a Python scalar's weak type
    expect.tensor(np.full([2], 2.5), "float32", [2.5, 2.5], { weak: true })
    expect.tensor(np.full([2, 2], f32([1, 2])), "float32", [[1, 2], [1, 2]])
    expect.tensor(np.zerosLike(i32([5, 6])), "int32", [0, 0])
    expect.tensor(np.onesLike(c128([{ re: 0, im: 3 }])), "complex128", [{ re: 1, im: 0 }])
    expect.tensor(np.fullLike(b([true, true]), false), "bool", [false, false])
    expect.tensor(np.zerosLike(f32([1]), { dtype: "float64" }), "float64", [0])
    // JAX's shape option: x's dtype, another shape
    expect.tensor(np.zerosLike(i32([5, 6]), { shape: [2, 3] }), "int32", [[0, 0, 0], [0, 0, 0]])
    expect.tensor(np.onesLike(i32([5, 6]), { shape: [3], dtype: "float32" }), "float32", [1, 1, 1])
    expect.tensor(np.fullLike(i32([5, 6]), i32([7, 8]), { shape: [2, 2] }), "int32", [[7, 8], [7, 8]])
    expect.tensor(np.emptyLike(i32([5, 6]), { shape: [1] }), "int32", [0])
    assert.include(failure(() => np.zerosLike(i32([5]), { shape: [-1] }), "ShapeError"), "non-negative")
  })
  it("arange follows NumPy (int32 for integer arguments)", () => {
    expect.tensor(np.arange(5), "int32", [0, 1, 2, 3, 4])
    expect.tensor(np.arange(2, 8, { step: 3 }), "int32", [2, 5])
    expect.tensor(np.arange(0, 1, { step: 0.25 }), "float32", [0, 0.25, 0.5, 0.75])
    expect.tensor(np.arange(5, 0, { step: -2 }), "int32", [5, 3, 1])
    expect.tensor(np.arange(0, 3, { dtype: "float64" }), "float64", [0, 1, 2])
    assert.deepStrictEqual(np.arange(3, 1).shape, [0])
  })
  it("linspace includes the endpoint unless told not to", () => {
    expect.tensor(np.linspace(0, 1, { num: 5 }), "float32", [0, 0.25, 0.5, 0.75, 1])
    expect.tensor(np.linspace(0, 1, { num: 4, endpoint: false }), "float32", [0, 0.25, 0.5, 0.75])
    expect.tensor(np.linspace(2, 3, { num: 1 }), "float32", [2])
  })
  it("eye and identity", () => {
    expect.tensor(np.eye(2), "float32", [[1, 0], [0, 1]])
    expect.tensor(np.eye(2, { m: 3, k: 1 }), "float32", [[0, 1, 0], [0, 0, 1]])
    expect.tensor(np.identity(2, { dtype: "int32" }), "int32", [[1, 0], [0, 1]])
  })
})

describe("np arithmetic", () => {
  it("add, subtract, multiply per dtype", () => {
    expect.tensor(np.add(f32([1, 2]), f32([3, 4])), "float32", [4, 6])
    expect.tensor(np.subtract(f64([1, 2]), f64([0.5, 4])), "float64", [0.5, -2])
    expect.tensor(np.multiply(i32([3, -4]), i32([5, 6])), "int32", [15, -24])
    // NumPy: + on bool is or, * on bool is and
    expect.tensor(np.add(b([true, false, false]), b([false, false, true])), "bool", [true, false, true])
    expect.tensor(np.multiply(b([true, true]), b([false, true])), "bool", [false, true])
    // (1+2i)(3-i) = 5+5i
    expect.tensor(np.multiply(c64([{ re: 1, im: 2 }]), c64([{ re: 3, im: -1 }])), "complex64", [{ re: 5, im: 5 }])
    expect.tensor(np.add(c128([{ re: 1, im: 2 }]), 1), "complex128", [{ re: 2, im: 2 }])
  })
  it("a JS -0 operand is -0, not the cached +0 (x - 0 then x - -0, x + 0 then x + -0)", () => {
    const signs = (t: Parameters<typeof js>[0]) =>
      (js(t) as Array<number>).map((v) => Object.is(v, -0) ? "-0" : String(v))
    const x = f32([-0, 1])
    // IEEE: -0 - 0 = -0, -0 - -0 = +0, -0 + 0 = +0, -0 + -0 = -0 (the scalars share a cache)
    assert.deepStrictEqual(signs(np.subtract(x, 0)), ["-0", "1"])
    assert.deepStrictEqual(signs(np.subtract(x, -0)), ["0", "1"])
    assert.deepStrictEqual(signs(np.add(x, 0)), ["0", "1"])
    assert.deepStrictEqual(signs(np.add(x, -0)), ["-0", "1"])
    assert.deepStrictEqual(signs(np.subtract(f64([-0]), -0)), ["0"])
  })
  it("broadcasting follows NumPy", () => {
    expect.tensor(np.add(f32([[1], [2]]), f32([10, 20, 30])), "float32", [[11, 21, 31], [12, 22, 32]])
    expect.tensor(np.multiply(np.ones([2, 1, 3]), f32([[1], [2]])), "float32", [
      [[1, 1, 1], [2, 2, 2]],
      [[1, 1, 1], [2, 2, 2]]
    ])
  })
  it("incompatible shapes are a BroadcastError naming both shapes", () => {
    const m = failure(() => np.add(np.ones([2, 3]), np.ones([4])), "BroadcastError")
    assert.include(m, "(2, 3)")
    assert.include(m, "(4,)")
  })
  it("divide is true division; floorDivide and mod follow NumPy's signs", () => {
    expect.tensor(np.divide(i32([1, 7]), i32([2, 2])), "float32", [0.5, 3.5])
    expect.tensor(np.trueDivide(f64([1]), 4), "float64", [0.25])
    expect.tensor(np.floorDivide(i32([7, -7, 7, -7]), i32([2, 2, -2, -2])), "int32", [3, -4, -4, 3])
    expect.tensor(np.floorDivide(f32([7, -7]), f32([2, 2])), "float32", [3, -4])
    // np.mod(-7, 2) = 1, np.mod(7, -2) = -1: the sign of the divisor
    expect.tensor(np.mod(i32([7, -7, 7, -7]), i32([2, 2, -2, -2])), "int32", [1, 1, -1, -1])
    expect.tensor(np.remainder(f32([-3.5, 3.5]), f32([2, 2])), "float32", [0.5, 1.5])
    expect.tensor(np.mod(f64([-4]), f64([2])), "float64", [0])
  })
  it("floorDivide is Python's //: float_divmod on floats, XLA's x / 0 = -1 on integers (JAX's values)", () => {
    // 0.1 is a little more than 1/10, so 1 // 0.1 is 9 (1 / 0.1 rounds to 10)
    expect.tensor(np.floorDivide(f32([1, -1, 5.5, -5.5]), f32([0.1, 0.1, 2, 2])), "float32", [9, -10, 2, -3])
    expect.tensor(np.floorDivide(f64([1, -1]), f64([0.1, 0.1])), "float64", [9, -10])
    expect.tensor(np.mod(f64([1]), f64([0.1])), "float64", [0.09999999999999995])
    // by zero: x / 0 for floats; for integers the truncating -1, less one where x is not 0
    expect.tensor(np.floorDivide(f32([7, -7, 0]), f32([0, 0, 0])), "float32", [Infinity, -Infinity, NaN])
    expect.tensor(np.floorDivide(i32([7, -7, 0]), i32([0, 0, 0])), "int32", [-2, -2, -1])
    // integer remainders by zero are 0 (JAX divides by one there)
    expect.tensor(np.mod(i32([7, -7, 0]), i32([0, 0, 0])), "int32", [0, 0, 0])
    expect.tensor(np.fmod(i32([7, -7]), i32([0, 0])), "int32", [0, 0])
    // unsigned: truncation (XLA's x / 0 is all ones)
    const u32 = (v: Array<number>) => np.array(v, { dtype: "uint32" })
    expect.tensor(np.floorDivide(u32([7, 9]), u32([2, 0])), "uint32", [3, 4294967295])
  })
  it("power: integer exponents exactly, others through pow", () => {
    expect.tensor(np.power(i32([2, 3]), 3), "int32", [8, 27])
    expect.tensor(np.power(f32([2, 4]), 0.5), "float32", [Math.SQRT2, 2])
    expect.tensor(np.power(f64([2]), -2), "float64", [0.25])
    expect.tensor(np.power(f32([2, 3]), f32([2, 0])), "float32", [4, 1])
    // (1+i)^2 = 2i
    expect.tensor(np.power(c64([{ re: 1, im: 1 }]), 2), "complex64", [{ re: 0, im: 2 }], { tol: 1e-6 })
    // integer bases and integer tensor exponents stay integers (JAX's _pow_int_int): 0 ** 0 = 1,
    // 0 ** n = 0, signs, and wrap-around past 2^31 (3 ** 21 mod 2^32)
    expect.tensor(
      np.power(i32([2, 3, 0, 0, -2, -1, 3, 1]), i32([3, 2, 0, 5, 3, 63, 21, 63])),
      "int32",
      [8, 9, 1, 0, -8, -1, Number(BigInt.asIntN(32, 3n ** 21n)), 1]
    )
    expect.tensor(np.power(np.array([true, false]), np.array([true, true])), "int32", [1, 0])
    expect.tensor(np.power(np.array([2, 3], { dtype: "uint32" }), np.array([31, 2], { dtype: "uint32" })), "uint32", [
      2 ** 31,
      9
    ])
    // a concrete integer scalar exponent is integer_pow, as in JAX: exact, and negative is a TypeError there
    expect.tensor(np.power(i32([5]), np.array(3, { dtype: "int32" })), "int32", [125])
    expect.tensor(np.power(f32([1.1]), np.array(2, { dtype: "int32" })), "float32", [Math.fround(1.1) ** 2], {
      tol: 1e-7
    })
    assert.include(
      failure(() => np.power(i32([2]), np.array(-1, { dtype: "int32" })), "DTypeError"),
      "negative power -1"
    )
    // a float base with an integer exponent array stays float
    expect.tensor(np.power(f32([2, 2]), i32([-1, 3])), "float32", [0.5, 8])
  })
  it("negative, positive, reciprocal, square", () => {
    expect.tensor(np.negative(i32([1, -2])), "int32", [-1, 2])
    expect.tensor(np.positive(f32([3])), "float32", [3])
    expect.tensor(np.reciprocal(i32([2, 4])), "float32", [0.5, 0.25])
    expect.tensor(np.square(c64([{ re: 0, im: 1 }])), "complex64", [{ re: -1, im: 0 }])
    expect.tensor(np.square(i32([-3])), "int32", [9])
  })
  it("transcendental functions (integers promote to float32 first)", () => {
    const xs = [0.1, 0.5, 0.9]
    const cases: ReadonlyArray<readonly [(x: np.TensorLike) => ReturnType<typeof np.sin>, (x: number) => number]> = [
      [np.sqrt, Math.sqrt],
      [np.exp, Math.exp],
      [np.log, Math.log],
      [np.log1p, Math.log1p],
      [np.expm1, Math.expm1],
      [np.sin, Math.sin],
      [np.cos, Math.cos],
      [np.tan, Math.tan],
      [np.arcsin, Math.asin],
      [np.arccos, Math.acos],
      [np.arctan, Math.atan],
      [np.sinh, Math.sinh],
      [np.cosh, Math.cosh],
      [np.tanh, Math.tanh],
      [np.sigmoid, (x) => 1 / (1 + Math.exp(-x))]
    ]
    for (const [f, ref] of cases) {
      expect.tensor(f(f64(xs)), "float64", xs.map(ref), { tol: 1e-14 })
      expect.tensor(f(f32(xs)), "float32", xs.map(ref), { tol: 2e-6 })
    }
    expect.tensor(np.sqrt(i32([4, 9])), "float32", [2, 3])
    expect.tensor(np.exp(b([true, false])), "float32", [Math.E, 1], { tol: 1e-6 })
    // erf(0.5) = 0.5204998778130465 (Abramowitz-Stegun tables)
    expect.tensor(np.erf(f64([0, 0.5, -0.5])), "float64", [0, 0.5204998778130465, -0.5204998778130465], { tol: 1e-7 })
    // exp(i*pi) = -1
    expect.tensor(np.exp(c128([{ re: 0, im: Math.PI }])), "complex128", [{ re: -1, im: 0 }], { tol: 1e-15 })
  })
  it("arctan2 gives the quadrant", () => {
    expect.tensor(np.arctan2(f64([1, 1, -1, -1]), f64([1, -1, 1, -1])), "float64", [
      Math.PI / 4,
      3 * Math.PI / 4,
      -Math.PI / 4,
      -3 * Math.PI / 4
    ], { tol: 1e-15 })
  })
  it("abs, sign, floor, ceil, round, clip", () => {
    expect.tensor(np.abs(i32([-3, 4])), "int32", [3, 4])
    expect.tensor(np.absolute(c64([{ re: 3, im: -4 }])), "float32", [5])
    expect.tensor(np.abs(c128([{ re: 3, im: 4 }])), "float64", [5])
    expect.tensor(np.sign(f32([-2, 0, 3])), "float32", [-1, 0, 1])
    expect.tensor(np.sign(i32([-2, 0, 3])), "int32", [-1, 0, 1])
    expect.tensor(np.floor(f32([-1.5, 1.5])), "float32", [-2, 1])
    expect.tensor(np.ceil(f64([-1.5, 1.5])), "float64", [-1, 2])
    expect.tensor(np.floor(i32([3])), "int32", [3])
    // NumPy rounds half to even
    expect.tensor(np.round(f32([0.5, 1.5, 2.5, -0.5])), "float32", [0, 2, 2, -0])
    expect.tensor(np.round(f64([1.234, 5.678]), { decimals: 2 }), "float64", [1.23, 5.68], { tol: 1e-12 })
    expect.tensor(np.clip(f32([-2, 0.5, 3]), { min: 0, max: 1 }), "float32", [0, 0.5, 1])
    expect.tensor(np.clip(i32([-2, 5]), { max: i32(1) }), "int32", [-2, 1])
  })
  it("maximum and minimum propagate NaN", () => {
    expect.tensor(np.maximum(f32([1, 5, NaN]), f32([3, 2, 0])), "float32", [3, 5, NaN])
    expect.tensor(np.minimum(i32([1, 5]), i32([3, 2])), "int32", [1, 2])
  })
  it("NaN propagates through arithmetic and reductions", () => {
    expect.tensor(np.add(f32([NaN, 1]), 1), "float32", [NaN, 2])
    expect.tensor(np.sum(f64([1, NaN])), "float64", NaN)
    expect.tensor(np.max(f32([1, NaN, 3])), "float32", NaN)
  })
})

describe("np comparisons and logic", () => {
  it("comparisons give bool", () => {
    const x = f32([1, 2, 3])
    expect.tensor(np.equal(x, 2), "bool", [false, true, false])
    expect.tensor(np.notEqual(x, 2), "bool", [true, false, true])
    expect.tensor(np.less(x, 2), "bool", [true, false, false])
    expect.tensor(np.lessEqual(x, 2), "bool", [true, true, false])
    expect.tensor(np.greater(i32([1, 3]), i32([2, 2])), "bool", [false, true])
    expect.tensor(np.greaterEqual(x, f32([[3], [1]])), "bool", [[false, false, true], [true, true, true]])
    expect.tensor(np.equal(c64([{ re: 1, im: 1 }]), c64([{ re: 1, im: 1 }])), "bool", [true])
    expect.tensor(np.equal(f32([NaN]), f32([NaN])), "bool", [false])
  })
  it("logical ops treat non-zero as true", () => {
    expect.tensor(np.logicalAnd(f32([0, 1, 2]), b([true, true, false])), "bool", [false, true, false])
    expect.tensor(np.logicalOr(i32([0, 0, 3]), i32([0, 1, 0])), "bool", [false, true, true])
    expect.tensor(np.logicalNot(f32([0, 2])), "bool", [true, false])
  })
  it("where broadcasts and promotes", () => {
    expect.tensor(np.where(b([true, false]), 1, 0), "float32", [1, 0], { weak: true })
    expect.tensor(np.where(f32([[1], [0]]), i32([1, 2]), i32(9)), "int32", [[1, 2], [9, 9]])
  })
  it("isnan, isinf, isfinite", () => {
    const x = f32([NaN, Infinity, -Infinity, 1])
    expect.tensor(np.isnan(x), "bool", [true, false, false, false])
    expect.tensor(np.isinf(x), "bool", [false, true, true, false])
    expect.tensor(np.isfinite(x), "bool", [false, false, false, true])
    expect.tensor(np.isfinite(i32([1])), "bool", [true])
  })
})

describe("np reductions", () => {
  const m = [[1, 2, 3], [4, 5, 6]]
  it("sum over axes, with keepdims and negative axes", () => {
    expect.tensor(np.sum(f32(m)), "float32", 21)
    expect.tensor(np.sum(f32(m), { axis: 0 }), "float32", [5, 7, 9])
    expect.tensor(np.sum(i32(m), { axis: -1 }), "int32", [6, 15])
    expect.tensor(np.sum(f64(m), { axis: [0, 1], keepdims: true }), "float64", [[21]])
    expect.tensor(np.sum(f32(m), { axis: 1, keepdims: true }), "float32", [[6], [15]])
    // sum of bool counts (int32)
    expect.tensor(np.sum(b([true, true, false])), "int32", 2)
    expect.tensor(np.sum(c64([{ re: 1, im: 2 }, { re: 3, im: -1 }])), "complex64", { re: 4, im: 1 })
  })
  it("bad axes are AxisErrors; duplicates are refused", () => {
    assert.include(
      failure(() => np.sum(f32(m), { axis: 2 }), "AxisError"),
      "axis 2 is out of bounds for array of dimension 2"
    )
    assert.include(failure(() => np.sum(f32(m), { axis: [0, -2] }), "ShapeError"), "duplicate")
  })
  it("mean, prod, max, min", () => {
    expect.tensor(np.mean(i32(m)), "float32", 3.5)
    expect.tensor(np.mean(f64(m), { axis: 0 }), "float64", [2.5, 3.5, 4.5])
    expect.tensor(np.prod(f32(m), { axis: 1 }), "float32", [6, 120])
    expect.tensor(np.prod(i32([[2, 3]])), "int32", 6)
    expect.tensor(np.max(f32(m), { axis: 0 }), "float32", [4, 5, 6])
    expect.tensor(np.min(i32(m), { axis: 1, keepdims: true }), "int32", [[1], [4]])
    assert.include(failure(() => np.max(np.zeros([0])), "ShapeError"), "zero-size array")
  })
  it("argmax and argmin return the first extremum as int32", () => {
    expect.tensor(np.argmax(f32([1, 3, 3, 2])), "int32", 1)
    expect.tensor(np.argmin(f32(m), { axis: 1 }), "int32", [0, 0])
    expect.tensor(np.argmax(f32(m)), "int32", 5)
    expect.tensor(np.argmax(f32(m), { axis: 0, keepdims: true }), "int32", [[1, 1, 1]])
  })
  it("cumsum along an axis or over the flattened array", () => {
    expect.tensor(np.cumsum(f32([1, 2, 3])), "float32", [1, 3, 6])
    expect.tensor(np.cumsum(i32(m), { axis: 1 }), "int32", [[1, 3, 6], [4, 9, 15]])
    expect.tensor(np.cumsum(f32(m)), "float32", [1, 3, 6, 10, 15, 21])
    expect.tensor(np.cumsum(b([true, true])), "int32", [1, 2])
  })
  it("var and std (population by default, ddof for samples)", () => {
    expect.tensor(np.var(f32([1, 2, 3, 4])), "float32", 1.25)
    expect.tensor(np.var(f64([1, 2, 3, 4]), { ddof: 1 }), "float64", 5 / 3, { tol: 1e-15 })
    expect.tensor(np.std(f64(m), { axis: 1 }), "float64", [Math.sqrt(2 / 3), Math.sqrt(2 / 3)], { tol: 1e-15 })
    // complex: mean of |x - mean|^2 is real: values i and -i have mean 0 and variance 1
    expect.tensor(np.var(c64([{ re: 0, im: 1 }, { re: 0, im: -1 }])), "float32", 1)
  })
  it("var, std, nanvar, nanstd with a given mean (JAX's and NumPy 2's mean option)", () => {
    // x = [[1, 2, 4], [3, 5, 9]], mean = [[2], [5]]: NumPy's np.var(x, axis=1, mean=m) -> [5/3, 20/3]
    const x = f64([[1, 2, 4], [3, 5, 9]])
    const mean = f64([[2], [5]])
    expect.tensor(np.var(x, { axis: 1, mean }), "float64", [5 / 3, 20 / 3], { tol: 1e-15 })
    expect.tensor(np.std(x, { axis: 1, mean, ddof: 1 }), "float64", [Math.sqrt(2.5), Math.sqrt(10)], { tol: 1e-15 })
    // with where: the first row's 4 is left out: ((1-2)^2 + 0) / 2
    const where = np.array([[true, true, false], [true, true, true]])
    expect.tensor(np.var(x, { axis: 1, mean, where }), "float64", [0.5, 20 / 3], { tol: 1e-15 })
    expect.tensor(np.nanvar(f64([[1, NaN, 4]]), { axis: 1, mean: f64([[2]]) }), "float64", [2.5], { tol: 1e-15 })
    expect.tensor(np.nanstd(x, { axis: 1, mean }), "float64", [Math.sqrt(5 / 3), Math.sqrt(20 / 3)], { tol: 1e-15 })
  })
  it("logsumexp is stable for large and infinite inputs", () => {
    expect.tensor(np.logsumexp(f64([1000, 1000])), "float64", 1000 + Math.LN2, { tol: 1e-15 })
    expect.tensor(np.logsumexp(f64([[0, Math.log(3)], [-1000, -1000]]), { axis: 1 }), "float64", [
      Math.log(4),
      -1000 + Math.LN2
    ], { tol: 1e-14 })
    expect.tensor(np.logsumexp(f32([-Infinity, -Infinity])), "float32", -Infinity)
    expect.tensor(np.logsumexp(f32([1, 2]), { keepdims: true }), "float32", [Math.log(Math.E + Math.E ** 2)], {
      tol: 1e-6
    })
  })
})

describe("np linear algebra", () => {
  const a = [[1, 2], [3, 4]]
  const bm = [[5, 6], [7, 8]]
  it("dot: vectors, matrices, matrix-vector", () => {
    expect.tensor(np.dot(f32([1, 2, 3]), f32([4, 5, 6])), "float32", 32)
    expect.tensor(np.dot(i32(a), i32(bm)), "int32", [[19, 22], [43, 50]])
    expect.tensor(np.dot(f64(a), f64([1, 1])), "float64", [3, 7])
    expect.tensor(np.dot(f32(a), 2), "float32", [[2, 4], [6, 8]])
    // N-d: sum over the last axis of x and the second-to-last of y -> shape (2, 2, 2)
    assert.deepStrictEqual(np.dot(np.ones([2, 3]), np.ones([2, 3, 2])).shape, [2, 2, 2])
  })
  it("matmul: 1-D operands, batches and broadcasting", () => {
    expect.tensor(np.matmul(f32(a), f32(bm)), "float32", [[19, 22], [43, 50]])
    expect.tensor(np.matmul(f32([1, 1]), f32(a)), "float32", [4, 6])
    expect.tensor(np.matmul(f32(a), f32([1, 1])), "float32", [3, 7])
    expect.tensor(np.matmul(f32([1, 2]), f32([3, 4])), "float32", 11)
    const batch = f32([a, bm])
    expect.tensor(np.matmul(batch, f32([[1, 0], [0, 2]])), "float32", [[[1, 4], [3, 8]], [[5, 12], [7, 16]]])
    expect.tensor(np.matmul(f32([[1, 0], [0, 2]]), batch), "float32", [[[1, 2], [6, 8]], [[5, 6], [14, 16]]])
    assert.deepStrictEqual(np.matmul(np.ones([3, 1, 2, 4]), np.ones([5, 4, 6])).shape, [3, 5, 2, 6])
    expect.tensor(np.matmul(c64([[{ re: 0, im: 1 }]]), c64([[{ re: 0, im: 1 }]])), "complex64", [[{ re: -1, im: 0 }]])
  })
  it("matmul errors name the shapes", () => {
    assert.include(failure(() => np.matmul(np.ones([2, 3]), np.ones([2, 3])), "ShapeError"), "(2, 3)")
    assert.isString(failure(() => np.matmul(np.ones([2]), 3), "ShapeError"))
    assert.isString(failure(() => np.matmul(np.ones([2, 2, 3]), np.ones([3, 3, 2])), "BroadcastError"))
  })
  it("tensordot, inner, outer", () => {
    expect.tensor(np.tensordot(f32(a), f32(bm), { axes: 1 }), "float32", [[19, 22], [43, 50]])
    expect.tensor(np.tensordot(f32(a), f32(bm)), "float32", 70)
    expect.tensor(np.tensordot(f32(a), f32(bm), { axes: [[0], [0]] }), "float32", [[26, 30], [38, 44]])
    expect.tensor(np.inner(f32(a), f32(bm)), "float32", [[17, 23], [39, 53]])
    expect.tensor(np.outer(f32([1, 2]), f32([3, 4, 5])), "float32", [[3, 4, 5], [6, 8, 10]])
  })
  it("einsum: common two- and one-operand forms", () => {
    expect.tensor(np.einsum("ij,jk->ik", f32(a), f32(bm)), "float32", [[19, 22], [43, 50]])
    expect.tensor(np.einsum("ij,jk", f32(a), f32(bm)), "float32", [[19, 22], [43, 50]])
    expect.tensor(np.einsum("ij,kj->ik", f32(a), f32(bm)), "float32", [[17, 23], [39, 53]])
    expect.tensor(np.einsum("ij,ij->", f32(a), f32(bm)), "float32", 70)
    expect.tensor(np.einsum("i,j->ij", f32([1, 2]), f32([3, 4])), "float32", [[3, 4], [6, 8]])
    expect.tensor(np.einsum("ij,jk->ki", f32(a), f32(bm)), "float32", [[19, 43], [22, 50]])
    expect.tensor(np.einsum("bij,bjk->bik", f32([a, bm]), f32([a, bm])), "float32", [
      [[7, 10], [15, 22]],
      [[67, 78], [91, 106]]
    ])
    expect.tensor(np.einsum("ij->ji", f32(a)), "float32", [[1, 3], [2, 4]])
    expect.tensor(np.einsum("ij->i", f32(a)), "float32", [3, 7])
    expect.tensor(np.einsum("ij->", f32(a)), "float32", 10)
    expect.tensor(np.einsum("ij,j->i", f32(a), i32([1, 1])), "float32", [3, 7])
    expect.tensor(np.einsum("ij,k->i", f32(a), f32([1, 2])), "float32", [9, 21])
    // diagonals and traces: a = [[1, 2], [3, 4]]
    expect.tensor(np.einsum("ii->i", f32(a)), "float32", [1, 4])
    expect.tensor(np.einsum("ii", f32(a)), "float32", 5)
    expect.tensor(np.einsum("ii,i->i", f32(a), f32([10, 100])), "float32", [10, 400])
    const cube = np.reshape(np.arange(27), [3, 3, 3])
    // element (i, j, k) is 9i + 3j + k: "iij->j" sums 12i + 3j... over i -> 36 + 9j; "iii->i" is 13i
    expect.tensor(np.einsum("iij->j", cube), "int32", [36, 39, 42])
    expect.tensor(np.einsum("iii->i", cube), "int32", [0, 13, 26])
    expect.tensor(np.einsum("bii->b", f32([a, [[5, 6], [7, 8]]])), "float32", [5, 13])
    assert.isString(failure(() => np.einsum("ii->i", np.ones([2, 3])), "ShapeError"))
    // ellipses are supported (numpy.einsum.test.ts); malformed ones are refused
    assert.isString(failure(() => np.einsum("..i->i", np.ones([2, 3])), "ShapeError"))
    assert.include(failure(() => np.einsum("ij,jk->ik", f32(a), np.ones([3, 2])), "ShapeError"), "label \"j\"")
    // (NumPy's and JAX's: one arrow; "ij->i->j" ran as "ij->i")
    assert.include(failure(() => np.einsum("ij->i->j", np.ones([2, 2])), "ShapeError"), "only contain one")
    assert.include(failure(() => np.einsum("i...->...->", np.ones([2, 2])), "ShapeError"), "only contain one")
  })
})

describe("np shapes", () => {
  const x = np.arange(6)
  it("reshape with -1, ravel", () => {
    expect.tensor(np.reshape(x, [2, -1]), "int32", [[0, 1, 2], [3, 4, 5]])
    expect.tensor(np.ravel(np.reshape(x, [3, 2])), "int32", [0, 1, 2, 3, 4, 5])
    assert.include(failure(() => np.reshape(x, [4, -1]), "ShapeError"), "cannot reshape array of size 6")
    assert.isString(failure(() => np.reshape(x, [-1, -1]), "ShapeError"))
    assert.include(failure(() => np.reshape(x, [4]), "ShapeError"), "(6,)")
  })
  it("transpose, swapaxes, moveaxis", () => {
    const y = np.reshape(np.arange(24), [2, 3, 4])
    expect.tensor(np.transpose(np.reshape(x, [2, 3])), "int32", [[0, 3], [1, 4], [2, 5]])
    assert.deepStrictEqual(np.transpose(y, { axes: [1, 0, 2] }).shape, [3, 2, 4])
    assert.deepStrictEqual(np.swapaxes(y, 0, -1).shape, [4, 3, 2])
    assert.deepStrictEqual(np.moveaxis(y, 0, -1).shape, [3, 4, 2])
    assert.deepStrictEqual(np.moveaxis(y, [0, 1], [-1, -2]).shape, [4, 3, 2])
    // element (i, j, k) of y is 12i + 4j + k; moved to (j, k, i)
    expect.tensor(
      np.moveaxis(y, 0, -1),
      "int32",
      [0, 1, 2].map((j) => [0, 1, 2, 3].map((k) => [4 * j + k, 12 + 4 * j + k]))
    )
    assert.isString(failure(() => np.transpose(y, { axes: [0, 0, 1] }), "ShapeError"))
  })
  it("squeeze, expandDims, broadcastTo", () => {
    assert.deepStrictEqual(np.squeeze(np.ones([1, 2, 1])).shape, [2])
    assert.deepStrictEqual(np.squeeze(np.ones([1, 2, 1]), { axis: -1 }).shape, [1, 2])
    assert.isString(failure(() => np.squeeze(np.ones([1, 2]), { axis: 1 }), "ShapeError"))
    assert.deepStrictEqual(np.expandDims(np.ones([2]), 0).shape, [1, 2])
    assert.deepStrictEqual(np.expandDims(np.ones([2]), [0, -1]).shape, [1, 2, 1])
    expect.tensor(np.broadcastTo(f32([1, 2]), [2, 2]), "float32", [[1, 2], [1, 2]])
    const m = failure(() => np.broadcastTo(np.ones([3]), [4]), "BroadcastError")
    assert.include(m, "(3,)")
    assert.include(m, "(4,)")
    assert.isString(failure(() => np.broadcastTo(np.ones([2, 1]), [2]), "BroadcastError"))
  })
  it("concatenate, stack, split", () => {
    expect.tensor(np.concatenate([f32([[1, 2]]), i32([[3, 4]])]), "float32", [[1, 2], [3, 4]])
    expect.tensor(np.concatenate([f32([[1], [2]]), f32([[3], [4]])], { axis: -1 }), "float32", [[1, 3], [2, 4]])
    expect.tensor(np.stack([f32([1, 2]), f32([3, 4])], { axis: 1 }), "float32", [[1, 3], [2, 4]])
    assert.isString(failure(() => np.stack([np.ones([2]), np.ones([3])]), "ShapeError"))
    assert.isString(failure(() => np.concatenate([np.ones([2, 2]), np.ones([2, 3])]), "ShapeError"))
    const parts = np.split(x, 3)
    assert.deepStrictEqual(parts.map(js), [[0, 1], [2, 3], [4, 5]])
    assert.deepStrictEqual(np.split(x, [1, 4]).map(js), [[0], [1, 2, 3], [4, 5]])
    assert.include(failure(() => np.split(x, 4), "ShapeError"), "equal division")
  })
  it("take and at: negative indices; take follows JAX's out-of-bounds modes, at raises IndexError", () => {
    const t = f32([10, 20, 30])
    expect.tensor(np.take(t, [2, -1, 0]), "float32", [30, 30, 10])
    expect.tensor(np.take(f32([[1, 2], [3, 4]]), [1], { axis: 1 }), "float32", [[2], [4]])
    expect.tensor(np.take(f32([[1, 2], [3, 4]]), 3), "float32", 4)
    expect.tensor(np.take(t, i32([-1, 1])), "float32", [30, 20])
    // jnp.take's default mode "fill": out of [-n, n) reads NaN (floats), the most negative int32, true
    expect.tensor(np.take(t, [3, -4, 1]), "float32", [NaN, NaN, 20])
    expect.tensor(np.take(t, i32([0, 5])), "float32", [10, NaN])
    expect.tensor(np.take(t, np.add(i32([5]), i32([0]))), "float32", [NaN])
    expect.tensor(np.take(i32([1, 2]), [2]), "int32", [-2147483648])
    expect.tensor(np.take(np.array([false]), [1]), "bool", [true])
    expect.tensor(np.take(t, [7], { fillValue: -1 }), "float32", [-1])
    expect.tensor(np.take(f32([[1, 2], [3, 4]]), [2, 0], { axis: 0 }), "float32", [[NaN, NaN], [1, 2]])
    // "clip" clamps (a negative index to 0), "wrap" wraps
    expect.tensor(np.take(t, [3, -1, -5], { mode: "clip" }), "float32", [30, 10, 10])
    expect.tensor(np.take(t, np.add(i32([3, -1]), i32([0, 0])), { mode: "clip" }), "float32", [30, 10])
    expect.tensor(np.take(t, [3, -1, -5], { mode: "wrap" }), "float32", [10, 30, 20])
    expect.tensor(np.take(t, np.add(i32([3, -1, -5]), i32([0, 0, 0])), { mode: "wrap" }), "float32", [10, 30, 20])
    assert.isString(failure(() => np.take(t, [0], { mode: "raise" as never }), "ArgumentError"))
    assert.include(failure(() => np.take(f32([]), [0]), "IndexError"), "size 0")
    assert.isString(failure(() => np.take(t, f32([1])), "DTypeError"))
    expect.tensor(f32([[1, 2], [3, 4]]).at(-1), "float32", [3, 4])
    expect.tensor(t.at(1), "float32", 20)
    assert.isString(failure(() => t.at(3), "IndexError"))
  })
  it("flip, pad, tile, repeat", () => {
    expect.tensor(np.flip(f32([[1, 2], [3, 4]])), "float32", [[4, 3], [2, 1]])
    expect.tensor(np.flip(f32([[1, 2], [3, 4]]), { axis: 1 }), "float32", [[2, 1], [4, 3]])
    expect.tensor(np.pad(i32([1, 2]), 1), "int32", [0, 1, 2, 0])
    expect.tensor(np.pad(f32([[1]]), [[1, 0], [0, 2]], { constantValues: 9 }), "float32", [[9, 9, 9], [1, 9, 9]])
    expect.tensor(np.pad(c64([{ re: 1, im: 1 }]), [0, 1]), "complex64", [{ re: 1, im: 1 }, { re: 0, im: 0 }])
    assert.isString(failure(() => np.pad(f32([1]), -1), "ShapeError"))
    expect.tensor(np.tile(f32([1, 2]), 2), "float32", [1, 2, 1, 2])
    expect.tensor(np.tile(f32([1, 2]), [2, 1]), "float32", [[1, 2], [1, 2]])
    expect.tensor(np.tile(f32([[1], [2]]), [1, 3]), "float32", [[1, 1, 1], [2, 2, 2]])
    expect.tensor(np.repeat(f32([1, 2]), 2), "float32", [1, 1, 2, 2])
    expect.tensor(np.repeat(f32([[1, 2], [3, 4]]), 2, { axis: 0 }), "float32", [[1, 2], [1, 2], [3, 4], [3, 4]])
    expect.tensor(np.repeat(f32([[1, 2], [3, 4]]), 2, { axis: 1 }), "float32", [[1, 1, 2, 2], [3, 3, 4, 4]])
  })
})

describe("np complex numbers and types", () => {
  const z = c64([{ re: 3, im: 4 }, { re: -1, im: 0 }])
  it("real, imag, conj, angle", () => {
    expect.tensor(np.real(z), "float32", [3, -1])
    expect.tensor(np.imag(z), "float32", [4, 0])
    expect.tensor(np.conj(z), "complex64", [{ re: 3, im: -4 }, { re: -1, im: -0 }])
    expect.tensor(np.angle(z), "float32", [Math.atan2(4, 3), Math.PI], { tol: 1e-6 })
    expect.tensor(np.real(f64([2])), "float64", [2])
    expect.tensor(np.imag(f64([2])), "float64", [0])
    expect.tensor(np.conj(f32([2])), "float32", [2])
    expect.tensor(np.angle(f64([-2, 2])), "float64", [Math.PI, 0])
    expect.tensor(np.real(c128([{ re: 1.5, im: 2 }])), "float64", [1.5])
  })
  it("complex builds complex64 or complex128 from parts", () => {
    expect.tensor(np.complex(f32([1, 2]), 0.5), "complex64", [{ re: 1, im: 0.5 }, { re: 2, im: 0.5 }])
    expect.tensor(np.complex(f64([1]), f64([-1])), "complex128", [{ re: 1, im: -1 }])
    expect.tensor(np.complex(i32([1]), i32([2])), "complex64", [{ re: 1, im: 2 }])
    assert.isString(failure(() => np.complex(z, 1), "DTypeError"))
  })
  it("astype converts (and makes the type strong)", () => {
    expect.tensor(np.astype(f32([1.7, -1.7]), "int32"), "int32", [1, -1])
    expect.tensor(np.astype(i32([0, 3]), "bool"), "bool", [false, true])
    expect.tensor(np.astype(b([true]), "float64"), "float64", [1])
    expect.tensor(np.astype(f32([2]), "complex64"), "complex64", [{ re: 2, im: 0 }])
    expect.tensor(np.astype(z, "float32"), "float32", [3, -1])
    expect.tensor(np.astype(np.add(i32([1]), 0.5), "float32"), "float32", [1.5], { weak: false })
  })
  it("stopGradient is the identity on values", () => {
    expect.tensor(np.stopGradient(f32([1, 2])), "float32", [1, 2])
  })
})
