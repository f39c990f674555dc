/**
 * `np.einsum` for any number of operands, with ellipses (broadcasting batch
 * dimensions), lowered to `reduce_sum`, `dot_general`, `transpose` and strided
 * `slice` (diagonals): no per-element work, and every step has AD rules.
 * Several operands are contracted pairwise in a cost-minimizing order, as
 * opt_einsum (JAX's planner) does: an exhaustive search over pair orders for
 * up to six operands (`"optimal"`), otherwise the greedy choice of the pair
 * whose contraction removes the most elements (`"greedy"`). The cost of an
 * order is the number of multiply-adds of its contractions.
 *
 * @since 0.1.0
 */
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import type { Precision } from "../Primitive.js"
import type { Tensor } from "../Tensor.js"

const fail = (spec: string, why: string): ShapeError =>
  new ShapeError({ operation: "einsum", detail: `"${spec}": ${why}` })

interface Parsed {
  readonly inputs: ReadonlyArray<string>
  readonly output: string
}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Ellipses become fresh letters: each operand's "..." covers its dimensions not named by a
// letter, right-aligned across operands (NumPy's broadcasting), so the rest of the planner
// sees letters only. Size-1 ellipsis dimensions are broadcast to the others' size.
const expandEllipses = (
  spec: string,
  clean: string,
  xs: ReadonlyArray<Tensor>
): { readonly spec: string; readonly xs: ReadonlyArray<Tensor> } => {
  // (NumPy's and JAX's "Subscripts can only contain one '->'", checked before anything else)
  if (clean.split("->").length > 2) throw fail(spec, "subscripts can only contain one '->'")
  if (!clean.includes(".")) return { spec: clean, xs }
  const [lhs, rhs] = clean.split("->") as [string, string | undefined]
  const inputs = lhs.split(",")
  const used = new Set(clean.replace(/[.,\->]/g, ""))
  const fresh = [...letters].filter((c) => !used.has(c))
  const counts = inputs.map((s, k) => {
    const parts = s.split("...")
    if (parts.length > 2 || /\./.test(parts.join(""))) throw fail(spec, `invalid ellipsis in "${s}"`)
    if (parts.length === 1) return -1
    const n = (xs[k]?.ndim ?? 0) - parts.join("").length
    if (n < 0) throw fail(spec, `operand ${k} has fewer dimensions than its subscripts "${s}" name`)
    return n
  })
  const width = Math.max(0, ...counts)
  if (width > fresh.length) throw fail(spec, "too many dimensions for the available labels")
  const labels = fresh.slice(0, width).join("")
  // The broadcast size of each ellipsis dimension (right-aligned).
  const sizes = new Array<number>(width).fill(1)
  counts.forEach((n, k) => {
    if (n < 0) return
    const start = inputs[k]!.indexOf("...")
    for (let i = 0; i < n; i++) {
      const d = xs[k]!.shape[start + i]!
      const at = width - n + i
      if (d !== 1) {
        if (sizes[at] !== 1 && sizes[at] !== d) {
          throw fail(spec, `ellipsis dimensions of sizes ${sizes[at]} and ${d} do not broadcast`)
        }
        sizes[at] = d
      }
    }
  })
  const newXs = xs.map((x, k) => {
    const n = counts[k]!
    if (n < 0) return x
    const start = inputs[k]!.indexOf("...")
    const target = x.shape.map((d, i) => (i >= start && i < start + n ? sizes[width - n + i - start]! : d))
    return target.every((d, i) => d === x.shape[i]) ? x : lax.broadcastInDim(x, target, x.shape.map((_, i) => i))
  })
  const newInputs = inputs.map((s, k) => s.replace("...", labels.slice(width - Math.max(counts[k]!, 0))))
  let output: string
  if (rhs === undefined) {
    // Implicit mode: the ellipsis labels, then the labels that appear once, alphabetically.
    const all = inputs.join("").replace(/\.\.\./g, "")
    const once = [...new Set(all)].filter((c) => all.split(c).length === 2).sort().join("")
    output = labels + once
  } else {
    if (rhs.split("...").length > 2) throw fail(spec, "the output has more than one ellipsis")
    output = rhs.replace("...", labels)
  }
  return { spec: `${newInputs.join(",")}->${output}`, xs: newXs }
}

const parse = (spec: string, clean: string, nOperands: number): Parsed => {
  if (clean.includes(".")) throw fail(spec, "an ellipsis must be written as three dots")
  const [lhs, rhs] = clean.split("->") as [string, string | undefined]
  const inputs = lhs.split(",")
  if (inputs.length !== nOperands) {
    throw fail(spec, `the subscripts name ${inputs.length} operand(s), ${nOperands} were given`)
  }
  for (const s of [...inputs, rhs ?? ""]) {
    if (!/^[a-zA-Z]*$/.test(s)) throw fail(spec, `subscripts must be letters, got "${s}"`)
  }
  let output = rhs
  if (output === undefined) {
    // Implicit mode: the labels that appear exactly once, in alphabetical order.
    const counts = new Map<string, number>()
    for (const c of inputs.join("")) counts.set(c, (counts.get(c) ?? 0) + 1)
    output = [...counts].filter(([, n]) => n === 1).map(([c]) => c).sort().join("")
  }
  if (new Set(output).size !== output.length) throw fail(spec, "an output label is repeated")
  for (const c of output) {
    if (!inputs.some((s) => s.includes(c))) throw fail(spec, `output label "${c}" is not in any input`)
  }
  return { inputs, output }
}

// Sizes of each label, checked within and across operands.
const labelSizes = (spec: string, inputs: ReadonlyArray<string>, xs: ReadonlyArray<Tensor>): Map<string, number> => {
  const sizes = new Map<string, number>()
  inputs.forEach((s, k) => {
    const x = xs[k]!
    if (s.length !== x.ndim) {
      throw fail(spec, `operand ${k} has ${x.ndim} dimension(s) but its subscripts "${s}" name ${s.length}`)
    }
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!
      const d = x.shape[i]!
      const known = sizes.get(c)
      if (known !== undefined && known !== d) {
        throw fail(spec, `label "${c}" has size ${known} in one operand and ${d} in another`)
      }
      sizes.set(c, d)
    }
  })
  return sizes
}

// Sums out the labels of `s` that `keep` does not contain.
const sumOut = (x: Tensor, s: string, keep: (c: string) => boolean): [Tensor, string] => {
  const axes: Array<number> = []
  let rest = ""
  for (let i = 0; i < s.length; i++) {
    if (keep(s[i]!)) rest += s[i]
    else axes.push(i)
  }
  return axes.length === 0 ? [x, s] : [lax.reduceSum(x, axes), rest]
}

const permuteTo = (x: Tensor, have: string, want: string): Tensor => {
  if (have === want) return x
  return lax.transpose(x, [...want].map((c) => have.indexOf(c)))
}

// A label repeated within one operand ("ii->i", "ii->") takes the diagonal of those two
// axes: move them last, merge them, and take every (n + 1)-th element with a strided slice.
const diagonals = (x: Tensor, s: string): [Tensor, string] => {
  for (let i = 0; i < s.length; i++) {
    const j = s.indexOf(s[i]!, i + 1)
    if (j < 0) continue
    const n = x.shape[i]!
    const rest = Array.from({ length: s.length }, (_, k) => k).filter((k) => k !== i && k !== j)
    const moved = lax.transpose(x, [...rest, i, j])
    const lead = rest.map((k) => x.shape[k]!)
    const flat = lax.reshape(moved, [...lead, n * n])
    const diag = lax.slice(flat, [...lead.map(() => 0), 0], [...lead, n * n], [...lead.map(() => 1), n + 1])
    return diagonals(diag, rest.map((k) => s[k]!).join("") + s[i]!)
  }
  return [x, s]
}

// Contracts two operands, keeping the labels in `keep` (the output's and the other operands').
const contractPair = (
  x0: Tensor,
  sa: string,
  x1: Tensor,
  sb: string,
  keep: (c: string) => boolean,
  precision: Precision | undefined
): [Tensor, string] => {
  // Labels only in one operand and not kept are summed out first.
  const [a, la] = sumOut(x0, sa, (c) => keep(c) || sb.includes(c))
  const [b, lb] = sumOut(x1, sb, (c) => keep(c) || sa.includes(c))
  const shared = [...la].filter((c) => lb.includes(c))
  const batch = shared.filter((c) => keep(c))
  const contract = shared.filter((c) => !keep(c))
  const y = lax.dotGeneral(
    a,
    b,
    [contract.map((c) => la.indexOf(c)), contract.map((c) => lb.indexOf(c))],
    [batch.map((c) => la.indexOf(c)), batch.map((c) => lb.indexOf(c))],
    { precision }
  )
  // dot_general's output order: batch labels, then lhs free, then rhs free.
  const have = batch.join("") + [...la].filter((c) => !shared.includes(c)).join("") +
    [...lb].filter((c) => !shared.includes(c)).join("")
  return [y, have]
}

/** How `einsum` orders the pairwise contractions of three or more operands. @since 0.1.0 */
export type Optimize = "optimal" | "greedy"

export interface Step {
  readonly i: number
  readonly j: number
}

const labelsKept = (labels: ReadonlyArray<string>, i: number, j: number, output: string): string => {
  const others = labels.filter((_, k) => k !== i && k !== j).join("") + output
  return [...new Set(labels[i]! + labels[j]!)].filter((c) => others.includes(c)).join("")
}

const product = (s: string, sizes: ReadonlyMap<string, number>): number => {
  let p = 1
  for (const c of s) p *= sizes.get(c)!
  return p
}

// The multiply-adds of contracting operands i and j: one per combination of their labels.
const pairCost = (labels: ReadonlyArray<string>, i: number, j: number, sizes: ReadonlyMap<string, number>): number =>
  product([...new Set(labels[i]! + labels[j]!)].join(""), sizes)

const applyStep = (labels: ReadonlyArray<string>, { i, j }: Step, output: string): Array<string> => [
  ...labels.filter((_, k) => k !== i && k !== j),
  labelsKept(labels, i, j, output)
]

/**
 * The order of pairwise contractions: `optimal` tries every order (the
 * operands' count is small); `greedy` takes, at each step, the pair whose
 * result is smallest relative to its inputs, breaking ties by cost.
 *
 * @since 0.1.0
 */
export const contractionPath = (
  inputs: ReadonlyArray<string>,
  output: string,
  sizes: ReadonlyMap<string, number>,
  optimize: Optimize
): { readonly path: ReadonlyArray<Step>; readonly cost: number } => {
  if (optimize === "optimal") {
    let best: { path: Array<Step>; cost: number } = { path: [], cost: Infinity }
    const search = (labels: ReadonlyArray<string>, path: Array<Step>, cost: number) => {
      if (cost >= best.cost) return
      if (labels.length === 1) {
        best = { path: [...path], cost }
        return
      }
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const step = { i, j }
          path.push(step)
          search(applyStep(labels, step, output), path, cost + pairCost(labels, i, j, sizes))
          path.pop()
        }
      }
    }
    search(inputs, [], 0)
    return best
  }
  let labels = [...inputs]
  const path: Array<Step> = []
  let cost = 0
  while (labels.length > 1) {
    let pick: Step = { i: 0, j: 1 }
    let bestKey: readonly [number, number] = [Infinity, Infinity]
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const removed = product(labelsKept(labels, i, j, output), sizes) - product(labels[i]!, sizes) -
          product(labels[j]!, sizes)
        const c = pairCost(labels, i, j, sizes)
        if (removed < bestKey[0] || (removed === bestKey[0] && c < bestKey[1])) {
          bestKey = [removed, c]
          pick = { i, j }
        }
      }
    }
    cost += pairCost(labels, pick.i, pick.j, sizes)
    path.push(pick)
    labels = applyStep(labels, pick, output)
  }
  return { path, cost }
}

/**
 * Evaluates an einsum over operands already promoted to one dtype.
 *
 * @since 0.1.0
 */
export const einsum = (
  spec: string,
  operands: ReadonlyArray<Tensor>,
  optimize?: Optimize,
  precision?: Precision
): Tensor => {
  if (operands.length === 0) throw fail(spec, "at least one operand is required")
  const expanded = expandEllipses(spec, spec.replace(/\s+/g, ""), operands)
  const xs = expanded.xs
  const { inputs, output } = parse(spec, expanded.spec, xs.length)
  const sizes = labelSizes(spec, inputs, xs)
  const diag = xs.map((x, k) => diagonals(x, inputs[k]!))
  if (xs.length === 1) {
    const [y, s] = sumOut(diag[0]![0], diag[0]![1], (c) => output.includes(c))
    return permuteTo(y, s, output)
  }
  // Labels only one operand has and the output lacks are summed out at once.
  let operandsNow = diag.map(([x, s], k) => {
    const others = diag.filter((_, m) => m !== k).map(([, t]) => t).join("") + output
    return sumOut(x, s, (c) => others.includes(c))
  })
  const { path } = contractionPath(
    operandsNow.map(([, s]) => s),
    output,
    sizes,
    optimize ?? (xs.length <= 6 ? "optimal" : "greedy")
  )
  for (const { i, j } of path) {
    const labels = operandsNow.map(([, s]) => s)
    const keep = labelsKept(labels, i, j, output)
    const [a, sa] = operandsNow[i]!
    const [b, sb] = operandsNow[j]!
    const next = contractPair(a, sa, b, sb, (c) => keep.includes(c), precision)
    operandsNow = [...operandsNow.filter((_, k) => k !== i && k !== j), next]
  }
  const [y, s] = operandsNow[0]!
  return permuteTo(y, s, output)
}

/**
 * The pairwise contraction plan `einsum` follows for these operands (shapes
 * only): the steps and their multiply-adds (`np.einsumPath`).
 *
 * @since 0.1.0
 */
export const contractionPlan = (
  spec: string,
  operands: ReadonlyArray<Tensor>,
  optimize?: Optimize
): { readonly path: ReadonlyArray<Step>; readonly cost: number } => {
  if (operands.length === 0) throw fail(spec, "at least one operand is required")
  const expanded = expandEllipses(spec, spec.replace(/\s+/g, ""), operands)
  const { inputs, output } = parse(spec, expanded.spec, expanded.xs.length)
  const sizes = labelSizes(spec, inputs, expanded.xs)
  if (inputs.length === 1) return { path: [], cost: 0 }
  // repeated labels are diagonals, labels no one else has are summed out first (as einsum does)
  const unique = inputs.map((s) => [...new Set(s)].join(""))
  const labels = unique.map((s, k) => {
    const others = unique.filter((_, m) => m !== k).join("") + output
    return [...s].filter((c) => others.includes(c)).join("")
  })
  return contractionPath(labels, output, sizes, optimize ?? (inputs.length <= 6 ? "optimal" : "greedy"))
}
