/**
 * Python's format-spec mini-language for numbers (`format(x, spec)`), as
 * `jax.debug.print` formats a field: `[[fill]align][sign][z][#][0][width]
 * [grouping][.precision][type]` with the types `d b o x X n` for integers and
 * `e E f F g G n %` (and none) for both. Rounding is Python's: to the nearest,
 * ties to even on the exact binary value (`format(2.5, ".0f")` is `2`, where
 * JS's `toFixed` gives `3`).
 *
 * @since 0.1.0
 */

/** A parsed spec. */
interface Spec {
  readonly fill: string
  readonly align: "<" | ">" | "=" | "^" | undefined
  readonly sign: "+" | "-" | " "
  readonly z: boolean
  readonly alt: boolean
  readonly width: number
  readonly grouping: "," | "_" | undefined
  readonly precision: number | undefined
  readonly type: string
}

const SPEC = /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bdeEfFgGnoxX%])?$/

/** The spec parsed, or `undefined` when it is not one Python takes for numbers. */
export const parseSpec = (spec: string): Spec | undefined => {
  const m = SPEC.exec(spec)
  if (m === null) return undefined
  const zero = m[6] !== undefined
  return {
    fill: m[1] ?? (zero && m[2] === undefined ? "0" : " "),
    align: (m[2] as Spec["align"]) ?? (zero ? "=" : undefined),
    sign: (m[3] as Spec["sign"]) ?? "-",
    z: m[4] !== undefined,
    alt: m[5] !== undefined,
    width: m[7] === undefined ? 0 : Number(m[7]),
    grouping: m[8] as Spec["grouping"],
    precision: m[9] === undefined ? undefined : Number(m[9]),
    type: m[10] ?? ""
  }
}

/** Whether the spec's type formats integers only (`d b o x X`). */
export const integerOnly = (spec: Spec): boolean => "dboxX".includes(spec.type) && spec.type !== ""

// The most digits toFixed and toExponential give (ES2018: 100), enough to show an exact tie
const EXACT_DIGITS = 100

// `digits` of |x| rounded to `p` places after the point, ties to even (x finite, >= 0)
const fixed = (x: number, p: number): string => {
  if (x >= 1e21) return `${BigInt(Math.round(x))}${p > 0 ? "." + "0".repeat(p) : ""}`
  const up = x.toFixed(p)
  // an exact tie has a finite expansion of p + 1 places ending in 5, which the exact digits show
  if (p >= 99) return up
  const exact = x.toFixed(EXACT_DIGITS)
  const point = exact.indexOf(".")
  const rest = exact.slice(point + 1 + p)
  if (!/^50*$/.test(rest)) return up
  const truncated = p === 0 ? exact.slice(0, point) : exact.slice(0, point + 1 + p)
  const last = Number(truncated[truncated.length - 1])
  return last % 2 === 0 ? truncated : up
}

// |x| as d.ddd with `p` digits after the point and its decimal exponent, ties to even (x finite, >= 0)
const exponential = (x: number, p: number): readonly [mantissa: string, exponent: number] => {
  const split = (s: string) => {
    const e = s.indexOf("e")
    return [s.slice(0, e), Number(s.slice(e + 1))] as const
  }
  const up = split(x.toExponential(Math.min(p, EXACT_DIGITS)))
  if (p >= 99 || x === 0) return up
  const [exactMantissa, exactExponent] = split(x.toExponential(EXACT_DIGITS))
  const digits = exactMantissa.replace(".", "")
  if (!/^50*$/.test(digits.slice(p + 1))) return up
  const kept = digits.slice(0, p + 1)
  if (Number(kept[kept.length - 1]) % 2 !== 0) return up
  return [p === 0 ? kept : `${kept[0]}.${kept.slice(1)}`, exactExponent]
}

const exponentText = (e: number): string => `e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`

const stripZeros = (s: string): string => (s.includes(".") ? s.replace(/\.?0+$/, "") : s)

// Python's general format of |x| with p significant digits (`g`), or the `repr`-like none type
const general = (x: number, p: number, alt: boolean, none: boolean): string => {
  const [mantissa, exp] = exponential(x, p - 1)
  // the none type keeps fixed notation only while a digit past the point remains
  const fixedNotation = exp >= -4 && (none ? exp < p - 1 : exp < p)
  if (fixedNotation) {
    const s = fixed(x, p - 1 - exp)
    if (alt) return s
    const t = stripZeros(s)
    return none && !t.includes(".") ? `${t}.0` : t
  }
  return `${alt ? mantissa : stripZeros(mantissa)}${exponentText(exp)}`
}

// Python's repr of a float: the shortest digits, fixed between 1e-4 and 1e16
const repr = (x: number): string => {
  const [mantissa, exp] = ((s: string) => [s.slice(0, s.indexOf("e")), Number(s.slice(s.indexOf("e") + 1))] as const)(
    x.toExponential()
  )
  if (exp < -4 || exp >= 16) return `${mantissa}${exponentText(exp)}`
  const digits = mantissa.replace(".", "")
  const s = exp >= 0
    ? digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits.padEnd(exp + 1, "0")
    : `0.${"0".repeat(-exp - 1)}${digits}`
  return s.includes(".") ? s : `${s}.0`
}

const group = (int: string, sep: string, size: number): string => {
  let out = ""
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % size === 0) out += sep
    out += int[i]
  }
  return out
}

/**
 * `value` (a JS number; `integral` when it comes from an integer dtype or is
 * an integer Python would hold as an `int`) formatted by `spec` as Python's
 * `format` does.
 */
export const formatNumber = (value: number, spec: Spec, integral: boolean): string => {
  const negative = value < 0 || (Object.is(value, -0) && !integral)
  const x = Math.abs(value)
  const upper = "EFGX".includes(spec.type) && spec.type !== ""
  let body: string
  let prefix = ""
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? "nan" : "inf"
    if (upper) body = body.toUpperCase()
  } else if (integral && (spec.type === "" || spec.type === "d" || spec.type === "n" || integerOnly(spec))) {
    const base = { b: 2, o: 8, x: 16, X: 16 }[spec.type] ?? 10
    body = BigInt(Math.round(x)).toString(base)
    if (spec.type === "X") body = body.toUpperCase()
    if (spec.alt && base !== 10) prefix = { 2: "0b", 8: "0o", 16: spec.type === "X" ? "0X" : "0x" }[base]!
    if (spec.grouping !== undefined) body = group(body, spec.grouping, base === 10 ? 3 : 4)
  } else {
    const p = spec.precision
    switch (spec.type) {
      case "f":
      case "F":
        body = fixed(x, p ?? 6)
        break
      case "%":
        body = `${fixed(x * 100, p ?? 6)}%`
        break
      case "e":
      case "E": {
        const [mantissa, exp] = exponential(x, p ?? 6)
        body = `${mantissa}${exponentText(exp)}`
        if (spec.type === "E") body = body.toUpperCase()
        break
      }
      case "g":
      case "G":
      case "n":
        body = general(x, p === undefined ? 6 : Math.max(p, 1), spec.alt, false)
        if (spec.type === "G") body = body.toUpperCase()
        break
      default:
        body = p === undefined ? repr(x) : general(x, Math.max(p, 1), spec.alt, true)
    }
    if (spec.grouping !== undefined) {
      const [int, ...frac] = body.split(/(?=[.e%])/)
      if (/^\d+$/.test(int!)) body = group(int!, spec.grouping, 3) + frac.join("")
    }
  }
  // `z` (Python 3.11): a negative zero after rounding prints as zero
  const zeroAfterRounding = spec.z && /^[0.]*$/.test(body.replace(/e.*$|%$/, ""))
  const sign = negative && !zeroAfterRounding ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : ""
  const content = prefix + body
  const pad = Math.max(0, spec.width - sign.length - content.length)
  const fill = spec.fill.repeat(pad)
  switch (spec.align ?? ">") {
    case "<":
      return sign + content + fill
    case "=":
      return sign + prefix + fill + body
    case "^": {
      const left = spec.fill.repeat(Math.floor(pad / 2))
      return left + sign + content + spec.fill.repeat(pad - left.length)
    }
    default:
      return fill + sign + content
  }
}
