/**
 * Writes the table of docs/numerics.md: the maximum error, in float32 ulps
 * against float64, of each float32 decomposition of core's Approximation (the
 * WebGPU backend's math), over a dense sweep: every 2^STRIDE-th float32 bit
 * pattern (default 2^12, about a million inputs), a million samples of each
 * function's main range, and the special values. Binary functions pair two
 * such sweeps.
 *
 * Each function is also compiled to WebAssembly SIMD (src/internal/simd.ts, as
 * the typed-array backend runs it) and its results on the whole sweep compared
 * bit for bit with the JS loop measured here: the last column.
 *
 * Run: pnpm exec tsx packages/backend-typed-array/scripts/measureApproximations.ts [STRIDE]
 */
import { Approximation } from "@diffect/core"
import { lowerElementwise } from "@diffect/core/Lowering"
import { compileSimd } from "../src/internal/simd.js"
import { decomposedLoop, measure, type Subject, subjects, sweep } from "../test/approximationSweep.js"

/** "same bits" when the SIMD kernel equals the JS loop on every input, else how many differ. */
const simdAgreement = (s: Subject, xs: Float32Array, ys: Float32Array | undefined): string => {
  const ins = s.arity === 1 ? (["float32"] as const) : (["float32", "float32"] as const)
  const lanes = Approximation.decompose(
    lowerElementwise(s.primitive, ins, "float32", {} as never),
    Approximation.allDecomposed
  )
  const simd = compileSimd("f32", [], ins.map(() => ({ kind: "flat" as const })), lanes)
  if (simd === undefined) return "no SIMD form"
  const operands = ys === undefined ? [xs] : [xs, ys]
  const js = new Float32Array(xs.length)
  decomposedLoop(s)(js, operands, xs.length)
  const got = new Float32Array(xs.length)
  simd(operands, [got], xs.length)
  const a = new Uint32Array(js.buffer)
  const b = new Uint32Array(got.buffer)
  let differ = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(js[i]) && Number.isNaN(got[i]))) differ++
  return differ === 0 ? "same bits" : `${differ} differ`
}

const stride = Number(process.argv[2] ?? 12)
const dense = 1_000_000
const rows: Array<string> = [
  "| function | domain of the bound | max error (ulp) | where | bound asserted by the test (ulp) | SIMD vs JS |",
  "| --- | --- | --- | --- | --- | --- |"
]
for (const s of subjects) {
  const xs = sweep(stride, dense, s.dense, 1)
  const ys = s.arity === 2 ? sweep(stride, dense, s.dense, 7) : undefined
  const m = measure(s, xs, ys)
  const where = m.worstInput.map((v) => v.toPrecision(8)).join(", ")
  rows.push(
    `| ${s.name} | ${s.domainText} | ${m.maxUlp.toFixed(2)} | ${where} | ${s.bound} | ${simdAgreement(s, xs, ys)} |`
  )
  if (m.outsideMaxAbs > 0) {
    console.error(`${s.name}: outside ${s.domainText}, max absolute error ${m.outsideMaxAbs.toExponential(2)}`)
  }
}
console.log(`Sweep: every 2^${stride}-th bit pattern, ${dense} samples of the main range, specials.\n`)
console.log(rows.join("\n"))
