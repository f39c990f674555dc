/**
 * Printing tensors as JAX does: `Array([1., 2.], dtype=float32)`, NumPy's repr
 * rules for the values (shortest round-trip digits per dtype, columns aligned on
 * the decimal point, scientific notation when magnitudes are far apart, arrays
 * over 1000 elements summarized to 3 items per edge, lines wrapped at 75).
 */
import type { DType, HostArray } from "../DType.js"
import type { Shape } from "../Shape.js"

const THRESHOLD = 1000
const EDGE_ITEMS = 3
const LINE_WIDTH = 75
const PRECISION = 8

// The shortest decimal that reads back as `x` in the dtype (float32: through Math.fround).
const shortest = (x: number, single: boolean): string => {
  if (!single) return String(x)
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p)
    if (Math.fround(Number(s)) === x) return String(Number(s))
  }
  return String(x)
}

// [integer part (with sign), fraction digits] of x in positional notation, at most PRECISION digits.
const positional = (x: number, single: boolean): [string, string] => {
  let s = shortest(x, single)
  if (/e/i.test(s)) s = x.toFixed(PRECISION).replace(/0+$/, "")
  const [digits, frac = ""] = s.split(".")
  // String(-0) is "0"; NumPy prints the sign (`-0.`)
  const int = Object.is(x, -0) ? "-0" : digits
  if (frac.length > PRECISION) {
    const r = x.toFixed(PRECISION).replace(/0+$/, "")
    const [i2, f2 = ""] = r.split(".")
    return [i2!, f2]
  }
  return [int!, frac]
}

// Mantissa digits and exponent of x in scientific notation (NumPy: `1.5e-05`).
const scientific = (x: number, single: boolean): [string, string, string] => {
  const exp = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)))
  let digits = 1
  for (; digits <= (single ? 9 : 17); digits++) {
    const s = x.toExponential(digits - 1)
    if ((single ? Math.fround(Number(s)) : Number(s)) === x) break
  }
  const s = x.toExponential(Math.min(digits, PRECISION + 1) - 1)
  const [mant, e] = s.split("e")
  const [lead, frac = ""] = mant!.split(".")
  const n = Number(e ?? exp)
  return [Object.is(x, -0) ? "-0" : lead!, frac, `${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`]
}

type Formatter = (x: number) => string

const floatFormatter = (values: ReadonlyArray<number>, single: boolean): Formatter => {
  const finite = values.filter((v) => Number.isFinite(v))
  const nonZero = finite.map(Math.abs).filter((v) => v !== 0)
  const max = nonZero.length > 0 ? Math.max(...nonZero) : 0
  const min = nonZero.length > 0 ? Math.min(...nonZero) : 0
  const exp = nonZero.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3)
  const special = (x: number) => Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf"
  if (exp) {
    const parts = finite.map((x) => scientific(x, single))
    const left = Math.max(...parts.map((p) => p[0].length))
    const right = Math.max(...parts.map((p) => p[1].length))
    const width = left + 1 + right + 4
    return (x) => {
      if (!Number.isFinite(x)) return special(x).padStart(width)
      const [i, f, e] = scientific(x, single)
      return `${i.padStart(left)}.${f.padEnd(right, right > 0 ? "0" : " ")}e${e}`
    }
  }
  const parts = finite.map((x) => positional(x, single))
  const left = parts.length > 0 ? Math.max(...parts.map((p) => p[0].length)) : 0
  const right = parts.length > 0 ? Math.max(...parts.map((p) => p[1].length)) : 0
  const width = Math.max(left + 1 + right, ...values.filter((v) => !Number.isFinite(v)).map((v) => special(v).length))
  return (x) => {
    if (!Number.isFinite(x)) return special(x).padStart(width)
    const [i, f] = positional(x, single)
    return `${i.padStart(left)}.${f.padEnd(right)}`.padStart(width)
  }
}

// Indices kept along an axis of length n: all, or the first and last EDGE_ITEMS.
const kept = (n: number, summarize: boolean): Array<number> | [Array<number>, Array<number>] => {
  const all = Array.from({ length: n }, (_, i) => i)
  if (!summarize || n <= 2 * EDGE_ITEMS) return all
  return [all.slice(0, EDGE_ITEMS), all.slice(n - EDGE_ITEMS)]
}

/**
 * The NumPy-style text of host data `data` of `shape` (no `Array(` prefix): `[1., 2.]` as `repr`
 * writes it, `[1. 2.]` as `str` does (`style: "str"`: no commas).
 */
export const formatValues = (
  data: HostArray,
  dtype: DType,
  shape: Shape,
  indent: number,
  style: "repr" | "str" = "repr"
): string => {
  const comma = style === "repr" ? "," : ""
  const size = shape.reduce((a, b) => a * b, 1)
  const summarize = size > THRESHOLD
  const strides: Array<number> = []
  let s = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s
    s *= shape[i]!
  }
  // The flat indices shown, in order, to size the columns.
  const shown: Array<number> = []
  const collect = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      shown.push(offset)
      return
    }
    const k = kept(shape[axis]!, summarize)
    const idx = Array.isArray(k[0]) ? [...(k[0] as Array<number>), ...(k[1] as Array<number>)] : (k as Array<number>)
    for (const i of idx) collect(axis + 1, offset + i * strides[axis]!)
  }
  collect(0, 0)
  const element = elementFormatter(data, dtype, shown)
  const build = (axis: number, offset: number, pad: string): string => {
    if (axis === shape.length) return element(offset)
    const k = kept(shape[axis]!, summarize)
    const [head, tail] = Array.isArray(k[0]) ? (k as [Array<number>, Array<number>]) : [k as Array<number>, undefined]
    const inner = pad + " "
    const items = head.map((i) => build(axis + 1, offset + i * strides[axis]!, inner))
    if (tail !== undefined) items.push("...", ...tail.map((i) => build(axis + 1, offset + i * strides[axis]!, inner)))
    if (axis === shape.length - 1) return `[${wrap(items, inner, comma)}]`
    const blank = "\n".repeat(shape.length - axis - 1)
    return `[${items.join(`${comma}${blank}${inner}`)}]`
  }
  return build(0, 0, " ".repeat(indent))
}

// Joins a row's items with ", " (" " without the comma), breaking lines before LINE_WIDTH.
const wrap = (items: ReadonlyArray<string>, pad: string, comma: string): string => {
  let out = ""
  let line = pad.length
  items.forEach((item, i) => {
    const piece = i === 0 ? item : `${comma} ${item}`
    if (i > 0 && line + piece.length + 2 > LINE_WIDTH) {
      out += `${comma}\n${pad}${item}`
      line = pad.length + item.length
    } else {
      out += piece
      line += piece.length
    }
  })
  return out
}

const elementFormatter = (data: HostArray, dtype: DType, shown: ReadonlyArray<number>): (i: number) => string => {
  switch (dtype) {
    case "bool":
      return (i) => data[i] !== 0 ? " True" : "False"
    case "int32":
    case "uint32": {
      const width = Math.max(...shown.map((i) => String(data[i]).length))
      return (i) => String(data[i]).padStart(width)
    }
    case "float0":
      return () => "b''"
    case "complex64":
    case "complex128": {
      const single = dtype === "complex64"
      const re = floatFormatter(shown.map((i) => data[2 * i]!), single)
      const im = floatFormatter(shown.map((i) => Math.abs(data[2 * i + 1]!)), single)
      return (i) => {
        const y = data[2 * i + 1]!
        return `${re(data[2 * i]!)}${y < 0 || Object.is(y, -0) ? "-" : "+"}${im(Math.abs(y)).trim()}j`
      }
    }
    default: {
      const f = floatFormatter(shown.map((i) => data[i]!), dtype === "float32")
      return (i) => f(data[i]!)
    }
  }
}

/** JAX's repr of a concrete array: `Array([1., 2.], dtype=float32)`, `weak_type=True` when weak. */
export const formatArray = (data: HostArray, dtype: DType, shape: Shape, weakType: boolean): string => {
  const body = shape.length === 0 && dtype !== "float0"
    ? formatValues(data, dtype, shape, 6).trim()
    : formatValues(data, dtype, shape, 6)
  return `Array(${body}, dtype=${dtype}${weakType ? ", weak_type=True" : ""})`
}

/** NumPy's `str` of a float scalar: positional from 1e-4 to 1e16 (`1.0`, `0.5`), else scientific (`1e-05`). */
const scalarFloatStr = (x: number, single: boolean): string => {
  if (Number.isNaN(x)) return "nan"
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf"
  const a = Math.abs(x)
  if (a === 0 || (a >= 1e-4 && a < 1e16)) {
    const s = shortest(x, single)
    const positional = /e/i.test(s) ? x.toFixed(20).replace(/0+$/, "") : s
    const signed = Object.is(x, -0) ? "-0" : positional
    return signed.includes(".") ? signed.replace(/\.$/, ".0") : `${signed}.0`
  }
  const [i, f, e] = scientific(x, single)
  return `${i}${f.length > 0 ? `.${f}` : ""}e${e}`
}

/**
 * NumPy's `str` of an array's values (what `print` and `debug.print` show): a
 * scalar as `1.0`, `3`, `True` or `(1+2j)`; an array as `[1. 2.]` (no commas).
 */
export const formatStr = (data: HostArray, dtype: DType, shape: Shape): string => {
  if (shape.length > 0 || dtype === "float0") return formatValues(data, dtype, shape, 0, "str")
  switch (dtype) {
    case "bool":
      return data[0] !== 0 ? "True" : "False"
    case "int32":
    case "uint32":
      return String(data[0])
    case "complex64":
    case "complex128": {
      const single = dtype === "complex64"
      const re = data[0]!
      const im = data[1]!
      const imStr = scalarFloatStr(Math.abs(im), single).replace(/\.0$/, "")
      const reStr = scalarFloatStr(re, single).replace(/\.0$/, "")
      return `(${reStr}${im < 0 || Object.is(im, -0) ? "-" : "+"}${imStr}j)`
    }
    default:
      return scalarFloatStr(data[0]!, dtype === "float32")
  }
}
