/**
 * Shared WGSL scaffolding: bindings, the parameter block and the linear
 * invocation index. Every kernel binds its inputs at 0..n-1 (read-only
 * storage), its output at n and the parameter block at n+1 (see runtime.ts).
 */
import type { DType } from "@diffect/core"
import { Helpers } from "./wgsl.js"

/** The WGSL element type of a dtype's storage (bool is widened to u32). */
export const storageType = (dtype: DType.DType): string =>
  dtype === "int32" ? "i32" : dtype === "bool" || dtype === "uint32" ? "u32" : "f32"

/** Parameter words 0 and 1 (grid extent) are the runtime's; kernels start at 2. */
export const FIRST_PARAM = 2

/** Options of `shader`. */
export interface ShaderSpec {
  /** WGSL element type of each input's storage array. */
  readonly inputs: ReadonlyArray<string>
  readonly output: string
  readonly workgroupSize: number
  readonly helpers?: Helpers
  /** Module-scope declarations (workgroup arrays, functions). */
  readonly decls?: string
  /**
   * The body of `main`. In scope: `gid`, `lid` (local index), `wid` (linear
   * workgroup index), `tid` (linear invocation index) and `p(k)` (parameter
   * word `k` as u32; `ps(k)` as i32).
   */
  readonly body: string
}

/** A complete compute shader. */
export const shader = (spec: ShaderSpec): string => {
  const n = spec.inputs.length
  const bindings = spec.inputs.map((t, i) => `@group(0) @binding(${i}) var<storage, read> in${i}: array<${t}>;`)
  return `${bindings.join("\n")}
@group(0) @binding(${n}) var<storage, read_write> out: array<${spec.output}>;
struct Params { w: array<vec4<u32>, 16> }
@group(0) @binding(${n + 1}) var<uniform> params: Params;
fn p(k: u32) -> u32 { return params.w[k / 4u][k % 4u]; }
fn ps(k: u32) -> i32 { return bitcast<i32>(params.w[k / 4u][k % 4u]); }
${spec.helpers?.source() ?? ""}
${spec.decls ?? ""}
@compute @workgroup_size(${spec.workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wgid: vec3<u32>) {
  let wid = wgid.x + wgid.y * p(0u);
  let tid = gid.x + gid.y * p(1u);
${spec.body}
}
`
}
