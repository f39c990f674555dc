/**
 * Fusion: partitions a simplified program into fusion groups (elementwise
 * primitives of one output shape, with `broadcast_in_dim`s of their inputs
 * folded into how the inputs are read) and the other equations, in one
 * forward sweep over the program's DAG (linear in its size).
 *
 * Each output shape has at most one open group, shapes compared without their
 * dimensions of size 1 (`[99]` and `[1, 99]` hold their elements in one order,
 * so they share a domain). An elementwise equation joins the open group of
 * its shape (producer-consumer fusion when it reads a value of that group,
 * sibling fusion when it does not); a group is sealed as soon
 * as something outside it reads one of its values, and a sealed group runs
 * right there, before its first outside reader. Sealing is what keeps the
 * schedule valid without any cycle check: every input of a group comes from
 * an equation or a sealed group that runs earlier, and nothing outside reads
 * a group before it runs. Values read outside their group (or returned) are
 * the group's outputs; the rest live only in registers.
 *
 * Reductions are group roots: a `reduce_sum`/`reduce_max`/`reduce_min` of a
 * real float value of an open group over trailing or leading axes of the group's shape
 * joins the group (its operand then never needs storing), without sealing it,
 * so later elementwise work of that shape keeps fusing into the same kernel
 * (B3's value and gradient become one pass). Its result has another shape:
 * reading it seals the group, as any outside read does, including a read by
 * a would-be member of the group itself (a broadcast of a row max back over
 * the rows), which then starts a new group.
 *
 * Index maps are folded into reads: a `slice`, `transpose`, `rev`,
 * `reshape`, `squeeze`, `expand_dims` or box `pad` (a chain of them, composed
 * as one core `View`, a pad's as a mask with its padding value) is not a step
 * of its own; a group member reading its result reads the chain's source
 * through the view's offset, strides and mask instead (the chain's equations
 * become members of that group, for printing and buffer planning). Only a
 * reader that is not a fused kernel (an unfused primitive, a reduction root
 * candidate, a program output) makes the chain run as equations, right before
 * it, unless the chain is bijective, read once, and reads the only value of
 * a group that no other group reads through a chain: then that group computes
 * the chain's result (its domain becomes the result's and its reads are
 * composed with the chain). The chain's source
 * is read outside its group when the chain starts, so a group never reads one
 * of its own values through an index map.
 *
 * Products head groups (on backends with `fusedDot`): a real float
 * `dot_general` starts a new group of its output's shape (its operands are
 * read outside, so their groups run first), and the elementwise work on its
 * result that follows (bias add, activation, an activation's derivative)
 * joins as its epilogue: the backend computes the product into its own
 * scratch and runs the epilogue on it, so the product is never stored as a
 * value of the program. A product read outside its group (returned, read by
 * another product) or with no epilogue runs alone, as before.
 */
import type { FusedInput, FusedKernelSpec, FusedOutput, Kernel as KernelNs, Params } from "@diffect/core"
import { Approximation, DType, formatAval, isElementwise, Kernel, View } from "@diffect/core"
import { isWideFloat32, lowerElementwise } from "@diffect/core/Lowering"
import { formatEquationHead, formatNameStack, formatParam, printProgram, varName } from "@diffect/core/Program"
import type { Equation, PrimitiveEquation, Program, Var } from "../Program.js"
import { keyText, type UniformValues } from "./simplify.js"

type Expr = KernelNs.Expr
type Shape = ReadonlyArray<number>

/** A fusion group of the plan. */
export interface Group {
  /** The domain: the members' shape without its dimensions of size 1 (they do not change the element order). */
  readonly shape: Shape
  /** Elementwise members and folded broadcasts, in program order. */
  readonly members: Array<PrimitiveEquation>
  /** Values of the group read outside it (or returned), in the order first read. */
  readonly outputs: Array<Var>
  readonly produced: Set<Var>
  /** Results of reduction roots (another shape: never read inside the group). */
  readonly roots: Set<Var>
  sealed: boolean
  /**
   * The group computes `chain` (index maps) of its one output `source` instead
   * of `source` itself: its domain is the chain's result's (`shape`, size-1
   * dimensions dropped), and every read goes through the chain.
   */
  reindex?: { readonly source: Var; readonly chain: ReadonlyArray<PrimitiveEquation>; readonly shape: Shape }
}

/** Options of `planFusion`. */
export interface FusionOptions {
  /** Whether products head groups (their elementwise epilogue fused): the backend's `fusedDot`. */
  readonly dots?: boolean
  /** Whether pads fold into reads as masked inputs: the backend's `fusedMasks`. */
  readonly masks?: boolean
  /** The uniform constants (simplify.ts): literals in their readers, never group outputs. */
  readonly uniform?: UniformValues
  /** The backend's reduction of large trigonometric arguments (`BackendShape.trigReduction`): the depth it decomposes to. */
  readonly trigReduction?: Approximation.TrigReduction
}

/** One step of a plan: an equation run alone, or a fusion group. */
export type Step =
  | { readonly _tag: "Equation"; readonly equation: Equation }
  | { readonly _tag: "Group"; readonly group: Group }

/** `shape` without its dimensions of size 1: members of one group share it. */
const squeezed = (shape: Shape): Shape => shape.filter((n) => n !== 1)

/** `axes` of `shape` as axes of its squeezed shape (size-1 axes dropped). */
const squeezedAxes = (shape: Shape, axes: ReadonlyArray<number>): Array<number> => {
  const at: Array<number> = []
  let k = 0
  shape.forEach((n) => at.push(n === 1 ? -1 : k++))
  return axes.map((a) => at[a]!).filter((a) => a >= 0).sort((a, b) => a - b)
}

/** A view of a member's shape as a read over the group's domain (size-1 dimensions dropped). */
const onDomain = (view: View.View): { readonly offset: number; readonly strides: Array<number> } => ({
  offset: view.offset,
  strides: view.strides.filter((_, d) => view.shape[d] !== 1)
})

const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1)

// float0 has no lanes and empty arrays nothing to compute: such equations run alone.
const fusibleAval = (v: Var): boolean => v.aval.dtype !== "float0" && sizeOf(v.aval.shape) > 0

const isFusible = (eqn: Equation, groupOf: ReadonlyMap<Var, Group>): eqn is PrimitiveEquation =>
  eqn._tag === "PrimitiveEquation" &&
  (isElementwise(eqn.primitive) || eqn.primitive === "broadcast_in_dim" || isSameDomainReshape(eqn, groupOf)) &&
  eqn.outputs.length === 1 && eqn.outputs.every(fusibleAval) && eqn.inputs.every(fusibleAval)

const reshapes: ReadonlySet<string> = new Set(["reshape", "squeeze", "expand_dims"])

/**
 * A reshape (or squeeze, expand_dims) of a value of an open group that only
 * adds or drops size-1 dimensions: the same elements in the same order, so a
 * member of that group with the operand's lanes (an index map would seal it).
 */
const isSameDomainReshape = (eqn: Equation, groupOf: ReadonlyMap<Var, Group>): boolean => {
  if (eqn._tag !== "PrimitiveEquation" || !reshapes.has(eqn.primitive)) return false
  const g = groupOf.get(eqn.inputs[0]!)
  return g !== undefined && !g.sealed && !g.roots.has(eqn.inputs[0]!) &&
    squeezed(eqn.outputs[0]!.aval.shape).join(",") === g.shape.join(",")
}

/** The index maps folded into fused reads (see the module docs). */
const viewPrimitives: ReadonlySet<string> = new Set([
  "slice",
  "transpose",
  "rev",
  "reshape",
  "squeeze",
  "expand_dims",
  "pad"
])

/** `eqn`'s index map applied to `v`, or undefined when a view cannot express it. */
const applyView = (v: View.View, eqn: PrimitiveEquation): View.View | undefined => {
  switch (eqn.primitive) {
    case "slice":
      return View.slice(v, eqn.params as Params<"slice">)
    case "transpose":
      return View.transpose(v, (eqn.params as Params<"transpose">).permutation)
    case "rev":
      return View.rev(v, (eqn.params as Params<"rev">).dimensions)
    case "reshape":
    case "squeeze":
    case "expand_dims":
      return View.reshape(v, eqn.outputs[0]!.aval.shape)
    case "pad": {
      // one padding value per view, no interior padding (a box of valid positions), real values
      if (v.mask !== undefined || !isReal(eqn.outputs[0]!)) return undefined
      const padded = View.pad(v, (eqn.params as Params<"pad">).config)
      return padded.mask === undefined || padded.mask.step.every((t) => t === 1) ? padded : undefined
    }
    default:
      return undefined
  }
}

const isReal = (v: Var): boolean => DType.lanes(v.aval.dtype) === 1 && v.aval.dtype !== "float0"

/** A value that is an index map of `source` (a chain of view equations ending in `equation`). */
interface ViewOf {
  readonly source: Var
  readonly view: View.View
  /** The padding value of a masked view (a scalar). */
  readonly fill: Var | undefined
  readonly equation: PrimitiveEquation
}

/** An index map that reads every element once and applies to any view (see `reindex`). */
const reindexable = (eqn: PrimitiveEquation): boolean => {
  if (eqn.primitive === "transpose" || eqn.primitive === "rev") return true
  const [x, y] = [eqn.inputs[0]!, eqn.outputs[0]!]
  return reshapes.has(eqn.primitive) && squeezed(x.aval.shape).join(",") === squeezed(y.aval.shape).join(",")
}

const rootKinds = { reduce_sum: "sum", reduce_max: "max", reduce_min: "min" } as const

const isRealFloat = (v: Var): boolean => v.aval.dtype === "float32" || v.aval.dtype === "float64"

/** A product that can head a group: real float operands and result of one dtype. */
const isDotHead = (eqn: Equation): eqn is PrimitiveEquation =>
  eqn._tag === "PrimitiveEquation" && eqn.primitive === "dot_general" && eqn.outputs.length === 1 &&
  isRealFloat(eqn.outputs[0]!) && fusibleAval(eqn.outputs[0]!) &&
  eqn.inputs.every((v) => v.aval.dtype === eqn.outputs[0]!.aval.dtype && fusibleAval(v))

/** The product heading `g`, if any (always its first member). */
export const dotOf = (g: Group): PrimitiveEquation | undefined => {
  const first = g.members[0]
  return first !== undefined && first.primitive === "dot_general" ? first : undefined
}

/** The group `eqn` joins as a reduction root (its operand in `g`, reduced over trailing or leading axes), or undefined. */
const reductionRoot = (eqn: Equation, groupOf: ReadonlyMap<Var, Group>): Group | undefined => {
  if (eqn._tag !== "PrimitiveEquation" || !(eqn.primitive in rootKinds)) return undefined
  const x = eqn.inputs[0]!
  const out = eqn.outputs[0]!
  const g = groupOf.get(x)
  if (g === undefined || g.sealed || g.roots.has(x)) return undefined
  if (!(x.aval.dtype === "float32" || x.aval.dtype === "float64") || out.aval.dtype !== x.aval.dtype) return undefined
  const given = (eqn.params as Params<"reduce_sum">).axes
  const axes = squeezedAxes(x.aval.shape, given)
  // the fused reduction sums as the unfused one would on the operand's own shape: the same
  // algorithm (rows of trailing axes, pairwise; or columns of leading axes, in order) on the
  // squeezed domain (a size-1 dimension can change which one reduce.ts picks: [4, 1] over axis 0)
  const original = algorithm(x.aval.shape.length, [...given].map((a) => (a < 0 ? a + x.aval.shape.length : a)))
  // (only size-1 axes reduced, no axes of the domain: rows of one element, as reduce.ts's rows)
  if (original === undefined || algorithm(g.shape.length, axes) !== original) return undefined
  return g
}

/**
 * A reduction over leading axes (columns) of a value no group computes (a program input, or an
 * equation's result): it heads a group of its own, whose fused kernel sums the columns in
 * WebAssembly (the same order and bits as reduce.ts's columns; a 1024 x 1024 float32 sum over
 * axis 0 takes 0.38 ms fused against 0.75 ms in reduce.ts's JavaScript). Row reductions stay
 * unfused: reduce.ts's pairwise loop is faster than copying the rows into the kernel's memory.
 */
const loneColumnReduction = (eqn: Equation, groupOf: ReadonlyMap<Var, Group>): boolean => {
  if (eqn._tag !== "PrimitiveEquation" || !(eqn.primitive in rootKinds)) return false
  const x = eqn.inputs[0]!
  if (groupOf.has(x) || !isRealFloat(x) || eqn.outputs[0]!.aval.dtype !== x.aval.dtype) return false
  const given = (eqn.params as Params<"reduce_sum">).axes
  const shape = x.aval.shape
  const axes = [...given].map((a) => (a < 0 ? a + shape.length : a))
  return axes.length > 0 && axes.length < shape.length && algorithm(shape.length, axes) === "columns" &&
    algorithm(squeezed(shape).length, squeezedAxes(shape, given)) === "columns" && fusibleAval(x)
}

/** How reduce.ts reduces `axes` of a rank-`rank` value: rows (trailing axes), columns (leading), or neither. */
const algorithm = (rank: number, axes: ReadonlyArray<number>): "rows" | "columns" | undefined => {
  const sorted = [...axes].sort((a, b) => a - b)
  if (sorted.every((a, i) => a === rank - sorted.length + i)) return "rows"
  if (sorted.every((a, i) => a === i)) return "columns"
  return undefined
}

/**
 * The deepest kernel IR one group may compute, in IR levels once every transcendental is
 * decomposed (`memberDepth`). Code generators and the kernel IR's passes walk a group's
 * expressions recursively, so an unbounded chain (a 5,000-step loop unrolled into one group)
 * would overflow the JS stack; a deeper chain continues in a new group reading the previous one's
 * value (one stored intermediate per 290 float32 sines: nothing measurable). The SIMD code
 * generator walks the decomposed IR and overflowed from about 11,000 levels (350 float32 sines
 * compiled, 450 did not); counting members instead of levels let 500 sines into one group.
 */
export const MAX_GROUP_DEPTH = 8192

/**
 * The deepest kernel IR one group may compute in IR nodes as lowered (transcendentals one node
 * each), the depth that the passes before decomposition walk (the typed-array backend's
 * `decomposeNarrow` overflowed from about 3,500 nodes): one stored intermediate per 2,048 adds.
 */
export const MAX_GROUP_NODES = 2048

/** How deep an equation makes its group: IR nodes as lowered, and levels once decomposed. */
interface Depth {
  readonly nodes: number
  readonly levels: number
}

/**
 * How much deeper an equation makes its group: the depth of its lowering above its inputs, as
 * lowered and with every transcendental decomposed (the deepest form any backend compiles: 1 and
 * 1 for a float32 add, 1 and 27 for a sine, 61 and 154 for `erf_inv`); 1 for a broadcast or
 * reshape. Cached per primitive, dtypes and params.
 */
const memberDepth = (eqn: PrimitiveEquation, cache: Map<string, Depth>, support: Approximation.Support): Depth => {
  if (!isElementwise(eqn.primitive)) return { nodes: 1, levels: 1 }
  const inDTypes = eqn.inputs.map((v) => v.aval.dtype)
  const outDType = eqn.outputs[0]!.aval.dtype
  const key = `${eqn.primitive}:${inDTypes.join()}:${outDType}:${keyText(eqn.params)}`
  const known = cache.get(key)
  if (known !== undefined) return known
  const lowered = lowerElementwise(eqn.primitive, inDTypes, outDType, eqn.params as never)
  // an input is a leaf of depth 1: what a member adds is the rest (at least 1, a copy included)
  const depth = {
    nodes: Math.max(1, exprDepth(lowered) - 1),
    levels: Math.max(1, exprDepth(Approximation.decompose(lowered, support)) - 1)
  }
  cache.set(key, depth)
  return depth
}

/** The depth of the deepest of `exprs` (a leaf: 1), shared nodes counted once. */
const exprDepth = (exprs: ReadonlyArray<Expr>): number => {
  const memo = new Map<Expr, number>()
  const of = (e: Expr): number => {
    const known = memo.get(e)
    if (known !== undefined) return known
    const children = e.kind === "unary" || e.kind === "cast"
      ? [e.x]
      : e.kind === "binary"
      ? [e.x, e.y]
      : e.kind === "select"
      ? [e.cond, e.onTrue, e.onFalse]
      : []
    const d = 1 + children.reduce((m, c) => Math.max(m, of(c)), 0)
    memo.set(e, d)
    return d
  }
  return exprs.reduce((m, e) => Math.max(m, of(e)), 0)
}

/**
 * Partitions `program` into steps. With `fuse` false every equation is its own
 * step (for backends that cannot compile groups). A group reading a
 * `options.uniform` value (a constant of one repeated number) inlines it as a
 * literal, so that value is never an output of the group that computes it.
 */
export const planFusion = (program: Program, fuse: boolean, options: FusionOptions = {}): Array<Step> => {
  const uniform = options.uniform
  const steps: Array<Step> = []
  if (!fuse) return program.equations.map((equation) => ({ _tag: "Equation", equation }))
  const open = new Map<string, Group>()
  const groupOf = new Map<Var, Group>()
  // each group member's depth: that of the deepest chain of members of its group ending at it
  const depth = new Map<Var, Depth>()
  const depths = new Map<string, Depth>()
  const depthSupport = { ...Approximation.allDecomposed, trigReduction: options.trigReduction ?? "codyWaite" } as const
  const views = new Map<Var, ViewOf>()
  const materialized = new Set<Var>()
  const uses = new Map<Var, number>()
  // sources that a group reads through a chain of index maps (its equations copied into the group)
  const readThroughChain = new Set<Var>()
  for (const eqn of program.equations) for (const v of eqn.inputs) uses.set(v, (uses.get(v) ?? 0) + 1)
  for (const v of program.outputs) uses.set(v, (uses.get(v) ?? 0) + 1)
  // A chain of bijective index maps read once, of a group's only value read outside it: the group
  // computes the chain's result directly (a transposed output costs no strided copy).
  const reindex = (v: Var): boolean => {
    const chain: Array<PrimitiveEquation> = []
    let x = v
    for (let w = views.get(x); w !== undefined; w = views.get(x)) {
      chain.unshift(w.equation)
      x = w.equation.inputs[0]!
    }
    const g = groupOf.get(x)
    if (g === undefined || g.reindex !== undefined || g.roots.size > 0 || g.outputs.length !== 1) return false
    // a group already reads the source through a chain (`rev(rev(y))` read by a kernel while
    // `rev(y)` is returned): the source must stay stored
    if (readThroughChain.has(x)) return false
    // a product's group keeps the product's layout
    if (dotOf(g) !== undefined) return false
    if (g.outputs[0] !== x || uses.get(v) !== 1 || !chain.every((e) => uses.get(e.inputs[0]!) === 1)) return false
    if (!chain.every((e) => reindexable(e))) return false
    // every other value of the group is read only inside it (no later reader can make it an output)
    const inside = new Map<Var, number>()
    for (const m of g.members) for (const u of m.inputs) inside.set(u, (inside.get(u) ?? 0) + 1)
    for (const p of g.produced) if (p !== x && (uses.get(p) ?? 0) !== (inside.get(p) ?? 0)) return false
    for (const e of chain) {
      g.members.push(e)
      g.produced.add(e.outputs[0]!)
      materialized.add(e.outputs[0]!)
    }
    g.outputs[0] = v
    g.reindex = { source: x, chain, shape: squeezed(v.aval.shape) }
    groupOf.set(v, g)
    return true
  }
  // a non-fused reader of a view: its chain runs as equations first
  const materialize = (v: Var): void => {
    const w = views.get(v)
    if (w === undefined || materialized.has(v)) return
    if (reindex(v)) return
    materialized.add(v)
    materialize(w.equation.inputs[0]!)
    steps.push({ _tag: "Equation", equation: w.equation })
  }
  // a group reading a view: the chain's equations become its members (once)
  const addChain = (v: Var, g: Group): void => {
    const w = views.get(v)
    if (w === undefined || g.produced.has(v)) return
    addChain(w.equation.inputs[0]!, g)
    g.members.push(w.equation)
    g.produced.add(v)
    readThroughChain.add(w.source)
  }
  const seal = (g: Group): void => {
    if (g.sealed) return
    g.sealed = true
    const key = g.shape.join(",")
    if (open.get(key) === g) open.delete(key)
    steps.push({ _tag: "Group", group: g })
  }
  // `v` is read outside its group (if it has one): the group becomes an output holder and runs first
  const readOutside = (v: Var, reader: Group | undefined): void => {
    const g = groupOf.get(v)
    if (g === undefined || g === reader) return
    if (reader !== undefined && uniform?.has(v) === true) return
    if (!g.outputs.includes(v)) g.outputs.push(v)
    seal(g)
  }
  for (const eqn of program.equations) {
    if (
      eqn._tag === "PrimitiveEquation" && viewPrimitives.has(eqn.primitive) && eqn.outputs.length === 1 &&
      (eqn.primitive !== "pad" || options.masks === true) &&
      fusibleAval(eqn.outputs[0]!) && fusibleAval(eqn.inputs[0]!) && !isSameDomainReshape(eqn, groupOf)
    ) {
      const x = eqn.inputs[0]!
      const base = views.get(x)
      const view = applyView(base?.view ?? View.contiguous(x.aval.shape), eqn)
      if (view !== undefined) {
        if (base === undefined) readOutside(x, undefined)
        const fill = eqn.primitive === "pad" ? eqn.inputs[1]! : base?.fill
        if (eqn.primitive === "pad") readOutside(fill!, undefined)
        views.set(eqn.outputs[0]!, { source: base?.source ?? x, view, fill, equation: eqn })
        continue
      }
    }
    const root = reductionRoot(eqn, groupOf)
    if (root !== undefined) {
      const out = eqn.outputs[0]!
      root.members.push(eqn as PrimitiveEquation)
      root.produced.add(out)
      root.roots.add(out)
      groupOf.set(out, root)
      continue
    }
    if (loneColumnReduction(eqn, groupOf)) {
      const x = eqn.inputs[0]!
      const out = eqn.outputs[0]!
      const g: Group = {
        shape: squeezed(x.aval.shape),
        members: [],
        outputs: [],
        produced: new Set(),
        roots: new Set(),
        sealed: false
      }
      addChain(x, g)
      readOutside(x, g)
      g.members.push(eqn as PrimitiveEquation)
      g.produced.add(out)
      g.roots.add(out)
      groupOf.set(out, g)
      continue
    }
    if (options.dots === true && isDotHead(eqn)) {
      for (const v of eqn.inputs) {
        materialize(v)
        readOutside(v, undefined)
      }
      const out = eqn.outputs[0]!
      // a group of this shape still open stays unsealed: it runs at its first outside read
      const g: Group = {
        shape: squeezed(out.aval.shape),
        members: [eqn],
        outputs: [],
        produced: new Set([out]),
        roots: new Set(),
        sealed: false
      }
      open.set(squeezed(out.aval.shape).join(","), g)
      groupOf.set(out, g)
      continue
    }
    if (!isFusible(eqn, groupOf)) {
      for (const v of eqn.inputs) {
        materialize(v)
        readOutside(v, undefined)
      }
      steps.push({ _tag: "Equation", equation: eqn })
      continue
    }
    const out = eqn.outputs[0]!
    const key = squeezed(out.aval.shape).join(",")
    let g = open.get(key)
    // a root's result is not available inside its group: reading it seals the group
    if (g !== undefined && eqn.inputs.some((v) => g!.roots.has(v))) {
      seal(g)
      g = undefined
    }
    const own = memberDepth(eqn, depths, depthSupport)
    const depthIn = (h: Group): Depth => {
      let nodes = 0
      let levels = 0
      for (const v of eqn.inputs) {
        const d = groupOf.get(v) === h ? depth.get(v) : undefined
        if (d !== undefined) {
          nodes = Math.max(nodes, d.nodes)
          levels = Math.max(levels, d.levels)
        }
      }
      return { nodes: nodes + own.nodes, levels: levels + own.levels }
    }
    const deep = (d: Depth): boolean => d.nodes > MAX_GROUP_NODES || d.levels > MAX_GROUP_DEPTH
    if (g !== undefined && deep(depthIn(g))) {
      seal(g)
      g = undefined
    }
    if (g === undefined) {
      g = {
        shape: squeezed(out.aval.shape),
        members: [],
        outputs: [],
        produced: new Set(),
        roots: new Set(),
        sealed: false
      }
      open.set(key, g)
    }
    depth.set(out, depthIn(g))
    for (const v of eqn.inputs) {
      addChain(v, g)
      readOutside(v, g)
    }
    g.members.push(eqn)
    g.produced.add(out)
    groupOf.set(out, g)
  }
  for (const v of program.outputs) {
    materialize(v)
    readOutside(v, undefined)
  }
  // a group nothing outside reads computed only uniform values (each reader has them as literals)
  for (const g of open.values()) {
    if (g.outputs.length > 0) seal(g)
  }
  return steps.flatMap(splitDot)
}

// A product read outside its group, or with no epilogue, runs alone before the rest of its group.
const splitDot = (step: Step): Array<Step> => {
  if (step._tag !== "Group") return [step]
  const g = step.group
  const dot = dotOf(g)
  if (dot === undefined) return [step]
  const out = dot.outputs[0]!
  if (g.members.length > 1 && !g.outputs.includes(out)) return [step]
  const alone: Step = { _tag: "Equation", equation: dot }
  if (g.members.length === 1) return [alone]
  const produced = new Set(g.produced)
  produced.delete(out)
  const rest: Group = { ...g, members: g.members.slice(1), outputs: g.outputs.filter((v) => v !== out), produced }
  return [alone, { _tag: "Group", group: rest }]
}

/** Replaces `input(i, lane)` leaves of `e` by `lanesOf(i)[lane]`, keeping shared nodes shared. */
const substitute = (
  e: Expr,
  lanesOf: (index: number) => ReadonlyArray<Expr>,
  memo: Map<Expr, Expr>
): Expr => {
  const done = memo.get(e)
  if (done !== undefined) return done
  let r: Expr
  switch (e.kind) {
    case "input":
      r = lanesOf(e.index)[e.lane]!
      break
    case "const":
      r = e
      break
    case "unary":
      r = Kernel.unary(e.op, substitute(e.x, lanesOf, memo))
      break
    case "binary":
      r = Kernel.binary(e.op, substitute(e.x, lanesOf, memo), substitute(e.y, lanesOf, memo))
      break
    case "select":
      r = Kernel.select(
        substitute(e.cond, lanesOf, memo),
        substitute(e.onTrue, lanesOf, memo),
        substitute(e.onFalse, lanesOf, memo)
      )
      break
    case "cast":
      r = { kind: "cast", type: e.type, x: substitute(e.x, lanesOf, memo) }
      break
  }
  memo.set(e, r)
  return r
}

/** A group lowered for a backend: the spec, and the variables bound to its inputs and outputs. */
export interface LoweredGroup {
  readonly spec: FusedKernelSpec
  readonly inputs: ReadonlyArray<Var>
  readonly outputs: ReadonlyArray<Var>
}

/**
 * Lowers a group to one kernel IR expression per output lane. Uniform
 * constants become literals; folded broadcasts become strided inputs.
 */
export const lowerGroup = (g: Group, uniform: UniformValues): LoweredGroup => {
  const inputs: Array<Var> = []
  const specInputs: Array<FusedInput> = []
  const inputIndex = new Map<Var, Array<number>>()
  const lanes = new Map<Var, ReadonlyArray<Expr>>()
  const rounded = new Set<Expr>()
  const wide = new Set<Expr>()
  // index maps of values read from outside: the source and the view of it (in the member's shape)
  const viewIn = new Map<Var, { readonly source: Var; readonly view: View.View; readonly fill: Var | undefined }>()
  const reindexed = g.reindex
  const load = (v: Var, memberView: View.View, fill?: Var): ReadonlyArray<Expr> => {
    let view = memberView
    if (reindexed !== undefined) {
      // the member's view, in the source's exact shape, then through the chain
      view = View.reshape(view, reindexed.source.aval.shape)!
      for (const e of reindexed.chain) view = applyView(view, e)!
    }
    return loadOnDomain(v, view, fill)
  }
  const loadOnDomain = (v: Var, view: View.View, fill?: Var): ReadonlyArray<Expr> => {
    const dtype = v.aval.dtype
    const t = Kernel.scalarType(dtype)!
    const c = uniform.get(v)
    if (c !== undefined && !DType.isComplex(dtype) && (view.mask === undefined || uniform.get(fill!) === c)) {
      return [Kernel.constant(c, t)]
    }
    const mask = view.mask
    if (mask !== undefined && mask.count.some((n) => n === 0)) {
      // all padding
      return loadOnDomain(fill!, { shape: view.shape, offset: 0, strides: view.shape.map(() => 0), mask: undefined })
    }
    const { offset, strides } = onDomain(view)
    let input: FusedInput = offset === 0 ? { dtype, strides } : { dtype, strides, offset }
    if (mask !== undefined) {
      const f = uniform.get(fill!)
      const fillRead = f !== undefined
        ? f
        : { input: inputOf(fill!, { dtype: fill!.aval.dtype, strides: strides.map(() => 0) }) }
      const kept = view.shape.flatMap((n, d) => (n === 1 ? [] : [d]))
      input = {
        dtype,
        strides,
        // the element at index 0 of the domain, were it inside the box
        offset: offset - kept.reduce((acc, d) => acc + mask.start[d]! * view.strides[d]!, 0),
        mask: { start: kept.map((d) => mask.start[d]!), count: kept.map((d) => mask.count[d]!), fill: fillRead }
      }
    }
    const k = inputOf(v, input)
    return DType.lanes(dtype) === 2 ? [Kernel.input(k, t, 0), Kernel.input(k, t, 1)] : [Kernel.input(k, t)]
  }
  // the spec input reading `v` as `input` (one per distinct read)
  const inputOf = (v: Var, input: FusedInput): number => {
    const ks = inputIndex.get(v) ?? []
    const key = keyText(input)
    let k = ks.find((i) => keyText(specInputs[i]) === key)
    if (k === undefined) {
      k = specInputs.length
      inputs.push(v)
      specInputs.push(input)
      ks.push(k)
      inputIndex.set(v, ks)
    }
    return k
  }
  const valueOf = (v: Var): ReadonlyArray<Expr> => {
    const known = lanes.get(v)
    if (known !== undefined) return known
    const w = viewIn.get(v)
    const l = w === undefined ? load(v, View.contiguous(g.shape)) : load(w.source, w.view, w.fill)
    lanes.set(v, l)
    return l
  }
  const reduceOf = new Map<Var, NonNullable<FusedOutput["reduce"]>>()
  const dot = dotOf(g)
  for (const eqn of g.members) {
    const out = eqn.outputs[0]!
    if (eqn === dot) {
      // the product: an input the backend computes (read contiguously)
      lanes.set(out, load(out, View.contiguous(g.shape)))
      continue
    }
    if (eqn.primitive in rootKinds) {
      // a reduction root: its lanes are its operand's, reduced when stored
      const kind = rootKinds[eqn.primitive as keyof typeof rootKinds]
      const axes = squeezedAxes(eqn.inputs[0]!.aval.shape, (eqn.params as Params<"reduce_sum">).axes)
      lanes.set(out, valueOf(eqn.inputs[0]!))
      reduceOf.set(out, { kind, axes })
      continue
    }
    if (viewPrimitives.has(eqn.primitive)) {
      // an index map of a value from outside (or of another such map): composed, read when used
      const x = eqn.inputs[0]!
      if (!viewIn.has(x) && g.produced.has(x)) {
        // a reshape of a value of this group within its domain: the same lanes
        lanes.set(out, valueOf(x))
        continue
      }
      const base = viewIn.get(x) ?? { source: x, view: View.contiguous(x.aval.shape), fill: undefined }
      const fill = eqn.primitive === "pad" ? eqn.inputs[1]! : base.fill
      viewIn.set(out, { source: base.source, view: applyView(base.view, eqn)!, fill })
      continue
    }
    if (eqn.primitive === "broadcast_in_dim") {
      const x = eqn.inputs[0]!
      const w = viewIn.get(x)
      if (w === undefined && g.produced.has(x)) {
        // a broadcast of a value of this group keeps its size (identity or size-1 dims): same lanes
        lanes.set(out, valueOf(x))
        continue
      }
      const { broadcastDimensions } = eqn.params as Params<"broadcast_in_dim">
      const base = w ?? { source: x, view: View.contiguous(x.aval.shape), fill: undefined }
      lanes.set(out, load(base.source, View.broadcastInDim(base.view, out.aval.shape, broadcastDimensions), base.fill))
      continue
    }
    const prim = eqn.primitive as Parameters<typeof lowerElementwise>[0]
    const exprs = lowerElementwise(prim, eqn.inputs.map((v) => v.aval.dtype), out.aval.dtype, eqn.params as never)
    const memo = new Map<Expr, Expr>()
    const args = eqn.inputs.map(valueOf)
    const result = exprs.map((e) => substitute(e, (i) => args[i]!, memo))
    const inDTypes = eqn.inputs.map((v) => v.aval.dtype)
    if (isWideFloat32(prim, inDTypes, out.aval.dtype)) {
      // the lowering's own nodes (its inputs' nodes belong to their producers)
      for (const [e, r] of memo) if (e.kind !== "input" && e.kind !== "const") wide.add(r)
    }
    if (out.aval.dtype === "float32" || out.aval.dtype === "complex64") { for (const e of result) rounded.add(e) }
    lanes.set(out, result)
  }
  const outputs = g.outputs.map((v): FusedOutput => {
    const reduce = reduceOf.get(v)
    return reduce === undefined
      ? { dtype: v.aval.dtype, lanes: valueOf(v) }
      : { dtype: v.aval.dtype, lanes: valueOf(v), reduce }
  })
  const spec: FusedKernelSpec = { shape: g.reindex?.shape ?? g.shape, inputs: specInputs, outputs, rounded, wide }
  if (dot === undefined) return { spec, inputs, outputs: g.outputs }
  // the product's operands come last (placeholder strides: only the product reads them)
  const [lhs, rhs] = dot.inputs as [Var, Var]
  const input = inputIndex.get(dot.outputs[0]!)![0]!
  const operands = [lhs, rhs].map((v) => ({ dtype: v.aval.dtype, strides: g.shape.map(() => 0) }))
  return {
    spec: {
      ...spec,
      inputs: [...specInputs, ...operands],
      dot: {
        input,
        lhs: specInputs.length,
        rhs: specInputs.length + 1,
        lhsShape: lhs.aval.shape,
        rhsShape: rhs.aval.shape,
        dtype: lhs.aval.dtype,
        params: dot.params as Params<"dot_general">
      }
    },
    inputs: [...inputs, lhs, rhs],
    outputs: g.outputs
  }
}

/**
 * Prints a planned program like a jaxpr, each fusion group as a `fusion`
 * equation (its outputs = fusion[shape] its inputs) with its members indented
 * below it, in execution order; with `nameStacks`, each equation made in a
 * named scope ends with its stack (`# [jvp(foo)]`).
 */
export const printPlan = (program: Program, steps: ReadonlyArray<Step>, nameStacks = false): string => {
  const names = new Map<Var, string>()
  const name = (v: Var): string => {
    let n = names.get(v)
    if (n === undefined) {
      n = varName(names.size)
      names.set(v, n)
    }
    return n
  }
  const decl = (v: Var): string => `${name(v)}:${formatAvalShort(v)}`
  const header = `{ lambda ${program.constVars.map(decl).join(" ")}${program.constVars.length > 0 ? " " : ""}; ${
    program.inputs.map(decl).join(" ")
  }. let`
  const eqnLine = (eqn: Equation, indent: string): string => {
    const head = eqn._tag === "PrimitiveEquation"
      ? formatEquationHead(
        eqn.primitive,
        eqn.params,
        indent.slice(4),
        (p, at) => printProgram(p, nameStacks).split("\n").join(`\n${at}`)
      )
      : customHead(eqn.name)
    const args = eqn.inputs.map(name).join(" ")
    const stack = nameStacks ? formatNameStack(eqn) : ""
    return `${indent}${eqn.outputs.map(decl).join(" ")} = ${head}${args.length > 0 ? " " + args : ""}${stack}`
  }
  // A folded broadcast or index map is listed in the group that took it, yet other groups may read
  // its value through the same fold: those print it as well, so no value is read before it is
  // defined (the groups themselves compute it from its source either way).
  const memberOf = new Map<Var, PrimitiveEquation>()
  for (const step of steps) {
    if (step._tag === "Group") { for (const m of step.group.members) for (const o of m.outputs) memberOf.set(o, m) }
  }
  const available = new Set<Var>([...program.constVars, ...program.inputs])
  const lines: Array<string> = []
  for (const step of steps) {
    if (step._tag === "Equation") {
      lines.push(eqnLine(step.equation, "    "))
      for (const o of step.equation.outputs) available.add(o)
      continue
    }
    const g = step.group
    const borrowed: Array<PrimitiveEquation> = []
    const borrow = (v: Var): void => {
      if (available.has(v) || g.produced.has(v)) return
      const m = memberOf.get(v)
      if (m === undefined || borrowed.includes(m)) return
      for (const u of m.inputs) borrow(u)
      borrowed.push(m)
    }
    for (const m of g.members) for (const v of m.inputs) borrow(v)
    const members = [...borrowed, ...g.members]
    const inside = new Set<Var>([...g.produced, ...borrowed.flatMap((m) => m.outputs)])
    const ins: Array<Var> = []
    for (const m of members) for (const v of m.inputs) if (!inside.has(v) && !ins.includes(v)) ins.push(v)
    lines.push(
      `    ${g.outputs.map(decl).join(" ")} = fusion[shape=${formatParam([...(g.reindex?.shape ?? g.shape)])}] ${
        ins.map(name).join(" ")
      } {`
    )
    for (const m of members) lines.push(eqnLine(m, "        "))
    lines.push("      }")
    for (const o of g.outputs) available.add(o)
  }
  const outs = program.outputs.map(name).join(", ")
  return `${header}\n${lines.join("\n")}\n  in (${outs}${program.outputs.length === 1 ? "," : ""}) }`
}

const formatAvalShort = (v: Var): string => formatAval(v.aval)

// jit stages custom calls as `kind:name` (see Jit.ts); linearize's custom_lin equations carry the name only
const customHead = (name: string): string => {
  const colon = name.indexOf(":")
  return colon < 0 ? `custom_vjp_call[name=${name}]` : `${name.slice(0, colon)}[name=${name.slice(colon + 1)}]`
}
