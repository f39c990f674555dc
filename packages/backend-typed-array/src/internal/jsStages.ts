/**
 * Splits a fusion group's JS loop into stages small enough for V8 to optimize.
 *
 * V8 compiles a function with its optimizing tier only while its bytecode is
 * under 60 KB (`--max-optimized-bytecode-size`); a larger fused loop stays in
 * the baseline tiers, which box every float it computes: 18 chained float32
 * `erfInv` over 4,096 values (75 KB of source) took 63 ms a call against 4.6 ms
 * for 17 (71 KB), and 4.2 s on the first call. Such groups exist because the
 * fusion pass bounds groups by primitives, and one float32 special function
 * decomposes into dozens of kernel-IR nodes.
 *
 * A stage is a contiguous run of the expression DAG's nodes in topological
 * order. Each value a later stage reads is stored whole in a float64 array
 * (exact for every float32, float64, int32, uint32 and bool value) and read
 * back as an input; the last stage computes the group's outputs. Every node
 * is computed once, by the same code, so the results have the unsplit loop's
 * bits.
 */
import { Kernel } from "@diffect/core"
import type { FusedInput, FusedKernelSpec, FusedOutput } from "@diffect/core"

/** One stage: its spec (the group's inputs, then `temps` read back), and where its outputs go. */
export interface JsStage {
  readonly spec: FusedKernelSpec
  /** For an earlier stage: the temporaries it writes (indices into the call's temporaries). */
  readonly writes: ReadonlyArray<number>
  /** The temporaries this stage reads, in the order of its inputs after the group's own. */
  readonly reads: ReadonlyArray<number>
}

/** The nodes reachable from `outs` that compute (not inputs or constants), children first. */
const topological = (outs: ReadonlyArray<Kernel.Expr>): Array<Kernel.Expr> => {
  const order: Array<Kernel.Expr> = []
  const seen = new Set<Kernel.Expr>()
  // iterative post-order: fused chains nest thousands deep
  const stack: Array<{ readonly e: Kernel.Expr; expanded: boolean }> = outs.map((e) => ({ e, expanded: false }))
  stack.reverse()
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.expanded) {
      stack.pop()
      if (!seen.has(top.e)) {
        seen.add(top.e)
        order.push(top.e)
      }
      continue
    }
    top.expanded = true
    if (seen.has(top.e) || top.e.kind === "input" || top.e.kind === "const") {
      stack.pop()
      continue
    }
    const kids = Kernel.children(top.e)
    for (let i = kids.length - 1; i >= 0; i--) {
      if (!seen.has(kids[i]!)) stack.push({ e: kids[i]!, expanded: false })
    }
  }
  return order
}

/**
 * The stages of `spec`'s loop, at most `maxNodes` computing nodes each; one
 * stage (the spec itself) when it fits.
 */
export const jsStages = (spec: FusedKernelSpec, maxNodes: number): ReadonlyArray<JsStage> => {
  const outs = spec.outputs.flatMap((o) => o.lanes)
  const order = topological(outs)
  const count = Math.ceil(order.length / Math.max(1, maxNodes))
  if (count <= 1) return [{ spec, writes: [], reads: [] }]
  // balanced stages: the same number of nodes in each
  const per = Math.ceil(order.length / count)
  const stageOf = new Map<Kernel.Expr, number>()
  order.forEach((e, i) => stageOf.set(e, Math.floor(i / per)))
  const stages = Math.floor((order.length - 1) / per) + 1
  const last = stages - 1
  // the values read by a later stage (or output from an earlier one) get a temporary each
  const tempOf = new Map<Kernel.Expr, number>()
  const temps: Array<Kernel.Expr> = []
  const needTemp = (e: Kernel.Expr): void => {
    if (!tempOf.has(e)) {
      tempOf.set(e, temps.length)
      temps.push(e)
    }
  }
  for (const e of order) {
    const s = stageOf.get(e)!
    for (const c of Kernel.children(e)) {
      const cs = stageOf.get(c)
      if (cs !== undefined && cs < s) needTemp(c)
    }
  }
  for (const e of outs) {
    const s = stageOf.get(e)
    if (s !== undefined && s < last) needTemp(e)
  }
  const shape = spec.shape
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1))
  const tempInput: FusedInput = { dtype: "float64", strides }
  const base = spec.inputs.length
  return Array.from({ length: stages }, (_, s): JsStage => {
    const reads: Array<number> = []
    const readAt = new Map<number, number>()
    const memo = new Map<Kernel.Expr, Kernel.Expr>()
    const rounded = new Set<Kernel.Expr>()
    const wide = new Set<Kernel.Expr>()
    // a node of this stage over its rebuilt children; an earlier stage's node read from its temporary
    const rebuild = (e: Kernel.Expr): Kernel.Expr => {
      const known = memo.get(e)
      if (known !== undefined) return known
      const es = stageOf.get(e)
      let out: Kernel.Expr
      if (es === undefined) out = e
      else if (es < s) {
        const t = tempOf.get(e)!
        let at = readAt.get(t)
        if (at === undefined) {
          at = reads.length
          readAt.set(t, at)
          reads.push(t)
        }
        out = Kernel.input(base + at, e.type)
      } else {
        // the same node (op and type) over the rebuilt children
        switch (e.kind) {
          case "unary":
          case "cast":
            out = { ...e, x: rebuild(e.x) }
            break
          case "binary":
            out = { ...e, x: rebuild(e.x), y: rebuild(e.y) }
            break
          case "select":
            out = { ...e, cond: rebuild(e.cond), onTrue: rebuild(e.onTrue), onFalse: rebuild(e.onFalse) }
            break
          default:
            out = e
        }
        if (spec.rounded.has(e)) rounded.add(out)
        if (spec.wide?.has(e) === true) wide.add(out)
      }
      memo.set(e, out)
      return out
    }
    // iteratively, children first, so that `rebuild` never recurses deeply
    for (const e of order) if (stageOf.get(e) === s) rebuild(e)
    const writes = s === last ? [] : temps.flatMap((e, t) => (stageOf.get(e) === s ? [t] : []))
    const outputs: ReadonlyArray<FusedOutput> = s === last
      ? spec.outputs.map((o) => ({ ...o, lanes: o.lanes.map(rebuild) }))
      : writes.map((t) => ({ dtype: "float64", lanes: [rebuild(temps[t]!)] }))
    const inputs = [...spec.inputs, ...reads.map(() => tempInput)]
    const { dot: _dot, wide: _wide, ...rest } = spec
    const stageSpec: FusedKernelSpec = { ...rest, inputs, outputs, rounded, ...(wide.size > 0 ? { wide } : {}) }
    return { spec: stageSpec, writes, reads }
  })
}
