/**
 * Fits the polynomial coefficients of core/src/Approximation.ts: for each
 * kernel, the weighted minimax polynomial on its reduced range, computed in
 * float64 with Lawson's algorithm (iteratively reweighted least squares on a
 * dense grid, which converges to the discrete minimax), then rounded to
 * float32 one coefficient at a time, refitting the others after each rounding
 * so the rounding errors partly cancel.
 *
 * Run: pnpm exec tsx packages/core/scripts/fitApproximations.ts
 * It prints each fit's coefficients (as float32 literals) and its weighted
 * maximum error before rounding, after rounding and in float64 evaluation.
 */

/** A fit: minimize max_x |weight(x) * (target(x) - sum_j c_j basis(x, j))| on `[lo, hi]`. */
interface Problem {
  readonly name: string
  readonly lo: number
  readonly hi: number
  readonly terms: number
  readonly target: (x: number) => number
  readonly basis: (x: number, j: number) => number
  readonly weight: (x: number) => number
}

const GRID = 4000

/** Weighted least squares by modified Gram-Schmidt QR: rows `a`, right side `b`. */
const leastSquares = (a: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<number>): Array<number> => {
  const m = a.length
  const n = a[0]!.length
  // Columns, scaled to unit norm for conditioning.
  const q = Array.from({ length: n }, (_, j) => a.map((row) => row[j]!))
  const scale = q.map((col) => Math.hypot(...col) || 1)
  q.forEach((col, j) => col.forEach((_, i) => (col[i]! /= scale[j]!)))
  const r = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0
      for (let i = 0; i < m; i++) dot += q[k]![i]! * q[j]![i]!
      r[k]![j] = dot
      for (let i = 0; i < m; i++) q[j]![i]! -= dot * q[k]![i]!
    }
    const norm = Math.hypot(...q[j]!)
    r[j]![j] = norm
    for (let i = 0; i < m; i++) q[j]![i]! /= norm
  }
  const qtb = q.map((col) => col.reduce((s, v, i) => s + v * b[i]!, 0))
  const c = new Array<number>(n).fill(0)
  for (let j = n - 1; j >= 0; j--) {
    let s = qtb[j]!
    for (let k = j + 1; k < n; k++) s -= r[j]![k]! * c[k]!
    c[j] = s / r[j]![j]!
  }
  return c.map((v, j) => v / scale[j]!)
}

/**
 * Lawson's algorithm with some coefficients fixed (`fixed[j]` defined): returns
 * all coefficients and the weighted max error.
 */
const lawson = (p: Problem, fixed: ReadonlyArray<number | undefined>): { c: Array<number>; err: number } => {
  const xs = Array.from({ length: GRID }, (_, i) => {
    // Chebyshev-distributed points (denser at the ends, where minimax errors peak).
    const t = Math.cos((Math.PI * (i + 0.5)) / GRID)
    return (p.lo + p.hi) / 2 + ((p.hi - p.lo) / 2) * t
  })
  const free = Array.from({ length: p.terms }, (_, j) => j).filter((j) => fixed[j] === undefined)
  const w = xs.map(p.weight)
  const rest = xs.map((x) => p.target(x) - fixed.reduce<number>((s, c, j) => s + (c ?? 0) * p.basis(x, j), 0))
  let u = xs.map(() => 1 / GRID)
  let best: { c: Array<number>; err: number } = { c: [], err: Infinity }
  for (let iter = 0; iter < 400; iter++) {
    const sq = u.map(Math.sqrt)
    const a = xs.map((x, i) => free.map((j) => sq[i]! * w[i]! * p.basis(x, j)))
    const b = xs.map((_, i) => sq[i]! * w[i]! * rest[i]!)
    const sol = leastSquares(a, b)
    const c = fixed.map((v) => v ?? 0)
    while (c.length < p.terms) c.push(0)
    free.forEach((j, k) => (c[j] = sol[k]!))
    const e = xs.map((x, i) => Math.abs(w[i]! * (p.target(x) - c.reduce((s, cj, j) => s + cj * p.basis(x, j), 0))))
    const err = Math.max(...e)
    if (err < best.err) best = { c, err }
    const next = u.map((ui, i) => ui * e[i]!)
    const total = next.reduce((s, v) => s + v, 0)
    if (total === 0) break
    u = next.map((v) => v / total)
  }
  return best
}

/** Fits, then rounds the coefficients to float32 lowest order first, refitting the rest. */
export const fit = (p: Problem): { readonly coefficients: ReadonlyArray<number>; readonly err: number } => {
  const exact = lawson(p, [])
  const fixed: Array<number | undefined> = new Array(p.terms).fill(undefined)
  let current = exact
  for (let j = 0; j < p.terms; j++) {
    fixed[j] = Math.fround(current.c[j]!)
    if (j < p.terms - 1) current = lawson(p, fixed)
  }
  const coefficients = fixed.map((v) => v!)
  const xs = Array.from({ length: 20 * GRID }, (_, i) => p.lo + ((p.hi - p.lo) * (i + 0.5)) / (20 * GRID))
  const err = Math.max(
    ...xs.map((x) => Math.abs(p.weight(x) * (p.target(x) - coefficients.reduce((s, c, j) => s + c * p.basis(x, j), 0))))
  )
  console.log(`${p.name}: minimax ${exact.err.toExponential(3)}, with float32 coefficients ${err.toExponential(3)}`)
  console.log(`  [${coefficients.map((c) => c.toPrecision(9)).join(", ")}]`)
  return { coefficients, err }
}

const LN2 = Math.LN2
const atanh2 = (s: number) => Math.log((1 + s) / (1 - s))

/** The problems, one per polynomial of Approximation.ts (same names). */
export const problems: ReadonlyArray<Problem> = [
  {
    // exp(r) = 1 + r + r^2 P(r) on |r| <= ln2/2 (slightly widened for the reduction's rounding).
    name: "EXP",
    lo: -LN2 / 2 * 1.001,
    hi: LN2 / 2 * 1.001,
    terms: 5,
    target: (r) => Math.expm1(r) - r,
    basis: (r, j) => r ** (j + 2),
    weight: (r) => 1 / Math.exp(r)
  },
  {
    // log((1+s)/(1-s)) = 2s + s^3 L(s^2) for |s| <= (sqrt2 - 1)/(sqrt2 + 1): relative to 2s.
    name: "LOG",
    lo: 1e-6,
    hi: 0.1716 * 1.001,
    terms: 4,
    target: (s) => atanh2(s) - 2 * s,
    basis: (s, j) => s ** (2 * j + 3),
    weight: (s) => 1 / atanh2(s)
  },
  {
    // sin(r) = r + r^3 S(r^2) on |r| <= pi/4.
    name: "SIN",
    lo: 1e-6,
    hi: Math.PI / 4 * 1.001,
    terms: 4,
    target: (r) => Math.sin(r) - r,
    basis: (r, j) => r ** (2 * j + 3),
    weight: (r) => 1 / Math.sin(r)
  },
  {
    // cos(r) = 1 - r^2/2 + r^4 C(r^2) on |r| <= pi/4.
    name: "COS",
    lo: 1e-6,
    hi: Math.PI / 4 * 1.001,
    terms: 4,
    target: (r) => Math.cos(r) - 1 + (r * r) / 2,
    basis: (r, j) => r ** (2 * j + 4),
    weight: (r) => 1 / Math.cos(r)
  },
  {
    // atan(x) = x + x^3 A(x^2) on |x| <= tan(pi/8).
    name: "ATAN",
    lo: 1e-6,
    hi: Math.tan(Math.PI / 8) * 1.001,
    terms: 5,
    target: (x) => Math.atan(x) - x,
    basis: (x, j) => x ** (2 * j + 3),
    weight: (x) => 1 / Math.atan(x)
  },
  {
    // tanh(x) = x + x^3 T(x^2) on |x| <= 0.625, where expm1's form loses bits.
    name: "TANH",
    lo: 1e-6,
    hi: 0.625,
    terms: 6,
    target: (x) => Math.tanh(x) - x,
    basis: (x, j) => x ** (2 * j + 3),
    weight: (x) => 1 / Math.tanh(x)
  }
]

if (process.argv[1]?.endsWith("fitApproximations.ts")) {
  for (const p of problems) fit(p)
}
