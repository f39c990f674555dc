/**
 * What every differentiation entry point does to its arguments before tracing:
 * normalize `argnums`, flatten the chosen arguments into tensors (JS numbers and
 * booleans become scalars, as JAX turns Python scalars into weak-typed arrays),
 * and check dtypes with JAX's rules and messages.
 */
import { aval, DType, isTensor, lax, ShapeDtypeStruct, Tree } from "@diffect/core"
import type { AbstractValue, Tensor } from "@diffect/core"
import { ArgnumsError, InputDTypeError, InvalidArgumentError, NotCallableError, OutputDTypeError } from "../Errors.js"
import { describe } from "./describe.js"

// `function*` and `async function*`: calling one runs nothing but makes an iterator, never a value
const isGeneratorFunction = (f: Function): boolean => {
  const tag = (f as { readonly [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]
  return tag === "GeneratorFunction" || tag === "AsyncGeneratorFunction"
}

/**
 * Fails with `NotCallableError` unless `f` is a function, and not a generator function (JAX's
 * `check_callable`: "Expected a function, got a generator function").
 */
export const checkCallable = (transformation: string, f: unknown): void => {
  if (typeof f !== "function") throw new NotCallableError({ transformation, got: describe(f) })
  if (isGeneratorFunction(f)) {
    throw new NotCallableError({
      transformation,
      got: `the generator function ${
        f.name || "(anonymous)"
      }: a function, not a generator function, is expected (for an Effect body, return Effect.gen(function* () { ... }))`
    })
  }
}

/** `argnums` as given by the user. */
export type ArgnumsInput = number | ReadonlyArray<number>

/** Normalized `argnums`: non-negative indices, and whether a single index was given. */
export interface Argnums {
  readonly indices: ReadonlyArray<number>
  readonly single: boolean
}

const formatArgnums = (argnums: unknown): string =>
  Array.isArray(argnums) ? `[${argnums.map((x) => describe(x)).join(", ")}]` : describe(argnums)

/**
 * Validates `argnums` against `nargs` positional arguments (JAX's checks in
 * `value_and_grad` and `_ensure_inbounds`) and resolves negative indices.
 */
export const normalizeArgnums = (argnums: unknown, nargs: number): Argnums => {
  const shown = formatArgnums(argnums)
  const fail = (kind: ArgnumsError["kind"], value: number) => new ArgnumsError({ argnums: shown, nargs, kind, value })
  const single = !Array.isArray(argnums)
  const list: ReadonlyArray<unknown> = single ? [argnums] : (argnums as ReadonlyArray<unknown>)
  if (list.length === 0) throw fail("empty", 0)
  let max = -Infinity
  for (const i of list) {
    if (typeof i !== "number" || !Number.isInteger(i)) throw fail("notInteger", 0)
    if (i > max) max = i
  }
  // JAX checks the largest index first, with its "requires at least" message.
  if (max >= nargs) throw fail("tooFewArguments", max)
  const indices = new Array<number>(list.length)
  for (let k = 0; k < list.length; k++) {
    const i = list[k] as number
    if (i < -nargs) throw fail("belowRange", i)
    const resolved = i < 0 ? i + nargs : i
    if (indices.includes(resolved)) throw fail("duplicate", i)
    indices[k] = resolved
  }
  return { indices, single }
}

/**
 * Leaf `k` of `tree` (a value in a differentiated position, or an output) as a
 * tensor. JS numbers become weak float32 scalars and booleans bool scalars;
 * anything else is an `InvalidArgumentError` naming the leaf's key path under
 * `label` (computed only then: this runs for every leaf of every call).
 */
export const leafToTensor = (
  transformation: string,
  leaf: unknown,
  tree: unknown,
  k: number,
  label: string
): Tensor => {
  if (isTensor(leaf)) return leaf
  if (typeof leaf === "number") return lax.scalar(leaf, "float32", true)
  if (typeof leaf === "boolean") return lax.scalar(leaf ? 1 : 0, "bool")
  const [pairs] = Tree.flattenWithPath(tree)
  const path = Tree.keystr(pairs[k]![0])
  throw new InvalidArgumentError({
    transformation,
    path: path === "" ? label : `${label} at ${path}`,
    got: describe(leaf)
  })
}

/** One flattened argument: its structure and its leaves as tensors. */
export interface FlatArg {
  readonly def: Tree.TreeDef
  readonly leaves: ReadonlyArray<Tensor>
}

/**
 * Flattens each argument in `values` (one per selected position), converting
 * leaves to tensors. `positions` name the arguments in errors.
 */
export const flattenArgs = (
  transformation: string,
  values: ReadonlyArray<unknown>,
  positions: ReadonlyArray<number>,
  toLeaf: typeof leafToTensor = leafToTensor
): ReadonlyArray<FlatArg> =>
  values.map((value, j) => {
    const [leaves, def] = Tree.flatten(value)
    return {
      def,
      leaves: leaves.map((leaf, k) => toLeaf(transformation, leaf, value, k, `argument ${positions[j]}`))
    }
  })

/**
 * Leaf `k` of `tree` as an abstract value, for the functions that only stage (`evalShape`,
 * `makeProgram`, `jit(f).lower`, `linearTranspose`): a tensor's type, a `ShapeDtypeStruct`'s, or a
 * JS number's and boolean's as `leafToTensor` converts them; anything else is its
 * `InvalidArgumentError`.
 */
export const leafToAval = (
  transformation: string,
  leaf: unknown,
  tree: unknown,
  k: number,
  label: string
): AbstractValue =>
  leaf instanceof ShapeDtypeStruct
    ? aval(leaf.shape, leaf.dtype, leaf.weakType)
    : leafToTensor(transformation, leaf, tree, k, label).aval

/**
 * `flattenArgs` for `jit(f).lower`, which stages without running: a leaf may be a
 * `ShapeDtypeStruct`, and every leaf stands for a tensor by its type alone (only `.aval` is
 * there to read).
 */
export const flattenArgsAbstract = (
  transformation: string,
  values: ReadonlyArray<unknown>,
  positions: ReadonlyArray<number>
): ReadonlyArray<FlatArg> =>
  flattenArgs(
    transformation,
    values,
    positions,
    (...at) => ({ aval: leafToAval(...at) }) as unknown as Tensor
  )

/** All leaves of flattened arguments, in order. */
export const allLeaves = (args: ReadonlyArray<FlatArg>): Array<Tensor> => {
  const out: Array<Tensor> = []
  for (const a of args) for (const l of a.leaves) out.push(l)
  return out
}

/** Rebuilds each argument from a flat list of leaves laid out like `args`. */
export const unflattenArgs = (args: ReadonlyArray<FlatArg>, flat: ReadonlyArray<unknown>): Array<unknown> => {
  const out = new Array<unknown>(args.length)
  let offset = 0
  for (let j = 0; j < args.length; j++) {
    const n = args[j]!.leaves.length
    out[j] = Tree.unflatten(args[j]!.def, flat.slice(offset, offset + n))
    offset += n
  }
  return out
}

/** The tangent dtype of a primal dtype: float0 for integers and booleans (JAX's rule). */
export const tangentDType = (dtype: DType.DType): DType.DType =>
  DType.isInteger(dtype) || dtype === "bool" || dtype === "float0" ? "float0" : dtype

/** JAX's `_check_input_dtype_revderiv` (grad, jacrev). */
export const checkInputDTypeRev = (name: string, holomorphic: boolean, allowInt: boolean, x: Tensor): void => {
  const dtype = x.dtype
  if (holomorphic && !DType.isComplex(dtype)) {
    throw new InputDTypeError({ transformation: name, dtype, kind: "holomorphic" })
  }
  if (DType.isInteger(dtype) || dtype === "bool") {
    if (!allowInt) throw new InputDTypeError({ transformation: name, dtype, kind: "integer" })
  } else if (!DType.isInexact(dtype)) {
    // float0 is neither: JAX's "requires numerical-valued inputs"
    throw new InputDTypeError({ transformation: name, dtype, kind: "numerical" })
  }
}

/** JAX's `_check_input_dtype_jacfwd`. */
export const checkInputDTypeFwd = (holomorphic: boolean, x: Tensor): void => {
  const dtype = x.dtype
  if (holomorphic) {
    if (!DType.isComplex(dtype)) throw new InputDTypeError({ transformation: "jacfwd", dtype, kind: "holomorphic" })
  } else if (!DType.isFloating(dtype)) {
    throw new InputDTypeError({ transformation: "jacfwd", dtype, kind: "real" })
  }
}

/** JAX's `_check_output_dtype_revderiv` (grad, jacrev). */
export const checkOutputDTypeRev = (name: string, holomorphic: boolean, y: Tensor): void => {
  const dtype = y.dtype
  if (holomorphic) {
    if (!DType.isComplex(dtype)) throw new OutputDTypeError({ transformation: name, dtype, kind: "holomorphic" })
  } else if (DType.isComplex(dtype)) {
    throw new OutputDTypeError({ transformation: name, dtype, kind: "complex" })
  } else if (!DType.isFloating(dtype)) {
    throw new OutputDTypeError({ transformation: name, dtype, kind: "integer" })
  }
}

/** JAX's `_check_output_dtype_jacfwd`. */
export const checkOutputDTypeFwd = (holomorphic: boolean, y: Tensor): void => {
  if (holomorphic && !DType.isComplex(y.dtype)) {
    throw new OutputDTypeError({ transformation: "jacfwd", dtype: y.dtype, kind: "holomorphic" })
  }
}
