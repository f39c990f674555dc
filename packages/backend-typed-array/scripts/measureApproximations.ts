/**
 * Writes the table of docs/numerics.md: the maximum error, in float32 ulps
 * against float64, of each float32 decomposition of core's Approximation (the
 * WebGPU backend's math), over a dense sweep: every 2^STRIDE-th float32 bit
 * pattern (default 2^12, about a million inputs), a million samples of each
 * function's main range, and the special values. Binary functions pair two
 * such sweeps.
 *
 * Run: pnpm exec tsx packages/backend-typed-array/scripts/measureApproximations.ts [STRIDE]
 */
import { measure, subjects, sweep } from "../test/approximationSweep.js"

const stride = Number(process.argv[2] ?? 12)
const dense = 1_000_000
const rows: Array<string> = [
  "| function | domain of the bound | max error (ulp) | where | bound asserted by the test (ulp) |",
  "| --- | --- | --- | --- | --- |"
]
for (const s of subjects) {
  const xs = sweep(stride, dense, s.dense, 1)
  const ys = s.arity === 2 ? sweep(stride, dense, s.dense, 7) : undefined
  const m = measure(s, xs, ys)
  const where = m.worstInput.map((v) => v.toPrecision(8)).join(", ")
  rows.push(`| ${s.name} | ${s.domainText} | ${m.maxUlp.toFixed(2)} | ${where} | ${s.bound} |`)
  if (m.outsideMaxAbs > 0) {
    console.error(`${s.name}: outside ${s.domainText}, max absolute error ${m.outsideMaxAbs.toExponential(2)}`)
  }
}
console.log(`Sweep: every 2^${stride}-th bit pattern, ${dense} samples of the main range, specials.\n`)
console.log(rows.join("\n"))
