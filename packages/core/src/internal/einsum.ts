/**
 * `np.einsum` for one and two operands, lowered to `reduce_sum`, `dot_general`,
 * `transpose` and strided `slice` (diagonals) (no per-element work, and every step has AD rules).
 *
 * @since 0.1.0
 */
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"

const fail = (spec: string, why: string): ShapeError =>
  new ShapeError({ operation: "einsum", detail: `"${spec}": ${why}` })

interface Parsed {
  readonly inputs: ReadonlyArray<string>
  readonly output: string
}

const parse = (spec: string, nOperands: number): Parsed => {
  const clean = spec.replace(/\s+/g, "")
  if (clean.includes(".")) throw fail(spec, "ellipses are not supported")
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

/**
 * Evaluates an einsum over operands already promoted to one dtype.
 *
 * @since 0.1.0
 */
export const einsum = (spec: string, xs: ReadonlyArray<Tensor>): Tensor => {
  if (xs.length !== 1 && xs.length !== 2) throw fail(spec, "only one or two operands are supported")
  const { inputs, output } = parse(spec, xs.length)
  labelSizes(spec, inputs, xs)
  const diag = xs.map((x, k) => diagonals(x, inputs[k]!))
  if (xs.length === 1) {
    const [y, s] = sumOut(diag[0]![0], diag[0]![1], (c) => output.includes(c))
    return permuteTo(y, s, output)
  }
  const [[x0, sa], [x1, sb]] = diag as [[Tensor, string], [Tensor, string]]
  // Labels only in one operand and not in the output are summed out first.
  const [a, la] = sumOut(x0, sa, (c) => output.includes(c) || sb.includes(c))
  const [b, lb] = sumOut(x1, sb, (c) => output.includes(c) || sa.includes(c))
  const shared = [...la].filter((c) => lb.includes(c))
  const batch = shared.filter((c) => output.includes(c))
  const contract = shared.filter((c) => !output.includes(c))
  const y = lax.dotGeneral(
    a,
    b,
    [contract.map((c) => la.indexOf(c)), contract.map((c) => lb.indexOf(c))],
    [batch.map((c) => la.indexOf(c)), batch.map((c) => lb.indexOf(c))]
  )
  // dot_general's output order: batch labels, then lhs free, then rhs free.
  const have = batch.join("") + [...la].filter((c) => !shared.includes(c)).join("") +
    [...lb].filter((c) => !shared.includes(c)).join("")
  return permuteTo(y, have, output)
}
