/**
 * Large fusion groups in stages: a shader compiler's time grows faster than
 * linearly with a shader's size (Mesa's llvmpipe: a 100-step `x + 0.01 sin x`
 * chain's value and gradient, ~20,000 IR nodes in one shader, compiled in 9 s;
 * 150 steps in 57 s), so a group whose decomposed IR has more than
 * `MAX_NODES` operations is cut, in evaluation order, into stages of at most
 * that many. Each stage is a fused shader of its own (fused.ts); the values a
 * later stage reads from an earlier one (or that are outputs computed early)
 * are stored in scratch buffers of the domain's shape, all recorded in the
 * same command buffer.
 */
import { Approximation, Kernel } from "@diffect/core"
import type { DType, FusedInput, FusedKernelSpec, FusedOutput } from "@diffect/core"
import type { Runtime, Storage } from "../runtime.js"
import type { CompiledGroup } from "./fused.js"

type Expr = Kernel.Expr

/** The most IR operations (inputs and constants aside) one shader computes. */
export const MAX_NODES = 3000

const dtypeOf = (t: Kernel.ScalarType): DType.DType =>
  t === "f32" ? "float32" : t === "i32" ? "int32" : t === "u32" ? "uint32" : t === "bool" ? "bool" : "float64"

/** The operations (not inputs or constants) of `roots`, each after the ones it reads. */
const evaluationOrder = (roots: ReadonlyArray<Expr>): Array<Expr> => {
  const order: Array<Expr> = []
  const seen = new Set<Expr>()
  // iterative post-order: chains of thousands of nodes must not exhaust the stack
  const stack: Array<[Expr, number]> = []
  for (const root of roots) {
    if (seen.has(root)) continue
    seen.add(root)
    stack.push([root, 0])
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const kids = Kernel.children(top[0])
      if (top[1] < kids.length) {
        const child = kids[top[1]++]!
        if (!seen.has(child)) {
          seen.add(child)
          stack.push([child, 0])
        }
        continue
      }
      stack.pop()
      if (top[0].kind !== "input" && top[0].kind !== "const") order.push(top[0])
    }
  }
  return order
}

/** The group's outputs with their transcendentals decomposed (as the runtime's shaders compute them). */
export const decomposedOutputs = (
  spec: FusedKernelSpec,
  support: Approximation.Support
): ReadonlyArray<FusedOutput> => {
  const lanes = Approximation.decompose(spec.outputs.flatMap((o) => o.lanes), support)
  let at = 0
  return spec.outputs.map((o) => ({ ...o, lanes: o.lanes.map(() => lanes[at++]!) }))
}

/** How many operations the group's shader would compute. */
export const operations = (outputs: ReadonlyArray<FusedOutput>): number =>
  evaluationOrder(outputs.flatMap((o) => o.lanes)).length

/** One stage: its spec, and where its inputs come from (the group's inputs, or earlier stages' values). */
interface Stage {
  readonly spec: FusedKernelSpec
  readonly sources: ReadonlyArray<{ readonly input: number } | { readonly carried: number }>
  /** The carried values this stage computes (indices into the carried list), in output order. */
  readonly carries: ReadonlyArray<number>
}

/** Compiles `spec` (outputs already decomposed) as stages of at most `MAX_NODES` operations. */
export const compileStaged = (
  runtime: Runtime,
  spec: FusedKernelSpec,
  outputs: ReadonlyArray<FusedOutput>,
  compileOne: (spec: FusedKernelSpec) => CompiledGroup
): CompiledGroup => {
  const order = evaluationOrder(outputs.flatMap((o) => o.lanes))
  const count = Math.ceil(order.length / MAX_NODES)
  const per = Math.ceil(order.length / count)
  const stageOf = new Map<Expr, number>()
  order.forEach((e, i) => stageOf.set(e, Math.floor(i / per)))
  const last = count - 1
  // values computed in one stage and read by a later one (or returned from an early stage)
  const carriedIndex = new Map<Expr, number>()
  const carried: Array<Expr> = []
  const carry = (e: Expr, reader: number) => {
    const s = stageOf.get(e)
    if (s === undefined || s >= reader || carriedIndex.has(e)) return
    carriedIndex.set(e, carried.length)
    carried.push(e)
  }
  for (const e of order) for (const c of Kernel.children(e)) carry(c, stageOf.get(e)!)
  for (const o of outputs) for (const lane of o.lanes) carry(lane, last)

  const contiguous = stridesOf(spec.shape)
  const stages: Array<Stage> = []
  for (let s = 0; s < count; s++) {
    const sources: Array<{ input: number } | { carried: number }> = []
    const inputOf = new Map<string, number>()
    const inputs: Array<FusedInput> = []
    const source = (
      key: string,
      make: () => { input: number } | { carried: number },
      input: FusedInput
    ): number => {
      let k = inputOf.get(key)
      if (k === undefined) {
        k = inputs.length
        inputOf.set(key, k)
        inputs.push(input)
        sources.push(make())
      }
      return k
    }
    const memo = new Map<Expr, Expr>()
    const rewrite = (e: Expr): Expr => {
      const known = memo.get(e)
      if (known !== undefined) return known
      let out: Expr
      if (e.kind === "const") out = e
      else if (e.kind === "input") {
        const k = source(`i${e.index}`, () => ({ input: e.index }), spec.inputs[e.index]!)
        out = Kernel.input(k, e.type, e.lane)
      } else if (stageOf.get(e)! < s) {
        const c = carriedIndex.get(e)!
        out = Kernel.input(
          source(`c${c}`, () => ({ carried: c }), { dtype: dtypeOf(e.type), strides: contiguous }),
          e.type
        )
      } else {
        switch (e.kind) {
          case "unary":
          case "cast":
            out = { ...e, x: rewrite(e.x) }
            break
          case "binary":
            out = { ...e, x: rewrite(e.x), y: rewrite(e.y) }
            break
          case "select":
            out = { ...e, cond: rewrite(e.cond), onTrue: rewrite(e.onTrue), onFalse: rewrite(e.onFalse) }
            break
        }
      }
      memo.set(e, out)
      return out
    }
    const carries = carried.map((_, c) => c).filter((c) => stageOf.get(carried[c]!) === s)
    const stageOutputs: Array<FusedOutput> = s === last
      ? outputs.map((o) => ({ ...o, lanes: o.lanes.map(rewrite) }))
      : carries.map((c) => ({ dtype: dtypeOf(carried[c]!.type), lanes: [rewrite(carried[c]!)] }))
    stages.push({ spec: { shape: spec.shape, inputs, outputs: stageOutputs, rounded: new Set() }, sources, carries })
  }
  const compiled = stages.map((stage) => compileOne(stage.spec))
  const run = (inputs: ReadonlyArray<Storage>, given: ReadonlyArray<Storage | undefined>): Array<Storage> => {
    const values = new Array<Storage | undefined>(carried.length)
    let results: Array<Storage> = []
    stages.forEach((stage, s) => {
      const args = stage.sources.map((src) => ("input" in src ? inputs[src.input]! : values[src.carried]!))
      if (s === last) {
        results = compiled[s]!.run(args, given)
        return
      }
      const made = compiled[s]!.run(args, [])
      stage.carries.forEach((c, j) => (values[c] = made[j]))
    })
    for (const v of values) if (v !== undefined) runtime.retire(v)
    return results
  }
  return {
    source: compiled.map((c, s) => `// stage ${s + 1} of ${count}\n${c.source}`).join("\n"),
    run
  }
}

const stridesOf = (shape: ReadonlyArray<number>): Array<number> => {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc
    acc *= shape[d]!
  }
  return s
}
