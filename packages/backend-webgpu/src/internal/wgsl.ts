/**
 * Compiles kernel IR expressions (core/src/Kernel.ts) to WGSL, honouring the
 * IR's semantics where WGSL leaves a case undefined or different: NaN and
 * infinities (WGSL's built-ins are unspecified on them, and a NaN constant is a
 * shader-creation error), `max`/`min` that propagate NaN, C's `fmod`, XLA's
 * integer division by zero, saturating float-to-int casts, and `ldexp` over the
 * whole float32 range. Transcendental ops never reach it: they are decomposed
 * into the IR first (core's Approximation), so the GPU runs the algorithm that
 * the CPU measures.
 */
import { Approximation, UnsupportedDTypeError } from "@diffect/core"
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
  // The IR's barrier: x with a zero the compiler cannot know OR-ed into its bits (word 0 of the
  // shader's parameters is its grid's width in workgroups, never 2^32 - 1), so that a driver that
  // reassociates (Mesa folds (a + b) - a to b) cannot see through it. Every shader declares
  // params before its helpers.
  barrier:
    `fn barrier_f32(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) | u32(params.w[0].x == 0xffffffffu)); }`,
  max: `fn max_f32(a: f32, b: f32) -> f32 {
  if (isnan_f32(a) || isnan_f32(b)) { return bitcast<f32>(NAN_BITS); }
  return select(b, a, a > b);
}`,
  min: `fn min_f32(a: f32, b: f32) -> f32 {
  if (isnan_f32(a) || isnan_f32(b)) { return bitcast<f32>(NAN_BITS); }
  return select(b, a, a < b);
}`,
  // complex max/min in lexicographic order (real part, then imaginary part); an operand with a
  // NaN part wins (the running value first), as the CPU backend's reductions and scatters
  cmax: `fn cmax_c64(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  if (isnan_f32(a.x) || isnan_f32(a.y)) { return a; }
  if (isnan_f32(b.x) || isnan_f32(b.y)) { return b; }
  return select(a, b, b.x > a.x || (b.x == a.x && b.y > a.y));
}`,
  cmin: `fn cmin_c64(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  if (isnan_f32(a.x) || isnan_f32(a.y)) { return a; }
  if (isnan_f32(b.x) || isnan_f32(b.y)) { return b; }
  return select(a, b, b.x < a.x || (b.x == a.x && b.y < a.y));
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
  sqrt: `fn sqrt_f32(x: f32) -> f32 {
  if (x < 0.0) { return bitcast<f32>(NAN_BITS); }
  if (x == 0.0 || isnan_f32(x) || isinf_f32(x)) { return x; }
  return sqrt(x);
}`,
  ldexp: `fn ldexp_f32(x: f32, n: f32) -> f32 {
  if (isnan_f32(n)) { return bitcast<f32>(NAN_BITS); }
  // WGSL's ldexp is defined for exponents up to the bias (127): three steps of at
  // most 126 cover every float32 result (|n| > 378 overflows or underflows anyway).
  let k = i32(clamp(n, -378.0, 378.0));
  let a = k / 3i;
  let b = (k - a) / 2i;
  return ldexp(ldexp(ldexp(x, a), b), k - a - b);
}`,
  exponent: `fn exponent_f32(x: f32) -> f32 {
  if (x == 0.0 || isnan_f32(x) || isinf_f32(x)) { return 0.0; }
  return f32(frexp(x).exp - 1i);
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
  barrier: [],
  consts: [],
  max: ["isnan", "consts"],
  min: ["isnan", "consts"],
  cmax: ["isnan"],
  cmin: ["isnan"],
  sign: ["isnan"],
  rem: ["isnan", "isinf"],
  sqrt: ["isnan", "isinf", "consts"],
  ldexp: ["isnan", "consts"],
  exponent: ["isnan", "isinf"],
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
  /** How the kernels' transcendental ops are decomposed (the runtime's; Cody-Waite sines by default). */
  constructor(readonly support: Approximation.Support = transcendentals) {}
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

/**
 * How this backend computes each transcendental op on float32: all decomposed
 * into the kernel IR (core's Approximation), since WGSL's built-ins may be far
 * less accurate (2^-11 absolute for sin) and are unspecified on NaN and
 * infinities. The kernels decompose before rendering, so the renderer has
 * built-ins only for the ops declared native (none). Large sines are reduced as the runtime
 * says (`Runtime.transcendentals`: Payne and Hanek's method unless on SwiftShader).
 */
export const transcendentals = Approximation.allDecomposed satisfies Approximation.Support

type RenderedUnary =
  | Exclude<Kernel.UnaryOp, Approximation.TranscendentalUnary>
  | Extract<Approximation.NativeOps<typeof transcendentals>, Kernel.UnaryOp>

const decomposed = (op: string): never => internal(`${op} on f32 (it is decomposed into the IR before rendering)`)

const unaryF32: { readonly [Op in RenderedUnary]: (x: string, h: Helpers) => string } = {
  neg: (x) => `(-${x})`,
  not: () => internal("not on f32"),
  abs: (x) => `abs(${x})`,
  sign: (x, h) => (h.use("sign"), `sign_f32(${x})`),
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`,
  sqrt: (x, h) => (h.use("sqrt"), `sqrt_f32(${x})`),
  exponent: (x, h) => (h.use("exponent"), `exponent_f32(${x})`),
  isnan: (x, h) => (h.use("isnan"), `isnan_f32(${x})`),
  barrier: (x, h) => (h.use("barrier"), `barrier_f32(${x})`)
}

const renderUnaryF32 = (op: Kernel.UnaryOp, x: string, h: Helpers): string => {
  const render = (unaryF32 as Partial<Record<Kernel.UnaryOp, (x: string, h: Helpers) => string>>)[op]
  return render === undefined ? decomposed(op) : render(x, h)
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
    case "barrier":
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
    case "barrier":
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
    case "barrier":
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
    case "atan2":
      return decomposed(op)
    case "ldexp":
      return h.use("ldexp"), `ldexp_f32(${x}, ${y})`
    case "max":
      return h.use("max"), `max_f32(${x}, ${y})`
    case "min":
      return h.use("min"), `min_f32(${x}, ${y})`
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
    case "ldexp":
      return internal(`${op} on i32`)
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
 * an input lane, after decomposing the transcendental ops as `helpers.support` says.
 * Returns the statements and the names of the results.
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
          ? renderUnaryF32(e.op, x, helpers)
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
  const results = Approximation.decompose(exprs, helpers.support).map(visit)
  return { body: lines.join("\n"), results }
}
