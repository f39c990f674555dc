/**
 * Writes the "Matrix products" table of docs/numerics.md: the error of float32
 * `dot_general` against float64, as a function of the contraction length K, for
 * each accumulation: "default" (float32 f32x4 tiles, with relaxed SIMD's fused
 * multiply-add where the engine has it, and without it) and "highest" (float64
 * accumulation). Operands are uniform in [-1, 1) (seeded), 32 x K times K x 32.
 *
 * Two numbers per cell: the largest |c - exact| / sum_p |a_ip b_pj| over the
 * entries, in units of u = 2^-24 (the quantity the standard bound (K + 1) u
 * limits), and the normwise relative error max |c - exact| / max |exact| (the
 * bench's measure).
 *
 * Run: pnpm exec tsx packages/backend-typed-array/scripts/measureGemmError.ts
 */
import { gemmF32, relaxedSimdInUse, setRelaxedSimd } from "../src/internal/wasmGemm.js"

const random = (length: number, seed: number): Float32Array => {
  let s = seed
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return ((s >>> 8) / (1 << 24)) * 2 - 1
  })
}

const u = 2 ** -24
const [m, n] = [32, 32]
const ks = [16, 64, 256, 1024, 4096, 16384, 65536]
const variants = [
  { name: "default, fused multiply-add (relaxed SIMD)", acc: "f32", fma: true },
  { name: "default, multiply then add", acc: "f32", fma: false },
  { name: "highest", acc: "f64", fma: false }
] as const

const rows: Array<string> = [
  `| K | ${variants.map((v) => `${v.name}: max (u) / normwise`).join(" | ")} | bound (K + 1) u |`,
  `| --- | ${variants.map(() => "---").join(" | ")} | --- |`
]
for (const k of ks) {
  const a = random(m * k, k)
  const b = random(k * n, k + 1)
  const exact = new Float64Array(m * n)
  const abs = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      let t = 0
      for (let p = 0; p < k; p++) {
        const x = a[i * k + p]! * b[p * n + j]!
        s += x
        t += Math.abs(x)
      }
      exact[i * n + j] = s
      abs[i * n + j] = t
    }
  }
  const cells = variants.map((v) => {
    if (v.fma !== relaxedSimdInUse() && setRelaxedSimd(v.fma) !== v.fma) return "n/a (no relaxed SIMD)"
    const out = new Float32Array(m * n)
    gemmF32(a, 0, k, 1, b, 0, n, 1, out, 0, m, k, n, v.acc)
    let max = 0
    let errMax = 0
    let refMax = 0
    for (let i = 0; i < m * n; i++) {
      const e = Math.abs(out[i]! - exact[i]!)
      max = Math.max(max, e / abs[i]! / u)
      errMax = Math.max(errMax, e)
      refMax = Math.max(refMax, Math.abs(exact[i]!))
    }
    return `${max.toPrecision(3)} / ${(errMax / refMax).toExponential(1)}`
  })
  rows.push(`| ${k} | ${cells.join(" | ")} | ${k + 1} |`)
}
setRelaxedSimd(true)
console.log(`Node ${process.version}, relaxed SIMD available: ${setRelaxedSimd(true)}\n`)
console.log(rows.join("\n"))
