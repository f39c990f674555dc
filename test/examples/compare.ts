/**
 * Compares what an example printed with the value written in its comment.
 *
 * Both are read as tokens, whitespace ignored: numbers, words, quoted text and
 * punctuation (`'` and `"` are the same). Numbers agree within 1e-6 relative to
 * max(1, |expected|), or, when the comment writes four or more decimals (a rounded
 * float), when the printed number rounds to what is written. `...` in a comment
 * stands for any text.
 */

type Token =
  | { readonly kind: "number"; readonly value: number; readonly decimals: number; readonly text: string }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "any" }

const pattern =
  /(\.\.\.)|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w$])|-?Infinity\b|NaN\b)|([A-Za-z_$][\w$]*)|(["'`])|(\S)/g

const tokenize = (text: string, wildcards: boolean): Array<Token> => {
  const out: Array<Token> = []
  for (const m of text.matchAll(pattern)) {
    if (m[1] !== undefined) {
      if (wildcards) out.push({ kind: "any" })
      else out.push({ kind: "text", text: "." }, { kind: "text", text: "." }, { kind: "text", text: "." })
    } else if (m[2] !== undefined) {
      const [mantissa = "", exponent = "0"] = m[2].split(/[eE]/)
      const decimals = (mantissa.split(".")[1]?.length ?? 0) - Number(exponent)
      out.push({ kind: "number", value: Number(m[2]), decimals, text: m[2] })
    } else if (m[3] !== undefined) out.push({ kind: "text", text: m[3] })
    else if (m[4] !== undefined) out.push({ kind: "text", text: "'" })
    else out.push({ kind: "text", text: m[5]! })
  }
  return out
}

/** Whether a printed number agrees with one written in a comment. */
export const numbersAgree = (printed: number, written: number, decimals: number): boolean => {
  if (Number.isNaN(written)) return Number.isNaN(printed)
  if (!Number.isFinite(written)) return printed === written
  const gap = Math.abs(printed - written)
  if (gap <= 1e-6 * Math.max(1, Math.abs(written))) return true
  return decimals >= 4 && gap <= 0.5 * 10 ** -decimals * (1 + 1e-9)
}

const same = (printed: Token, written: Token): boolean => {
  if (written.kind === "number") {
    return printed.kind === "number" && numbersAgree(printed.value, written.value, written.decimals)
  }
  return printed.kind === "text" && written.kind === "text" && printed.text === written.text
}

/** Whether `printed` matches the comment `written` (see the module comment). */
export const matches = (printed: string, written: string): boolean => {
  const p = tokenize(printed, false)
  const w = tokenize(written, true)
  // memoized matching with `...` wildcards
  const memo = new Map<number, boolean>()
  const go = (i: number, j: number): boolean => {
    const key = i * (w.length + 1) + j
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    let result: boolean
    if (j === w.length) result = i === p.length
    else if (w[j]!.kind === "any") result = go(i, j + 1) || (i < p.length && go(i + 1, j))
    else result = i < p.length && same(p[i]!, w[j]!) && go(i + 1, j + 1)
    memo.set(key, result)
    return result
  }
  return go(0, 0)
}
