/**
 * The loss curve as a small standalone SVG (no dependency): axes, ticks, a
 * polyline, a log-scale y axis when the loss spans more than a decade.
 */
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;")

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
  const y0 = f(lo)
  const y1 = f(hi) === y0 ? y0 + 1 : f(hi)
  const px = (i: number) => m.left + (losses.length <= 1 ? 0 : (i / (losses.length - 1)) * w)
  const py = (v: number) => m.top + h - ((f(v) - y0) / (y1 - y0)) * h
  const points = losses.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(" ")
  const yTicks = Array.from({ length: 5 }, (_, k) => {
    const t = y0 + ((y1 - y0) * k) / 4
    const v = log ? 10 ** t : t
    const y = m.top + h - (k / 4) * h
    return `<line x1="${m.left - 4}" y1="${y}" x2="${m.left + w}" y2="${y}" stroke="#e5e5e5"/>` +
      `<text x="${m.left - 8}" y="${y + 4}" text-anchor="end">${v.toPrecision(2)}</text>`
  }).join("")
  const xTicks = Array.from({ length: 5 }, (_, k) => {
    const i = Math.round(((losses.length - 1) * k) / 4)
    return `<text x="${px(i)}" y="${m.top + h + 18}" text-anchor="middle">${i + 1}</text>`
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
