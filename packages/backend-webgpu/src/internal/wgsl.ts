/**
 * Compiles kernel IR expressions (core/src/Kernel.ts) to WGSL, honouring the
 * IR's semantics where WGSL leaves a case undefined or different: NaN and
 * infinities (WGSL's built-ins are unspecified on them, and a NaN constant is a
 * shader-creation error), `max`/`min` that propagate NaN, C's `pow` and `fmod`,
 * XLA's integer division by zero, saturating float-to-int casts, and stable
 * `log1p`/`expm1`/`sinh`/`cosh`/`tanh` (WGSL has no log1p/expm1, and the naive
 * hyperbolic formulas overflow).
 */
import { UnsupportedDTypeError } from "@diffect/core"
import type { Kernel } from "@diffect/core"

type Expr = Kernel.Expr
type ScalarType = Kernel.ScalarType

/** The WGSL type of an IR scalar type (f64 has none). */
export const wgslType = (t: ScalarType): string => {
  if (t === "f64") throw new UnsupportedDTypeError({ backend: "webgpu", dtype: "float64" })
  return t
}

// Helper functions, emitted only when used. Constants that are NaN or infinite
// come from private variables so that they are not const-expressions.
const helperSources: Record<string, string> = {
  consts: `var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NINF_BITS: u32 = 0xff800000u;`,
  isnan: `fn isnan_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`,
  isinf: `fn isinf_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }`,
  max: `fn max_f32(a: f32, b: f32) -> f32 {
  if (isnan_f32(a) || isnan_f32(b)) { return bitcast<f32>(NAN_BITS); }
  return select(b, a, a > b);
}`,
  min: `fn min_f32(a: f32, b: f32) -> f32 {
  if (isnan_f32(a) || isnan_f32(b)) { return bitcast<f32>(NAN_BITS); }
  return select(b, a, a < b);
}`,
  sign: `fn sign_f32(x: f32) -> f32 {
  if (isnan_f32(x) || x == 0.0) { return x; }
  return select(-1.0, 1.0, x > 0.0);
}`,
  rem: `fn rem_f32(x: f32, y: f32) -> f32 {
  if (isinf_f32(y) && !isinf_f32(x) && !isnan_f32(x)) { return x; }
  let r = x - y * trunc(x / y);
  // fmod keeps the dividend's sign, including for a zero result.
  return select(r, -abs(r), x < 0.0 && r == 0.0);
}`,
  pow: `fn pow_f32(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (isnan_f32(x) || isnan_f32(y)) { return bitcast<f32>(NAN_BITS); }
  let ax = abs(x);
  if (isinf_f32(y)) {
    if (ax == 1.0) { return 1.0; }
    let grows = (ax > 1.0) == (y > 0.0);
    return select(0.0, bitcast<f32>(INF_BITS), grows);
  }
  let yInt = trunc(y) == y;
  let yOdd = yInt && abs(y) < 16777216.0 && (i32(abs(y)) & 1) == 1;
  if (x == 0.0) {
    let neg = yOdd && (bitcast<u32>(x) & 0x80000000u) != 0u;
    if (y > 0.0) { return select(0.0, x, neg); }
    return select(bitcast<f32>(INF_BITS), bitcast<f32>(NINF_BITS), neg);
  }
  if (x < 0.0 && !yInt) { return bitcast<f32>(NAN_BITS); }
  var r: f32;
  if (isinf_f32(ax)) {
    r = select(0.0, bitcast<f32>(INF_BITS), y > 0.0);
  } else {
    r = exp2(y * log2(ax));
  }
  return select(r, -r, x < 0.0 && yOdd);
}`,
  sqrt: `fn sqrt_f32(x: f32) -> f32 {
  if (x < 0.0) { return bitcast<f32>(NAN_BITS); }
  if (x == 0.0 || isnan_f32(x) || isinf_f32(x)) { return x; }
  return sqrt(x);
}`,
  logcore: `fn log1p_core(m: f32) -> f32 {
  // log(1 + m) for m in [sqrt(1/2) - 1, sqrt(2) - 1]: Cephes' logf polynomial.
  let z = m * m;
  let y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m
    + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m
    + 3.3333331174e-1) * m * z;
  return m + (y - 0.5 * z);
}`,
  log: `fn log_f32(x: f32) -> f32 {
  if (isnan_f32(x) || x < 0.0) { return bitcast<f32>(NAN_BITS); }
  if (x == 0.0) { return bitcast<f32>(NINF_BITS); }
  if (isinf_f32(x)) { return x; }
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)). Built-in log may be log2(x) * ln2,
  // which is inaccurate near 1; ln2 is split in two so e * ln2 stays exact.
  let parts = frexp(x);
  var m = parts.fract;
  var e = f32(parts.exp);
  if (m < 0.70710678118654752) {
    e = e - 1.0;
    m = m + m - 1.0;
  } else {
    m = m - 1.0;
  }
  return (log1p_core(m) + e * (-2.12194440e-4)) + e * 0.693359375;
}`,
  log1p: `fn log1p_f32(x: f32) -> f32 {
  // Near 0 the polynomial takes x itself: 1 + x is never rounded.
  if (x >= -0.29289321881345248 && x <= 0.41421356237309505) { return log1p_core(x); }
  return log_f32(1.0 + x);
}`,
  expcore: `fn expm1_core(r: f32) -> f32 {
  // exp(r) - 1 for |r| <= ln2 / 2: Cephes' expf polynomial without the 1.
  let q = ((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1;
  return q * (r * r) + r;
}`,
  exp: `fn exp_f32(x: f32) -> f32 {
  if (isnan_f32(x)) { return x; }
  if (x > 88.72284) { return bitcast<f32>(INF_BITS); }
  if (x < -103.972084) { return 0.0; }
  // x = k ln2 + r with ln2 split in two (Cody-Waite): built-in exp is
  // exp2(x * log2(e)), whose error grows with |x|.
  let k = floor(x * 1.44269504088896341 + 0.5);
  let r = (x - k * 0.693359375) - k * (-2.12194440e-4);
  let ki = i32(k);
  // Two steps so that neither scale factor overflows near the f32 range's ends.
  return ldexp(ldexp(expm1_core(r) + 1.0, ki / 2i), ki - ki / 2i);
}`,
  expm1: `fn expm1_f32(x: f32) -> f32 {
  if (abs(x) <= 0.34657359027997264) { return expm1_core(x); }
  if (x < -20.0) { return -1.0; }
  return exp_f32(x) - 1.0;
}`,
  sinh: `fn sinh_f32(x: f32) -> f32 {
  let a = abs(x);
  var s: f32;
  if (a < 1.0) {
    let e = expm1_f32(a);
    s = 0.5 * (e + e / (e + 1.0));
  } else {
    // exp(a) / 2 as (e / 2) * e with e = exp(a / 2): exact argument (a - ln2
    // would round), and no overflow before sinh itself does.
    let e = exp_f32(0.5 * a);
    let h = (0.5 * e) * e;
    s = h - 0.25 / h;
  }
  return select(s, -s, x < 0.0);
}`,
  cosh: `fn cosh_f32(x: f32) -> f32 {
  let e = exp_f32(0.5 * abs(x));
  let h = (0.5 * e) * e;
  return h + 0.25 / h;
}`,
  tanh: `fn tanh_f32(x: f32) -> f32 {
  if (isnan_f32(x)) { return x; }
  let a = abs(x);
  var t: f32 = 1.0;
  if (a < 9.0) {
    let e = expm1_f32(2.0 * a);
    t = e / (e + 2.0);
  }
  return select(t, -t, x < 0.0);
}`,
  trig: `fn sincos_f32(v: f32, cosine: bool) -> f32 {
  // Cephes' sinf/cosf: reduce by pi/4 with a three-part constant, then a
  // polynomial per octant. Built-in sin/cos may have only ~2^-11 absolute accuracy.
  if (isnan_f32(v) || isinf_f32(v)) { return bitcast<f32>(NAN_BITS); }
  var sgn = select(1.0, -1.0, v < 0.0 && !cosine);
  let a = abs(v);
  var j = u32(a * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) {
    j = j + 1u;
    y = y + 1.0;
  }
  j = j & 7u;
  if (j > 3u) {
    sgn = -sgn;
    j = j - 4u;
  }
  if (cosine && j > 1u) { sgn = -sgn; }
  let x = ((a - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  let z = x * x;
  let cosPoly = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  let sinPoly = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x;
  let useCos = (j == 1u || j == 2u) != cosine;
  return sgn * select(sinPoly, cosPoly, useCos);
}`,
  atan: `fn atan_f32(v: f32) -> f32 {
  // Cephes' atanf: reduce |v| by tan(3pi/8) and tan(pi/8), then a polynomial.
  // Built-in atan/asin/acos are not accurate to float32 on every device.
  var x = abs(v);
  var y0 = 0.0;
  if (x > 2.414213562373095) {
    y0 = 1.5707963267948966;
    x = -1.0 / x;
  } else if (x > 0.4142135623730950) {
    y0 = 0.7853981633974483;
    x = (x - 1.0) / (x + 1.0);
  }
  let z = x * x;
  let y = y0 + (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * x + x;
  return select(y, -y, v < 0.0);
}`,
  asin: `fn asin_f32(x: f32) -> f32 {
  if (!(abs(x) <= 1.0)) { return bitcast<f32>(NAN_BITS); }
  return atan2_f32(x, sqrt((1.0 - x) * (1.0 + x)));
}`,
  acos: `fn acos_f32(x: f32) -> f32 {
  if (!(abs(x) <= 1.0)) { return bitcast<f32>(NAN_BITS); }
  return atan2_f32(sqrt((1.0 - x) * (1.0 + x)), x);
}`,
  atan2: `fn atan2_f32(y: f32, x: f32) -> f32 {
  if (isnan_f32(x) || isnan_f32(y)) { return bitcast<f32>(NAN_BITS); }
  if (y == 0.0) {
    // C's atan2 at zero: +-0 for x > 0 or x = +0, +-pi for x < 0 or x = -0.
    let xNeg = (bitcast<u32>(x) & 0x80000000u) != 0u;
    let r = select(0.0, 3.1415927410125732, xNeg);
    return select(r, -r, (bitcast<u32>(y) & 0x80000000u) != 0u);
  }
  if (isinf_f32(x) || isinf_f32(y)) {
    var r: f32;
    if (isinf_f32(x) && isinf_f32(y)) {
      r = select(0.7853981852531433, 2.356194496154785, x < 0.0);
    } else if (isinf_f32(y)) {
      r = 1.5707963705062866;
    } else {
      r = select(0.0, 3.1415927410125732, x < 0.0);
    }
    return select(r, -r, y < 0.0);
  }
  if (x == 0.0) { return select(-1.5707963705062866, 1.5707963705062866, y > 0.0); }
  let a = atan_f32(y / x);
  if (x > 0.0) { return a; }
  return select(a - 3.1415927410125732, a + 3.1415927410125732, y >= 0.0);
}`,
  f32toi32: `fn f32_to_i32(x: f32) -> i32 {
  if (isnan_f32(x)) { return 0i; }
  if (x >= 2147483648.0) { return 2147483647i; }
  if (x <= -2147483648.0) { return -2147483647i - 1i; }
  return i32(x);
}`,
  divi32: `fn div_i32(x: i32, y: i32) -> i32 { return select(x / y, -1i, y == 0i); }`,
  divu32: `fn div_u32(x: u32, y: u32) -> u32 { return select(x / max(y, 1u), 0xffffffffu, y == 0u); }`,
  remu32: `fn rem_u32(x: u32, y: u32) -> u32 { return select(x % max(y, 1u), x, y == 0u); }`,
  powu32: `fn pow_u32(x: u32, y: u32) -> u32 {
  var acc = 1u;
  var b = x;
  var e = y;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { acc = acc * b; }
    b = b * b;
    e = e >> 1u;
  }
  return acc;
}`,
  f32tou32: `fn f32_to_u32(x: f32) -> u32 {
  if (isnan_f32(x) || x <= 0.0) { return 0u; }
  if (x >= 4294967296.0) { return 0xffffffffu; }
  return u32(x);
}`,
  remi32: `fn rem_i32(x: i32, y: i32) -> i32 { return select(x % y, x, y == 0i); }`,
  powi32: `fn pow_i32(x: i32, y: i32) -> i32 {
  if (y < 0i) {
    if (x == 1i) { return 1i; }
    if (x == -1i) { return select(1i, -1i, (y & 1i) == 1i); }
    return 0i;
  }
  var acc = 1i;
  var b = x;
  var e = y;
  loop {
    if (e == 0i) { break; }
    if ((e & 1i) == 1i) { acc = acc * b; }
    b = b * b;
    e = e >> 1u;
  }
  return acc;
}`
}

// What each helper calls, so that including one includes its dependencies.
const helperDeps: Record<string, ReadonlyArray<string>> = {
  isnan: [],
  isinf: [],
  consts: [],
  max: ["isnan", "consts"],
  min: ["isnan", "consts"],
  sign: ["isnan"],
  rem: ["isnan", "isinf"],
  pow: ["isnan", "isinf", "consts"],
  sqrt: ["isnan", "isinf", "consts"],
  expcore: [],
  logcore: [],
  exp: ["isnan", "consts", "expcore"],
  log: ["isnan", "isinf", "consts", "logcore"],
  log1p: ["log"],
  expm1: ["exp"],
  sinh: ["expm1", "exp"],
  cosh: ["exp"],
  tanh: ["expm1", "isnan"],
  trig: ["isnan", "isinf", "consts"],
  atan: [],
  atan2: ["isnan", "isinf", "consts", "atan"],
  asin: ["consts", "atan2"],
  acos: ["consts", "atan2"],
  f32toi32: ["isnan"],
  divi32: [],
  divu32: [],
  remu32: [],
  powu32: [],
  f32tou32: ["isnan"],
  remi32: [],
  powi32: []
}

const helperOrder = Object.keys(helperSources)

/** A set of helper functions a shader needs. */
export class Helpers {
  readonly #used = new Set<string>()
  use(name: string): void {
    if (this.#used.has(name)) return
    for (const dep of helperDeps[name] ?? []) this.use(dep)
    this.#used.add(name)
  }
  /** The WGSL source of the used helpers, in dependency order. */
  source(): string {
    return helperOrder.filter((h) => this.#used.has(h)).map((h) => helperSources[h]).join("\n")
  }
}

/** An f32 literal that is exact (NaN and infinities via private variables). */
export const f32Literal = (value: number, helpers: Helpers): string => {
  if (Number.isNaN(value)) {
    helpers.use("consts")
    return "bitcast<f32>(NAN_BITS)"
  }
  if (value === Infinity || value === -Infinity) {
    helpers.use("consts")
    return value > 0 ? "bitcast<f32>(INF_BITS)" : "bitcast<f32>(NINF_BITS)"
  }
  const v = Math.fround(value)
  if (v === Infinity || v === -Infinity) return f32Literal(v, helpers)
  // Negative literals are parenthesized so that `-` before them never forms `--`.
  if (Number.isInteger(v) && Math.abs(v) < 1e7 && !Object.is(v, -0)) return v < 0 ? `(${v}.0)` : `${v}.0`
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!
  return `bitcast<f32>(0x${bits.toString(16)}u)`
}

const u32Literal = (value: number): string => `${value >>> 0}u`

const i32Literal = (value: number): string => {
  const v = value | 0
  return v === -2147483648 ? "(-2147483647i - 1i)" : v < 0 ? `(${v}i)` : `${v}i`
}

const internal = (what: string): never => {
  throw new Error(`internal: WGSL codegen has no ${what}`)
}

const unaryF32: Record<Kernel.UnaryOp, (x: string, h: Helpers) => string> = {
  neg: (x) => `(-${x})`,
  not: () => internal("not on f32"),
  abs: (x) => `abs(${x})`,
  sign: (x, h) => (h.use("sign"), `sign_f32(${x})`),
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`,
  sqrt: (x, h) => (h.use("sqrt"), `sqrt_f32(${x})`),
  exp: (x, h) => (h.use("exp"), `exp_f32(${x})`),
  log: (x, h) => (h.use("log"), `log_f32(${x})`),
  log1p: (x, h) => (h.use("log1p"), `log1p_f32(${x})`),
  expm1: (x, h) => (h.use("expm1"), `expm1_f32(${x})`),
  sin: (x, h) => (h.use("trig"), `sincos_f32(${x}, false)`),
  cos: (x, h) => (h.use("trig"), `sincos_f32(${x}, true)`),
  tan: (x, h) => (h.use("trig"), `(sincos_f32(${x}, false) / sincos_f32(${x}, true))`),
  asin: (x, h) => (h.use("asin"), `asin_f32(${x})`),
  acos: (x, h) => (h.use("acos"), `acos_f32(${x})`),
  atan: (x, h) => (h.use("atan"), `atan_f32(${x})`),
  sinh: (x, h) => (h.use("sinh"), `sinh_f32(${x})`),
  cosh: (x, h) => (h.use("cosh"), `cosh_f32(${x})`),
  tanh: (x, h) => (h.use("tanh"), `tanh_f32(${x})`),
  isnan: (x, h) => (h.use("isnan"), `isnan_f32(${x})`)
}

const unaryI32 = (op: Kernel.UnaryOp, x: string): string => {
  switch (op) {
    case "neg":
      return `(0i - ${x})`
    case "not":
      return `(~${x})`
    case "abs":
      return `abs(${x})`
    case "sign":
      return `sign(${x})`
    case "floor":
    case "ceil":
    case "round":
      return x
    case "isnan":
      return "false"
    default:
      return internal(`${op} on i32`)
  }
}

const unaryU32 = (op: Kernel.UnaryOp, x: string): string => {
  switch (op) {
    case "neg":
      return `(0u - ${x})`
    case "not":
      return `(~${x})`
    case "abs":
    case "floor":
    case "ceil":
    case "round":
      return x
    case "sign":
      return `select(0u, 1u, ${x} != 0u)`
    case "isnan":
      return "false"
    default:
      return internal(`${op} on u32`)
  }
}

// Shifts by counts >= 32 are XLA's 0 (logical) or sign fill (arithmetic); WGSL would
// take the count modulo 32, so the count is checked first. Counts are read as unsigned.
const shift = (op: "shl" | "shrl" | "shra", x: string, y: string, t: "i32" | "u32"): string => {
  const count = t === "i32" ? `bitcast<u32>(${y})` : y
  const zero = t === "i32" ? "0i" : "0u"
  switch (op) {
    case "shl":
      return `select(${x} << min(${count}, 31u), ${zero}, ${count} >= 32u)`
    case "shrl":
      return t === "u32"
        ? `select(${x} >> min(${count}, 31u), 0u, ${count} >= 32u)`
        : `select(bitcast<i32>(bitcast<u32>(${x}) >> min(${count}, 31u)), 0i, ${count} >= 32u)`
    case "shra":
      return t === "i32"
        ? `(${x} >> min(${count}, 31u))`
        : `bitcast<u32>(bitcast<i32>(${x}) >> min(${count}, 31u))`
  }
}

const binaryU32 = (op: Kernel.BinaryOp, x: string, y: string, h: Helpers): string => {
  switch (op) {
    case "div":
      return h.use("divu32"), `div_u32(${x}, ${y})`
    case "rem":
      return h.use("remu32"), `rem_u32(${x}, ${y})`
    case "pow":
      return h.use("powu32"), `pow_u32(${x}, ${y})`
    case "max":
      return `max(${x}, ${y})`
    case "min":
      return `min(${x}, ${y})`
    case "and":
      return `(${x} & ${y})`
    case "or":
      return `(${x} | ${y})`
    case "xor":
      return `(${x} ^ ${y})`
    case "shl":
    case "shrl":
    case "shra":
      return shift(op, x, y, "u32")
    case "atan2":
      return internal("atan2 on u32")
    default:
      return `(${x} ${infix[op]} ${y})`
  }
}

const unaryBool = (op: Kernel.UnaryOp, x: string): string => {
  switch (op) {
    case "not":
      return `(!${x})`
    case "abs":
    case "floor":
    case "ceil":
    case "round":
      return x
    case "isnan":
      return "false"
    default:
      return internal(`${op} on bool`)
  }
}

const infix: Partial<Record<Kernel.BinaryOp, string>> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  eq: "==",
  ne: "!=",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">="
}

const binaryF32 = (op: Kernel.BinaryOp, x: string, y: string, h: Helpers): string => {
  switch (op) {
    case "rem":
      return h.use("rem"), `rem_f32(${x}, ${y})`
    case "pow":
      return h.use("pow"), `pow_f32(${x}, ${y})`
    case "max":
      return h.use("max"), `max_f32(${x}, ${y})`
    case "min":
      return h.use("min"), `min_f32(${x}, ${y})`
    case "atan2":
      return h.use("atan2"), `atan2_f32(${x}, ${y})`
    case "and":
    case "or":
      return internal(`${op} on f32`)
    // Ordered comparisons spelled out: some drivers (SwiftShader) compile float
    // comparisons as if NaN could not occur.
    case "eq":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return h.use("isnan"), `((${x} ${infix[op]} ${y}) && !(isnan_f32(${x}) || isnan_f32(${y})))`
    case "ne":
      return h.use("isnan"), `(!(${x} == ${y}) || isnan_f32(${x}) || isnan_f32(${y}))`
    default:
      return `(${x} ${infix[op]} ${y})`
  }
}

const binaryI32 = (op: Kernel.BinaryOp, x: string, y: string, h: Helpers): string => {
  switch (op) {
    case "div":
      return h.use("divi32"), `div_i32(${x}, ${y})`
    case "rem":
      return h.use("remi32"), `rem_i32(${x}, ${y})`
    case "pow":
      return h.use("powi32"), `pow_i32(${x}, ${y})`
    case "max":
      return `max(${x}, ${y})`
    case "min":
      return `min(${x}, ${y})`
    case "and":
      return `(${x} & ${y})`
    case "or":
      return `(${x} | ${y})`
    case "xor":
      return `(${x} ^ ${y})`
    case "shl":
    case "shrl":
    case "shra":
      return shift(op, x, y, "i32")
    case "atan2":
      return internal("atan2 on i32")
    default:
      return `(${x} ${infix[op]} ${y})`
  }
}

const binaryBool = (op: Kernel.BinaryOp, x: string, y: string): string => {
  switch (op) {
    case "and":
    case "min":
    case "mul":
      return `(${x} && ${y})`
    case "or":
    case "max":
    case "add":
      return `(${x} || ${y})`
    case "xor":
      return `(${x} != ${y})`
    case "eq":
      return `(${x} == ${y})`
    case "ne":
      return `(${x} != ${y})`
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return `(select(0u, 1u, ${x}) ${infix[op]} select(0u, 1u, ${y}))`
    default:
      return internal(`${op} on bool`)
  }
}

const cast = (from: ScalarType, to: ScalarType, x: string, h: Helpers): string => {
  wgslType(from)
  wgslType(to)
  if (from === to) return x
  if (to === "bool") {
    if (from === "f32") return h.use("isnan"), `(${x} != 0.0 || isnan_f32(${x}))`
    return from === "u32" ? `(${x} != 0u)` : `(${x} != 0i)`
  }
  if (from === "bool") {
    return to === "f32" ? `select(0.0, 1.0, ${x})` : to === "u32" ? `select(0u, 1u, ${x})` : `select(0i, 1i, ${x})`
  }
  // i32 <-> u32 keep the bits (modulo 2^32).
  if (to === "i32") return from === "u32" ? `bitcast<i32>(${x})` : (h.use("f32toi32"), `f32_to_i32(${x})`)
  if (to === "u32") return from === "i32" ? `bitcast<u32>(${x})` : (h.use("f32tou32"), `f32_to_u32(${x})`)
  return `f32(${x})`
}

/**
 * Emits `let` bindings computing `exprs` (shared nodes once), given how to read
 * an input lane. Returns the statements and the names of the results.
 */
export const emitExprs = (
  exprs: ReadonlyArray<Expr>,
  loadInput: (input: Kernel.Input) => string,
  helpers: Helpers,
  indent = "  "
): { readonly body: string; readonly results: ReadonlyArray<string> } => {
  const names = new Map<Expr, string>()
  const lines: Array<string> = []
  const visit = (e: Expr): string => {
    const known = names.get(e)
    if (known !== undefined) return known
    let code: string
    switch (e.kind) {
      case "input":
        wgslType(e.type)
        code = loadInput(e)
        break
      case "const":
        code = e.type === "f32"
          ? f32Literal(e.value, helpers)
          : e.type === "i32"
          ? i32Literal(e.value)
          : e.type === "u32"
          ? u32Literal(e.value)
          : e.type === "bool"
          ? (e.value !== 0 ? "true" : "false")
          : wgslType(e.type)
        // Literals need no binding.
        names.set(e, code)
        return code
      case "unary": {
        const x = visit(e.x)
        const t = e.x.type
        code = t === "f32"
          ? unaryF32[e.op](x, helpers)
          : t === "i32"
          ? unaryI32(e.op, x)
          : t === "u32"
          ? unaryU32(e.op, x)
          : t === "bool"
          ? unaryBool(e.op, x)
          : wgslType(t)
        break
      }
      case "binary": {
        const x = visit(e.x)
        const y = visit(e.y)
        const t = e.x.type
        code = t === "f32"
          ? binaryF32(e.op, x, y, helpers)
          : t === "i32"
          ? binaryI32(e.op, x, y, helpers)
          : t === "u32"
          ? binaryU32(e.op, x, y, helpers)
          : t === "bool"
          ? binaryBool(e.op, x, y)
          : wgslType(t)
        break
      }
      case "select": {
        const c = visit(e.cond)
        const a = visit(e.onTrue)
        const b = visit(e.onFalse)
        code = `select(${b}, ${a}, ${c})`
        break
      }
      case "cast":
        code = cast(e.x.type, e.type, visit(e.x), helpers)
        break
    }
    const name = `v${names.size}`
    lines.push(`${indent}let ${name}: ${wgslType(e.type)} = ${code};`)
    names.set(e, name)
    return name
  }
  const results = exprs.map(visit)
  return { body: lines.join("\n"), results }
}
