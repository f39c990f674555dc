/**
 * The loss curve as a small standalone SVG (no dependency): axes, ticks on round
 * values (1, 2 or 5 times a power of ten), a polyline, a log-scale y axis when
 * the loss spans more than a decade.
 */
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;")

/** A round step near `span / count`: 1, 2 or 5 times a power of ten. */
export const niceStep = (span: number, count: number): number => {
  const raw = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  const m = raw / power
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power
}

/** Round tick values covering `[lo, hi]`, about `count` of them, the range widened to whole steps. */
export const niceTicks = (lo: number, hi: number, count = 5): Array<number> => {
  if (hi <= lo) hi = lo + 1
  const step = niceStep(hi - lo, count)
  const first = Math.floor(lo / step)
  const last = Math.ceil(hi / step)
  // Multiply integers by the step (not repeated addition), then trim float noise.
  return Array.from({ length: last - first + 1 }, (_, k) => Number(((first + k) * step).toPrecision(12)))
}

/** Log-scale ticks: 1, 2 and 5 times the powers of ten around `[lo, hi]` (just the powers past three decades). */
export const logTicks = (lo: number, hi: number): Array<number> => {
  const a = Math.floor(Math.log10(lo))
  const b = Math.ceil(Math.log10(hi))
  const mantissas = b - a > 3 ? [1] : [1, 2, 5]
  const out: Array<number> = []
  for (let e = a; e <= b; e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12))
      if (v >= 10 ** a && v <= 10 ** b) out.push(v)
    }
  }
  // The range: from the largest tick at or below lo to the smallest at or above hi.
  const below = out.filter((v) => v <= lo)
  const above = out.filter((v) => v >= hi)
  const from = below.length > 0 ? below[below.length - 1]! : out[0]!
  const to = above.length > 0 ? above[0]! : out[out.length - 1]!
  return out.filter((v) => v >= from && v <= to)
}

const label = (v: number): string => String(Number(v.toPrecision(6)))

export const lossCurveSvg = (losses: ReadonlyArray<number>, title: string): string => {
  const W = 640
  const H = 360
  const m = { left: 64, right: 20, top: 36, bottom: 44 }
  const w = W - m.left - m.right
  const h = H - m.top - m.bottom
  const lo = Math.min(...losses)
  const hi = Math.max(...losses)
  const log = lo > 0 && hi / lo > 10
  const f = (v: number) => (log ? Math.log10(v) : v)
  const yValues = log ? logTicks(lo, hi) : niceTicks(lo, hi)
  const y0 = f(yValues[0]!)
  const y1 = f(yValues[yValues.length - 1]!)
  const steps = Math.max(1, losses.length)
  const xValues = niceTicks(0, steps).filter((v) => v <= steps)
  const px = (step: number) => m.left + (step / steps) * w
  const py = (v: number) => m.top + h - ((f(v) - y0) / (y1 - y0)) * h
  // Loss i is measured at step i + 1.
  const points = losses.map((v, i) => `${px(i + 1).toFixed(1)},${py(v).toFixed(1)}`).join(" ")
  const yTicks = yValues.map((v) => {
    const y = py(v).toFixed(1)
    return `<line x1="${m.left - 4}" y1="${y}" x2="${m.left + w}" y2="${y}" stroke="#e5e5e5"/>` +
      `<text x="${m.left - 8}" y="${(Number(y) + 4).toFixed(1)}" text-anchor="end">${label(v)}</text>`
  }).join("")
  const xTicks = xValues.map((v) => {
    const x = px(v).toFixed(1)
    return `<line x1="${x}" y1="${m.top + h}" x2="${x}" y2="${m.top + h + 4}" stroke="black"/>` +
      `<text x="${x}" y="${m.top + h + 18}" text-anchor="middle">${label(v)}</text>`
  }).join("")
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>
${yTicks}${xTicks}
<line x1="${m.left}" y1="${m.top + h}" x2="${m.left + w}" y2="${m.top + h}" stroke="black"/>
<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + h}" stroke="black"/>
<text x="${m.left + w / 2}" y="${H - 8}" text-anchor="middle">step</text>
<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">loss${
    log ? " (log scale)" : ""
  }</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${points}"/>
</svg>
`
}
