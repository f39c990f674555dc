/**
 * Compiles kernel IR (core/src/Kernel.ts) into JS loops over typed arrays with
 * `new Function`: one generated function per (primitive, input dtypes, output
 * dtype, params), cached by the caller. The loop body is straight-line code,
 * with no closure or allocation per element.
 *
 * Values in generated code are JS numbers: floats in f64 (f32 results are
 * rounded when stored into a Float32Array, or by `Math.fround` on a cast),
 * i32 kept in range with `| 0` and `Math.imul`, u32 with `>>> 0`, bools as 0 and 1.
 */
import { Approximation, Kernel } from "@diffect/core"
import type { Pool } from "./threads.js"

type Expr = Kernel.Expr

/** The prelude of generated code: the helpers it may call, from the argument `H`. */
export const HELPERS_PRELUDE = "const { rint, idiv, irem, udiv, urem, fpow, ipow, f2i, f2u, ldexp, ilogb } = H;"

/** The helper functions generated code calls (passed as `H`). */
export { helpers as codegenHelpers }

/**
 * A compiled elementwise loop: `out[i] = f(ins[0][i], ins[1][i], ...)` for
 * `i < n` elements (any number of inputs, so fused expressions compile alike).
 */
export type ElementwiseLoop = (
  out: ArrayLike<number> & { [i: number]: number },
  ins: ReadonlyArray<ArrayLike<number>>,
  n: number,
  /** The backend's thread pool: a SIMD loop may split a large call across it (simd.ts). */
  pool?: Pool
) => void

// 2^k for integral k in [-1000, 1000], at index k + 1000 (fractional or NaN indices are undefined).
const POW2 = Float64Array.from({ length: 2001 }, (_, i) => 2 ** (i - 1000))

// Helpers the generated code calls: small and monomorphic, so V8 inlines them.
const helpers = {
  // Round half to even: Math.round rounds halves up, so step back from odd results.
  rint: (x: number): number => {
    const r = Math.round(x)
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
  },
  // XLA's integer division: truncates toward zero, x / 0 = -1.
  idiv: (x: number, y: number): number => (y === 0 ? -1 : (x / y) | 0),
  // XLA's integer remainder: the dividend's sign, x % 0 = x.
  irem: (x: number, y: number): number => (y === 0 ? x : (x % y) | 0),
  // C's pow: 1 ** y = 1 and (-1) ** ±inf = 1, where JS gives NaN.
  fpow: (x: number, y: number): number => (x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : x ** y),
  // Integer power by squaring, wrapping; negative exponents give 0 except for bases 1 and -1.
  ipow: (x: number, y: number): number => {
    if (y < 0) return x === 1 ? 1 : x === -1 ? ((y & 1) === 0 ? 1 : -1) : 0
    let r = 1
    let b = x
    let e = y
    while (e > 0) {
      if ((e & 1) === 1) r = Math.imul(r, b)
      b = Math.imul(b, b)
      e >>>= 1
    }
    return r
  },
  // XLA's unsigned division and remainder: x / 0 = 2^32 - 1, x % 0 = x. The double
  // quotient of two values below 2^32 is never close enough to an integer to floor wrong.
  udiv: (x: number, y: number): number => (y === 0 ? 4294967295 : Math.floor(x / y)),
  urem: (x: number, y: number): number => (y === 0 ? x : x % y),
  // float -> uint32: truncate, saturate at [0, 2^32 - 1], NaN -> 0.
  f2u: (x: number): number => (x !== x || x <= 0 ? 0 : x >= 4294967295 ? 4294967295 : Math.trunc(x)),
  // float -> int32: truncate toward zero, saturate, NaN -> 0.
  f2i: (x: number): number => (x !== x ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x | 0),
  // x * 2^n in steps that stay inside the float64 range (2 ** 1100 would be Infinity);
  // an integral n within +-1000 multiplies by a tabled power of two (the same product).
  ldexp: (x: number, n: number): number => {
    const p = POW2[n + 1000]
    if (p !== undefined) return x * p
    let k = Math.max(-2200, Math.min(2200, n))
    let y = x
    while (k > 1000) {
      y *= 2 ** 1000
      k -= 1000
    }
    while (k < -1000) {
      y *= 2 ** -1000
      k += 1000
    }
    return y * 2 ** k
  },
  // The exponent e with 2^e <= |x| < 2^(e+1); Math.log2 can round across a power of two.
  ilogb: (x: number): number => {
    const a = Math.abs(x)
    if (a === 0 || a === Infinity || a !== a) return 0
    const e = Math.floor(Math.log2(a))
    return 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e
  }
}

// f32 constants keep their f64 value: the loop computes in f64 and rounds on store, so
// an unrounded constant (pi/2, Cody's coefficients) gives the more accurate f32 result.
/** A JS literal of `value` as `type`. */
export const literal = (value: number, type: Kernel.ScalarType): string => {
  const v = type === "i32" ? value | 0 : type === "u32" ? value >>> 0 : type === "bool" ? (value ? 1 : 0) : value
  if (Object.is(v, -0)) return "(-0)"
  return v < 0 ? `(${v})` : String(v)
}

const mathUnary: Partial<Record<Kernel.UnaryOp, string>> = {
  sqrt: "Math.sqrt",
  exp: "Math.exp",
  log: "Math.log",
  log1p: "Math.log1p",
  expm1: "Math.expm1",
  sin: "Math.sin",
  cos: "Math.cos",
  tan: "Math.tan",
  asin: "Math.asin",
  acos: "Math.acos",
  atan: "Math.atan",
  sinh: "Math.sinh",
  cosh: "Math.cosh",
  tanh: "Math.tanh",
  floor: "Math.floor",
  ceil: "Math.ceil",
  sign: "Math.sign",
  round: "rint",
  exponent: "ilogb"
}

const comparisonOps: Partial<Record<Kernel.BinaryOp, string>> = {
  eq: "===",
  ne: "!==",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">="
}

const unaryJs = (op: Kernel.UnaryOp, type: Kernel.ScalarType, x: string): string => {
  const isInt = type === "i32" || type === "u32"
  if (type === "u32") {
    switch (op) {
      case "neg":
        return `((-${x}) >>> 0)`
      case "not":
        return `(~${x} >>> 0)`
      case "abs":
        return x
      case "sign":
        return `+(${x} !== 0)`
      default:
        break
    }
  }
  switch (op) {
    case "neg":
      return isInt ? `((-${x}) | 0)` : `(-${x})`
    case "not":
      return type === "bool" ? `(${x} ^ 1)` : `(~${x})`
    case "abs":
      return isInt ? `(Math.abs(${x}) | 0)` : `Math.abs(${x})`
    case "isnan":
      return `+(${x} !== ${x})`
    case "barrier":
      return x
    default: {
      if (isInt && (op === "floor" || op === "ceil" || op === "round")) return x
      return `${mathUnary[op]!}(${x})`
    }
  }
}

const binaryJs = (op: Kernel.BinaryOp, type: Kernel.ScalarType, x: string, y: string): string => {
  const cmp = comparisonOps[op]
  if (cmp !== undefined) return `+(${x} ${cmp} ${y})`
  if (type === "u32") return binaryU32(op, x, y)
  const isInt = type === "i32"
  switch (op) {
    case "add":
      return isInt ? `((${x} + ${y}) | 0)` : `(${x} + ${y})`
    case "sub":
      return isInt ? `((${x} - ${y}) | 0)` : `(${x} - ${y})`
    case "mul":
      return isInt ? `Math.imul(${x}, ${y})` : `(${x} * ${y})`
    case "div":
      return isInt ? `idiv(${x}, ${y})` : `(${x} / ${y})`
    case "rem":
      return isInt ? `irem(${x}, ${y})` : `(${x} % ${y})`
    case "pow":
      return isInt ? `ipow(${x}, ${y})` : `fpow(${x}, ${y})`
    case "max":
      return `Math.max(${x}, ${y})`
    case "min":
      return `Math.min(${x}, ${y})`
    case "atan2":
      return `Math.atan2(${x}, ${y})`
    case "ldexp":
      return `ldexp(${x}, ${y})`
    case "and":
      return `(${x} & ${y})`
    case "or":
      return `(${x} | ${y})`
    case "xor":
      return `(${x} ^ ${y})`
    case "shl":
      return `((${y} >>> 0) >= 32 ? 0 : ${x} << ${y})`
    case "shrl":
      return `((${y} >>> 0) >= 32 ? 0 : (${x} >>> ${y}) | 0)`
    case "shra":
      return `(${x} >> ((${y} >>> 0) >= 32 ? 31 : ${y}))`
    default:
      throw new Error(`internal: no JS for kernel op ${op}`)
  }
}

const binaryU32 = (op: Kernel.BinaryOp, x: string, y: string): string => {
  switch (op) {
    case "add":
      return `((${x} + ${y}) >>> 0)`
    case "sub":
      return `((${x} - ${y}) >>> 0)`
    case "mul":
      return `(Math.imul(${x}, ${y}) >>> 0)`
    case "div":
      return `udiv(${x}, ${y})`
    case "rem":
      return `urem(${x}, ${y})`
    case "pow":
      return `(ipow(${x}, ${y}) >>> 0)`
    case "max":
      return `Math.max(${x}, ${y})`
    case "min":
      return `Math.min(${x}, ${y})`
    case "and":
      return `((${x} & ${y}) >>> 0)`
    case "or":
      return `((${x} | ${y}) >>> 0)`
    case "xor":
      return `((${x} ^ ${y}) >>> 0)`
    case "shl":
      return `(${y} >= 32 ? 0 : (${x} << ${y}) >>> 0)`
    case "shrl":
      return `(${y} >= 32 ? 0 : ${x} >>> ${y})`
    case "shra":
      return `(((${x} | 0) >> (${y} >= 32 ? 31 : ${y})) >>> 0)`
    default:
      throw new Error(`internal: no JS for kernel op ${op} on u32`)
  }
}

const castJs = (from: Kernel.ScalarType, to: Kernel.ScalarType, x: string): string => {
  if (from === to) return x
  switch (to) {
    case "f64":
      return x
    case "f32":
      return from === "bool" ? x : `Math.fround(${x})`
    case "i32":
      return from === "bool" ? x : from === "u32" ? `(${x} | 0)` : `f2i(${x})`
    case "u32":
      return from === "bool" ? x : from === "i32" ? `(${x} >>> 0)` : `f2u(${x})`
    case "bool":
      return `+(${x} !== 0)`
  }
}

/**
 * How this backend computes each float32 transcendental op: decomposed into
 * Approximation.ts's polynomials (which the WebAssembly SIMD kernels run four
 * lanes at a time, as XLA does on CPUs) where their measured error is at most
 * 2 ulp over all float32 (docs/numerics.md), natively (Math.* in float64,
 * rounded once) elsewhere: tan, atan, asin, acos and atan2 (2 to 3 ulp) and pow
 * (up to 96 ulp). sin and cos are declared native here but computed in a
 * hybrid form (`decomposeForBackend`): decomposed for |x| <= 8192, where the
 * reduction is exact (1 ulp), native beyond. float64 ops are always native.
 *
 * @since 0.1.0
 */
export const transcendentals = {
  ...Approximation.allNative,
  exp: "decomposed",
  expm1: "decomposed",
  log: "decomposed",
  log1p: "decomposed",
  sinh: "decomposed",
  cosh: "decomposed",
  tanh: "decomposed"
} as const satisfies Approximation.Support

/** The largest |x| for which float32 sin and cos are decomposed (their Cody-Waite reduction is exact). */
export const TRIG_DECOMPOSED_UP_TO = 8192

/**
 * float32 `sin`/`cos` as this backend computes them: the decomposition for
 * |x| <= 8192 (within 1 ulp, docs/numerics.md), else `native` (`Math.sin` in
 * float64, rounded once), as Eigen's vectorized sin falls back per lane. NaN and
 * infinities take the native branch (NaN). A SIMD kernel runs the native branch
 * only for vectors with a lane beyond the range.
 */
const hybridTrig = (op: "sin" | "cos", x: Expr, native: Expr): Expr =>
  Kernel.select(
    Kernel.le(Kernel.abs(x), Kernel.constant(TRIG_DECOMPOSED_UP_TO, "f32")),
    (Approximation.decomposition(op, transcendentals) as (x: Expr) => Expr)(x),
    native
  )

/**
 * This backend's decomposition of `exprs`: `transcendentals`' decomposed ops,
 * and float32 `sin`/`cos` in their hybrid form.
 */
export const decomposeForBackend = (exprs: ReadonlyArray<Expr>): ReadonlyArray<Expr> =>
  decomposeNarrow(exprs, transcendentals, undefined, new Set()).exprs

/**
 * `Approximation.decompose` under `support`, except for the nodes in `wide`
 * (float64 algorithms keep their native transcendentals): the rewritten
 * expressions, and the wide set and the wide nodes of `rounded` mapped onto
 * their nodes (the other nodes round at every step anyway).
 */
export const decomposeNarrow = (
  exprs: ReadonlyArray<Expr>,
  support: Approximation.Support,
  wide: ReadonlySet<Expr> | undefined,
  rounded: ReadonlySet<Expr>
): {
  readonly exprs: ReadonlyArray<Expr>
  readonly wide: ReadonlySet<Expr> | undefined
  readonly rounded: ReadonlySet<Expr>
} => {
  if ((wide === undefined || wide.size === 0) && support !== transcendentals) {
    return { exprs: Approximation.decompose(exprs, support), wide, rounded }
  }
  const isWide = (e: Expr): boolean => wide !== undefined && wide.has(e)
  const memo = new Map<Expr, Expr>()
  const mapped = new Set<Expr>()
  const roundedMapped = new Set<Expr>()
  // only the node itself: its children are rewritten already (a wide one keeps its native ops)
  const decomposes = (op: string, type: Kernel.ScalarType): boolean =>
    type === "f32" && op in support && support[op as Approximation.Transcendental] === "decomposed"
  const rewrite = (e: Expr): Expr => {
    const known = memo.get(e)
    if (known !== undefined) return known
    let out: Expr
    if (isWide(e)) {
      // rebuild over rewritten children (a child may be a narrow producer's value)
      switch (e.kind) {
        case "unary": {
          const x = rewrite(e.x)
          out = x === e.x ? e : Kernel.unary(e.op, x)
          break
        }
        case "binary": {
          const x = rewrite(e.x)
          const y = rewrite(e.y)
          out = x === e.x && y === e.y ? e : Kernel.binary(e.op, x, y)
          break
        }
        case "select": {
          const c = rewrite(e.cond)
          const a = rewrite(e.onTrue)
          const b = rewrite(e.onFalse)
          out = c === e.cond && a === e.onTrue && b === e.onFalse ? e : Kernel.select(c, a, b)
          break
        }
        case "cast": {
          const x = rewrite(e.x)
          out = x === e.x ? e : Kernel.cast(x, e.type)
          break
        }
        default:
          out = e
      }
      mapped.add(out)
      if (rounded.has(e)) roundedMapped.add(out)
    } else {
      // a narrow node: decompose it alone, its wide descendants rewritten first
      switch (e.kind) {
        case "unary": {
          const x = rewrite(e.x)
          const same = x === e.x ? e : Kernel.unary(e.op, x)
          out = decomposes(e.op, e.type)
            ? (Approximation.decomposition(e.op as Approximation.TranscendentalUnary, support) as (x: Expr) => Expr)(x)
            : support === transcendentals && e.type === "f32" && (e.op === "sin" || e.op === "cos")
            ? hybridTrig(e.op, x, same)
            : same
          break
        }
        case "binary": {
          const x = rewrite(e.x)
          const y = rewrite(e.y)
          out = decomposes(e.op, e.type)
            ? (Approximation.decomposition(e.op as Approximation.TranscendentalBinary, support) as (
              x: Expr,
              y: Expr
            ) => Expr)(x, y)
            : x === e.x && y === e.y
            ? e
            : Kernel.binary(e.op, x, y)
          break
        }
        case "select": {
          const c = rewrite(e.cond)
          const a = rewrite(e.onTrue)
          const b = rewrite(e.onFalse)
          out = c === e.cond && a === e.onTrue && b === e.onFalse ? e : Kernel.select(c, a, b)
          break
        }
        case "cast": {
          const x = rewrite(e.x)
          out = x === e.x ? e : Kernel.cast(x, e.type)
          break
        }
        default:
          out = e
      }
    }
    memo.set(e, out)
    return out
  }
  return { exprs: exprs.map(rewrite), wide: wide === undefined ? undefined : mapped, rounded: roundedMapped }
}

/**
 * How float32 nodes are computed: in float64, rounded when stored (`"store"`,
 * the default: more accurate), or rounded to float32 after every operation
 * (`"strict"`: IEEE float32 arithmetic, as a GPU computes; for reproducing and
 * measuring float32 algorithms).
 */
export type Float32Rounding = "store" | "strict"

/**
 * Counts the uses of every node (iteratively: fused programs nest thousands deep). The count is kept
 * (a read-only map, weakly, by the first output) for the next request of the same outputs:
 * compiling one kernel asks three times (the JS loop, `simdMin`, the SIMD emitter), each 90 ms for
 * a 160,000-node chain.
 */
export const countUses = (outs: ReadonlyArray<Expr>): ReadonlyMap<Expr, number> => {
  const first = outs[0]
  if (first === undefined) return new Map()
  const known = counted.get(first)
  if (known !== undefined && known.outs.length === outs.length && known.outs.every((e, i) => e === outs[i])) {
    return known.uses
  }
  const uses = countAll(outs)
  counted.set(first, { outs: [...outs], uses })
  return uses
}

const counted = new WeakMap<Expr, { readonly outs: ReadonlyArray<Expr>; readonly uses: ReadonlyMap<Expr, number> }>()

const countAll = (outs: ReadonlyArray<Expr>): Map<Expr, number> => {
  const uses = new Map<Expr, number>()
  const stack: Array<Expr> = [...outs]
  while (stack.length > 0) {
    const e = stack.pop()!
    const n = uses.get(e) ?? 0
    uses.set(e, n + 1)
    if (n > 0) continue
    switch (e.kind) {
      case "unary":
      case "cast":
        stack.push(e.x)
        break
      case "binary":
        stack.push(e.x, e.y)
        break
      case "select":
        stack.push(e.cond, e.onTrue, e.onFalse)
        break
      default:
        break
    }
  }
  return uses
}

/**
 * The deepest expression `emitExprs` writes inline: a deeper one is bound to a
 * `const` first. V8's parser recurses once per level of nesting, so a chain of
 * a fusion group's 2,048 single-use nodes written as one expression overflowed
 * the stack in `new Function` (bindings cost nothing once compiled).
 */
const MAX_NESTING = 32

/**
 * Emits straight-line JS for the expressions `outs`: shared subexpressions (a
 * node reached twice, by identity) become `const` locals in `lines`, and so
 * does a node nested `MAX_NESTING` deep; `read`
 * names the JS expression of an input lane (called once per distinct lane).
 * f32 nodes round with `Math.fround` after every operation in `"strict"` mode,
 * and, in a fused kernel, where they are in `rounded` (values one primitive
 * stores and another reads).
 */
export const emitExprs = (
  outs: ReadonlyArray<Expr>,
  read: (index: number, lane: 0 | 1, type: Kernel.ScalarType) => string,
  options: {
    readonly rounded?: ReadonlySet<Expr>
    readonly rounding?: Float32Rounding
    readonly wide?: ReadonlySet<Expr>
  } = {}
): { readonly lines: Array<string>; readonly inputs: Array<string>; readonly results: Array<string> } => {
  const strict = options.rounding === "strict"
  const rounded = options.rounded
  const wide = options.wide
  // strict rounding, except for nodes of wide lowerings (float64 until their results)
  const rounds = (e: Expr): boolean => strict && (wide === undefined || !wide.has(e))
  const f32 = (e: Expr, js: string): string => (rounds(e) && e.type === "f32" ? `Math.fround(${js})` : js)
  const uses = countUses(outs)

  const lines: Array<string> = []
  const inputs: Array<string> = []
  const names = new Map<Expr, string>()
  const inputNames = new Map<string, string>()
  // how deeply each node inlined into its reader nests (names and literals: 0)
  const nesting = new Map<Expr, number>()
  const nestingOf = (e: Expr): number => nesting.get(e) ?? 0
  // constants are inlined: rounded to f32 under a rounding parent, exact under a wide one
  const emit = (e: Expr, parentRounds = true): string => {
    const bound = names.get(e)
    if (bound !== undefined) return bound
    let js: string
    switch (e.kind) {
      case "input": {
        const key = `${e.index}_${e.lane}`
        let name = inputNames.get(key)
        if (name === undefined) {
          name = `x${key}`
          inputNames.set(key, name)
          inputs.push(`const ${name} = ${read(e.index, e.lane, e.type)};`)
        }
        return name
      }
      case "const":
        return literal(strict && parentRounds && e.type === "f32" ? Math.fround(e.value) : e.value, e.type)
      case "unary":
        js = f32(e, unaryJs(e.op, e.x.type, emit(e.x, rounds(e))))
        break
      case "binary":
        js = f32(e, binaryJs(e.op, e.x.type, emit(e.x, rounds(e)), emit(e.y, rounds(e))))
        break
      case "select":
        js = `(${emit(e.cond, rounds(e))} ? ${emit(e.onTrue, rounds(e))} : ${emit(e.onFalse, rounds(e))})`
        break
      case "cast":
        js = castJs(e.x.type, e.type, emit(e.x, rounds(e)))
        break
    }
    if (!rounds(e) && rounded !== undefined && rounded.has(e) && e.type === "f32") js = `Math.fround(${js})`
    const depth = 1 + Math.max(...Kernel.children(e).map(nestingOf))
    if ((uses.get(e) ?? 0) > 1 || depth >= MAX_NESTING) {
      const name = `t${names.size}`
      lines.push(`const ${name} = ${js};`)
      names.set(e, name)
      return name
    }
    nesting.set(e, depth)
    return js
  }
  const results = outs.map((e) => emit(e))
  return { lines, inputs, results }
}

/** The loop body for output lanes `outs` of a one-primitive kernel. */
const generateBody = (
  outs: ReadonlyArray<Expr>,
  lanesOut: number,
  inLanes: ReadonlyArray<number>,
  rounding: Float32Rounding
): string => {
  const { inputs, lines, results } = emitExprs(
    outs,
    (index, lane) => `in${index}[${inLanes[index] === 2 ? (lane === 0 ? "j" : "j + 1") : "i"}]`,
    { rounding }
  )
  if (lanesOut === 2) {
    lines.push(`out[j] = ${results[0]!};`, `out[j + 1] = ${results[1]!};`)
  } else if (lanesOut === 1) {
    lines.push(`out[i] = ${results[0]!};`)
  }
  return [...inputs, ...lines].join("\n    ")
}

/**
 * Compiles the IR of one elementwise primitive into a loop.
 *
 * @param outs the expression of each output lane (from `lowerElementwise`)
 * @param inLanes lanes per element of each input (1, or 2 for complex)
 * @param options.float32 how float32 nodes round (`"strict"` by default: IEEE
 *   float32 arithmetic, the bits of the SIMD kernels)
 * @param options.transcendentals which float32 transcendental ops to decompose
 *   (this backend's `transcendentals` by default)
 * @param options.wide a float64 algorithm (`Lowering.isWideFloat32`): computed
 *   in float64 with native transcendentals and rounded once when stored,
 *   whatever `float32` and `transcendentals` say
 */
export const compileElementwise = (
  outs: ReadonlyArray<Expr>,
  inLanes: ReadonlyArray<number>,
  options: {
    readonly float32?: Float32Rounding
    readonly transcendentals?: Approximation.Support
    readonly wide?: boolean
  } = {}
): { readonly loop: ElementwiseLoop; readonly source: string } => {
  const wide = options.wide === true
  const lanes = wide
    ? outs
    : options.transcendentals === undefined
    ? decomposeForBackend(outs)
    : Approximation.decompose(outs, options.transcendentals)
  const body = generateBody(lanes, lanes.length, inLanes, wide ? "store" : options.float32 ?? "strict")
  const source = `"use strict";
${HELPERS_PRELUDE}
return function elementwise(out, ins, n) {
  ${inLanes.map((_, k) => `const in${k} = ins[${k}];`).join(" ")}
  for (let i = 0; i < n; i++) {
    const j = i + i;
    ${body}
  }
};`
  // oxlint-disable-next-line no-new-func -- generating the loop is the point: one specialised function per kernel
  const loop = new Function("H", source)(helpers) as ElementwiseLoop
  return { loop, source }
}
