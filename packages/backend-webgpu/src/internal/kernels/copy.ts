/**
 * The strided copy: one kernel for every index-mapping primitive (transpose,
 * broadcast_in_dim, rev, slice, pad, concatenate). For each multi-index `i` of
 * an iteration shape, `dst[dstOffset + i . dstStrides] = src[srcOffset + i . srcStrides]`.
 * Data is moved as raw 32-bit words, so one pipeline serves every dtype; the
 * rank (after merging contiguous dimensions) is baked into the shader. The
 * copies come from core's `View` (the same arithmetic as the CPU backend's).
 */
import { View } from "@diffect/core"
import type { Runtime } from "../runtime.js"
import { PARAM_WORDS } from "../runtime.js"
import { shader } from "../shader.js"

const MAX_RANK = Math.floor((PARAM_WORDS - 5) / 3)

const source = (runtime: Runtime, rank: number, lanes: number): string => {
  const lines: Array<string> = []
  for (let k = rank - 1; k >= 0; k--) {
    const base = 5 + 3 * k
    lines.push(`  {
    let n = p(${base}u);
    let idx = i32(rest % n);
    rest = rest / n;
    s = s + idx * ps(${base + 1}u);
    d = d + idx * ps(${base + 2}u);
  }`)
  }
  const moves = lanes === 1
    ? "  out[u32(d)] = in0[u32(s)];"
    : Array.from({ length: lanes }, (_, l) => `  out[u32(d) * ${lanes}u + ${l}u] = in0[u32(s) * ${lanes}u + ${l}u];`)
      .join("\n")
  return shader({
    inputs: ["u32"],
    output: "u32",
    workgroupSize: runtime.workgroupSize,
    body: `  if (tid >= p(2u)) { return; }
  var rest = tid;
  var s = ps(3u);
  var d = ps(4u);
${lines.join("\n")}
${moves}`
  })
}

/** Records a strided copy of 32-bit words (`lanes` per element) from `src` into `dst`. */
export const stridedCopy = (
  runtime: Runtime,
  src: GPUBuffer,
  dst: GPUBuffer,
  lanes: number,
  copy: View.Copy
): void => {
  const c = View.coalesce(copy)
  let size = 1
  for (const n of c.shape) size *= n
  if (size === 0) return
  if (c.shape.length > MAX_RANK) {
    throw new Error(`internal: strided copy of rank ${c.shape.length} exceeds ${MAX_RANK}`)
  }
  const rank = c.shape.length
  const kernel = runtime.kernel(`copy:${lanes}:${rank}`, 1, () => source(runtime, rank, lanes))
  const params = new Int32Array(5 + 3 * rank)
  params[2] = size
  params[3] = c.srcOffset
  params[4] = c.dstOffset
  for (let k = 0; k < rank; k++) {
    params[5 + 3 * k] = c.shape[k]!
    params[6 + 3 * k] = c.srcStrides[k]!
    params[7 + 3 * k] = c.dstStrides[k]!
  }
  runtime.dispatch(kernel, [src], dst, params, Math.ceil(size / runtime.workgroupSize))
}
