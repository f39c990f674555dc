/**
 * Pytrees: nested containers of tensors, and the functions that take them apart
 * and put them back together (JAX's `jax.tree_util`).
 *
 * Nodes are arrays (and tuples), plain records (keys in sorted order, as JAX sorts
 * dict keys), `null` and `undefined` (nodes without children, kept in place),
 * classes registered with {@link register} (Effect `Schema.Class`es included), and
 * the functions {@link partial} makes (JAX's `Partial`: the bound arguments are the
 * children). Everything else (tensors, numbers, booleans, other functions,
 * unregistered objects) is a leaf.
 *
 * Paths in errors use JAX's key-path style with JSON keys: `[0]["w"]`.
 *
 * Only a record's own enumerable string keys are part of the tree (the keys
 * `Object.keys` lists, as a JAX dict's keys): Symbol-keyed and non-enumerable
 * properties are not, so `map` and `unflatten` do not carry them over. A tree
 * nested deeper than 1000 levels, or one that contains itself, fails with
 * `TreeStructureError` naming the path, never a stack overflow.
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"
import { ArgumentError } from "./Errors.js"
import * as internal from "./internal/tree.js"
import { makePartial, Partial as PartialClass } from "./internal/treePartial.js"
import { truthOf } from "./internal/treeTruth.js"
import type { ShapeDtypeStruct } from "./ShapeDtypeStruct.js"
import { Tensor } from "./Tensor.js"
import { boolean, checkArg, checkOptions, func, string } from "./Validate.js"
import type { Check, OptionSpec } from "./Validate.js"

export {
  /**
   * The structure of a pytree with its leaves taken out (JAX's `PyTreeDef`).
   *
   * @since 0.1.0
   */
  TreeDef,
  /**
   * A tree whose structure is not the one expected.
   *
   * @since 0.1.0
   */
  TreeStructureError
} from "./internal/tree.js"

/**
 * Types that are leaves at the type level: tensors and JS scalars.
 *
 * @since 0.1.0
 */
export type Leaf = Tensor | number | boolean | bigint | string | symbol

// Built-in objects that are leaves at run time (they are not plain records) but that a
// structural type cannot tell apart from records: listed so the types agree.
type OpaqueLeaf =
  | ShapeDtypeStruct
  | Date
  | RegExp
  | Error
  | ReadonlyMap<unknown, unknown>
  | ReadonlySet<unknown>
  | ArrayBufferView
  | ArrayBuffer
  | Promise<unknown>

// `any` and `unknown` say nothing about structure: they map to themselves.
type IsAnyOrUnknown<T> = unknown extends T ? true : false

/**
 * The union of the leaf types of a tree type. Function-valued properties (class
 * methods, at the type level indistinguishable from own fields) are not counted.
 *
 * @example
 * import { np, type Tensor, Tree } from "diffect"
 * type L = Tree.LeafOf<{ w: Tensor; n: [number, null] }> // Tensor | number
 * const leaves: Array<L> = Tree.leaves({ w: np.zeros([2]), n: [3, null] })
 * console.log(leaves.length) // 2
 *
 * @since 0.1.0
 */
export type LeafOf<T> = IsAnyOrUnknown<T> extends true ? T
  : T extends null | undefined ? never
  : T extends Leaf | OpaqueLeaf ? T
  : T extends ReadonlyArray<infer E> ? LeafOf<E>
  : T extends Function ? never
  : T extends object ? { [K in keyof T]-?: LeafOf<T[K]> }[keyof T]
  : T

/**
 * The flat list of leaves of a tree type, as returned by {@link leaves}.
 *
 * @since 0.1.0
 */
export type Leaves<T> = Array<LeafOf<T>>

/**
 * The tree type `T` with every leaf replaced by `R`: the result type of
 * {@link map}. `MapLeaves<P, Tensor>` is the type of a gradient of `P`.
 *
 * @example
 * import { np, type Tensor, Tree } from "diffect"
 * type G = Tree.MapLeaves<{ w: Tensor; n: number; s: null }, Tensor> // the record { w: Tensor; n: Tensor; s: null }
 * const g: G = Tree.map({ w: np.ones([2]), n: 3, s: null }, (x: Tensor | number) => np.asarray(x))
 * console.log(String(g.n), g.s) // Array(3., dtype=float32, weak_type=True) null
 *
 * @since 0.1.0
 */
export type MapLeaves<T, R> = IsAnyOrUnknown<T> extends true ? T
  : T extends null | undefined ? T
  : T extends Leaf | OpaqueLeaf ? R
  : T extends ReadonlyArray<unknown> ? { [K in keyof T]: MapLeaves<T[K], R> }
  : T extends Function ? T
  : T extends object ? { [K in keyof T]: MapLeaves<T[K], R> }
  : R

/**
 * A predicate that stops flattening at a value (JAX's `is_leaf`), e.g.
 * `(x) => x === null` to treat `null` as a leaf in vmap's `inAxes`.
 *
 * @since 0.1.0
 */
export type IsLeaf = (value: unknown) => boolean

/**
 * Options of the functions that walk a tree: `isLeaf` stops the walk at the
 * values it accepts (their subtree is one leaf).
 *
 * @since 0.1.0
 */
export interface TreeOptions {
  readonly isLeaf?: IsLeaf | undefined
}

const treeSpec: OptionSpec = { isLeaf: func }
const isLeafOf = (operation: string, options: TreeOptions | undefined): IsLeaf | undefined => {
  checkOptions(operation, options, treeSpec)
  return options?.isLeaf
}

/**
 * Flattens a tree into its leaves (depth first, record keys sorted) and its
 * structure.
 *
 * @example
 * import { Tree } from "diffect"
 * const [leaves, def] = Tree.flatten([1, { b: 3, a: 2 }, null])
 * console.log(leaves, String(def)) // [1, 2, 3] TreeDef([*, {a: *, b: *}, null])
 *
 * @since 0.1.0
 */
export const flatten = <T>(tree: T, options?: TreeOptions): [Leaves<T>, internal.TreeDef] => {
  const leaves: Array<unknown> = []
  // (its circular-tree error says "flatten:", as test/hostile/validation.test.ts expects)
  const def = internal.flattenInto(tree, leaves, isLeafOf("Tree.flatten", options), "flatten")
  return [leaves as Leaves<T>, def]
}

/**
 * Rebuilds a tree from its structure and leaves (the inverse of {@link flatten}).
 * Fails with `TreeStructureError` when the number of leaves is wrong.
 *
 * @example
 * import { Tree } from "diffect"
 * const def = Tree.structure({ a: 0, b: [0, 0] })
 * console.log(Tree.unflatten(def, [1, 2, 3])) // { a: 1, b: [2, 3] }
 *
 * @since 0.1.0
 */
export const unflatten = <T = unknown>(treedef: internal.TreeDef, leaves: ReadonlyArray<unknown>): T => {
  checkArg("Tree.unflatten", "treedef", treedef, treeDef)
  checkArg("Tree.unflatten", "leaves", leaves, list)
  return internal.unflattenDef(treedef, leaves) as T
}

const treeDef: Check = { expected: "a TreeDef", test: (u) => u instanceof internal.TreeDef }
const list: Check = { expected: "an array", test: Array.isArray }
const nonEmptyList: Check = { expected: "a non-empty array of trees", test: (u) => Array.isArray(u) && u.length > 0 }

/**
 * The leaves of a tree, in flattening order.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.leaves({ b: [2, 3], a: 1 })) // [1, 2, 3]
 *
 * @since 0.1.0
 */
export const leaves = <T>(tree: T, options?: TreeOptions): Leaves<T> => {
  const out: Array<unknown> = []
  internal.flattenInto(tree, out, isLeafOf("Tree.leaves", options), "Tree.leaves")
  return out as Leaves<T>
}

/**
 * The structure of a tree.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(String(Tree.structure([1, { a: 2 }]))) // TreeDef([*, {a: *}])
 *
 * @since 0.1.0
 */
export const structure = (tree: unknown, options?: TreeOptions): internal.TreeDef =>
  internal.flattenInto(tree, [], isLeafOf("Tree.structure", options), "Tree.structure")

/**
 * Whether two structures are equal: same node kinds, array lengths, record keys,
 * registered classes and their static data.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.treedefEquals(Tree.structure({ a: 1 }), Tree.structure({ a: 2 }))) // true
 *
 * @since 0.1.0
 */
export const treedefEquals = (a: internal.TreeDef, b: internal.TreeDef): boolean =>
  internal.defEquals(checkArg("Tree.treedefEquals", "a", a, treeDef), checkArg("Tree.treedefEquals", "b", b, treeDef))

/**
 * Number of leaves of a tree.
 *
 * @since 0.1.0
 */
export const numLeaves = (tree: unknown, options?: TreeOptions): number =>
  internal.countLeaves(tree, isLeafOf("Tree.numLeaves", options), "Tree.numLeaves")

// `map(tree, f)` or `map(f, options?)`: data-last only when the first argument is a function and
// the second is not, so `map(tree, 5)` fails on its `f` instead of returning a function. (A tree
// that is a function, a `Tree.partial`, still maps data-first: its `f` is a function.)
const isDataFirst = (args: IArguments): boolean => typeof args[0] !== "function" || typeof args[1] === "function"

/**
 * Applies `f` to every leaf, keeping the structure (JAX's `tree.map`).
 * Data-first `Tree.map(tree, f)` or data-last `Tree.map(f)(tree)`.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.map({ a: 1, b: [2, null] }, (x: number) => x * 10)) // { a: 10, b: [20, null] }
 *
 * @since 0.1.0
 */
export const map: {
  <A, R>(f: (leaf: A) => R, options?: TreeOptions): <T>(tree: T) => MapLeaves<T, R>
  <T, R>(tree: T, f: (leaf: LeafOf<T>) => R, options?: TreeOptions): MapLeaves<T, R>
  // For a generic tree type (`<P>(params: P) => Tree.map(params, (p: Tensor) => ...)`),
  // whose leaf type TypeScript cannot resolve, the callback's own annotation is trusted.
  <T, A, R>(tree: T, f: (leaf: A) => R, options?: TreeOptions): MapLeaves<T, R>
} = dual(
  isDataFirst,
  <T, R>(tree: T, f: (leaf: LeafOf<T>) => R, options?: TreeOptions): MapLeaves<T, R> => {
    checkArg("Tree.map", "f", f, func)
    const leaves: Array<unknown> = []
    const def = internal.flattenInto(tree, leaves, isLeafOf("Tree.map", options), "Tree.map")
    for (let i = 0; i < leaves.length; i++) leaves[i] = f(leaves[i] as LeafOf<T>)
    return internal.unflattenDef(def, leaves) as MapLeaves<T, R>
  }
)

/**
 * A key path: the record keys and array indices from the root to a node.
 *
 * @since 0.1.0
 */
export type KeyPath = ReadonlyArray<string | number>

/**
 * Formats a key path in JAX's `keystr` style with JSON keys: `[0]["w"]`
 * (the empty path is the root, `""`). With `simple: true` each key is written
 * bare (`0`, `w`) and the keys are joined with `separator` (default `""`), as
 * JAX's `keystr(path, simple=True, separator="/")` names parameters `layer/w`.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.keystr([0, "w"])) // [0]["w"]
 * console.log(Tree.keystr(["layer", 0, "w"], { simple: true, separator: "/" })) // layer/0/w
 *
 * @since 0.1.0
 */
export const keystr = (
  path: KeyPath,
  options?: { readonly simple?: boolean | undefined; readonly separator?: string | undefined }
): string => {
  checkArg<KeyPath>("Tree.keystr", "path", path, keyPath)
  checkOptions("Tree.keystr", options, keystrSpec)
  const separator = options?.separator ?? ""
  if (options?.simple === true) return path.map(String).join(separator)
  return path.map((k) => internal.formatPath([k])).join(separator)
}

const keystrSpec: OptionSpec = { simple: boolean, separator: string }

const keyPath: Check = {
  expected: "an array of keys (strings and numbers)",
  test: (u) => Array.isArray(u) && u.every((k) => typeof k === "string" || typeof k === "number")
}

/**
 * Flattens a tree into `[path, leaf]` pairs and its structure (JAX's
 * `tree_flatten_with_path`), for messages that name where a leaf is.
 *
 * @example
 * import { Tree } from "diffect"
 * const [pairs] = Tree.flattenWithPath({ b: [1, 2], a: 0 })
 * console.log(pairs.map(([p, x]) => `${Tree.keystr(p)}=${x}`)) // ['["a"]=0', '["b"][0]=1', '["b"][1]=2']
 *
 * @since 0.1.0
 */
export const flattenWithPath = <T>(
  tree: T,
  options?: TreeOptions
): [Array<[KeyPath, LeafOf<T>]>, internal.TreeDef] => {
  const leaves: Array<unknown> = []
  const def = internal.flattenInto(tree, leaves, isLeafOf("Tree.flattenWithPath", options), "Tree.flattenWithPath")
  const paths = internal.leafPaths(def)
  const out = new Array<[KeyPath, LeafOf<T>]>(leaves.length)
  for (let i = 0; i < leaves.length; i++) out[i] = [paths[i]!, leaves[i] as LeafOf<T>]
  return [out, def]
}

/**
 * The `[path, leaf]` pairs of a tree (JAX's `tree_leaves_with_path`): the first
 * half of {@link flattenWithPath}.
 *
 * @example
 * import { Tree } from "diffect"
 * const pairs = Tree.leavesWithPath([{ w: 1 }, 2])
 * console.log(pairs.map(([p, x]) => `${Tree.keystr(p)}=${x}`)) // ['[0]["w"]=1', '[1]=2']
 *
 * @since 0.1.0
 */
export const leavesWithPath = <T>(tree: T, options?: TreeOptions): Array<[KeyPath, LeafOf<T>]> => {
  const leaves: Array<unknown> = []
  const def = internal.flattenInto(tree, leaves, isLeafOf("Tree.leavesWithPath", options), "Tree.leavesWithPath")
  const paths = internal.leafPaths(def)
  const out = new Array<[KeyPath, LeafOf<T>]>(leaves.length)
  for (let i = 0; i < leaves.length; i++) out[i] = [paths[i]!, leaves[i] as LeafOf<T>]
  return out
}

/**
 * Applies `f` to every leaf and its key path, keeping the structure (JAX's
 * `tree_map_with_path`): how a rule picks leaves by name, such as weight decay
 * on weights but not biases. Data-first `Tree.mapWithPath(tree, f)` or
 * data-last `Tree.mapWithPath(f)(tree)`.
 *
 * @example
 * import { Tree } from "diffect"
 * const params = { layer: { b: 1, w: 2 }, scale: 3 }
 * const decay = Tree.mapWithPath(params, (path, x: number) => path.at(-1) === "w" ? x * 0.5 : x)
 * console.log(decay) // { layer: { b: 1, w: 1 }, scale: 3 }
 *
 * @since 0.1.0
 */
export const mapWithPath: {
  <A, R>(f: (path: KeyPath, leaf: A) => R, options?: TreeOptions): <T>(tree: T) => MapLeaves<T, R>
  <T, R>(tree: T, f: (path: KeyPath, leaf: LeafOf<T>) => R, options?: TreeOptions): MapLeaves<T, R>
  // Generic tree types: the callback's own annotation is trusted (see `map`).
  <T, A, R>(tree: T, f: (path: KeyPath, leaf: A) => R, options?: TreeOptions): MapLeaves<T, R>
} = dual(
  isDataFirst,
  <T, R>(tree: T, f: (path: KeyPath, leaf: LeafOf<T>) => R, options?: TreeOptions): MapLeaves<T, R> => {
    checkArg("Tree.mapWithPath", "f", f, func)
    const leaves: Array<unknown> = []
    const def = internal.flattenInto(tree, leaves, isLeafOf("Tree.mapWithPath", options), "Tree.mapWithPath")
    const paths = internal.leafPaths(def)
    for (let i = 0; i < leaves.length; i++) leaves[i] = f(paths[i]!, leaves[i] as LeafOf<T>)
    return internal.unflattenDef(def, leaves) as MapLeaves<T, R>
  }
)

/**
 * Whether every element of `values` is a leaf by itself (JAX's `all_leaves`):
 * `true` for the result of {@link leaves}, `false` as soon as one element is a
 * node (an array, a record, `null`, `undefined`, a registered class). A check
 * that a flat list is still flat after an arbitrary map.
 *
 * @example
 * import { Tree } from "diffect"
 * const tree = { a: [1, 2, 3] }
 * console.log(Tree.allLeaves(Tree.leaves(tree)), Tree.allLeaves([tree]), Tree.allLeaves([1, null])) // true false false
 *
 * @since 0.1.0
 */
export const allLeaves = (values: ReadonlyArray<unknown>, options?: TreeOptions): boolean => {
  checkArg("Tree.allLeaves", "values", values, list)
  const isLeaf = isLeafOf("Tree.allLeaves", options)
  for (let i = 0; i < values.length; i++) if (!internal.isLeafValue(values[i], isLeaf)) return false
  return true
}

/**
 * Applies `f` leafwise to several trees (JAX's `tree.map(f, tree, *rest)`).
 * The first tree's structure drives: each other tree must have that structure
 * (or have it as a prefix, in which case `f` receives the subtree found at each
 * leaf). A mismatch fails with `TreeStructureError` naming the path.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.mapN([{ a: 1, b: 2 }, { a: 10, b: 20 }], (x: number, y: number) => x + y)) // { a: 11, b: 22 }
 *
 * @since 0.1.0
 */
export const mapN: {
  <A extends ReadonlyArray<any>, R>(
    f: (...leaves: A) => R,
    options?: TreeOptions
  ): <Ts extends readonly [unknown, ...Array<unknown>]>(trees: Ts) => MapLeaves<Ts[0], R>
  <Ts extends readonly [unknown, ...Array<unknown>], R>(
    trees: Ts,
    f: (...leaves: { [K in keyof Ts]: LeafOf<Ts[K]> }) => R,
    options?: TreeOptions
  ): MapLeaves<Ts[0], R>
  // Generic tree types: the callback's own annotations are trusted (see `map`).
  <Ts extends readonly [unknown, ...Array<unknown>], A extends ReadonlyArray<any>, R>(
    trees: Ts,
    f: (...leaves: A) => R,
    options?: TreeOptions
  ): MapLeaves<Ts[0], R>
} = dual(
  (args) => typeof args[0] !== "function",
  (
    trees: ReadonlyArray<unknown>,
    f: (...leaves: Array<any>) => unknown,
    options?: TreeOptions
  ): unknown => {
    checkArg("Tree.mapN", "trees", trees, nonEmptyList)
    checkArg("Tree.mapN", "f", f, func)
    const first: Array<unknown> = []
    const def = internal.flattenInto(trees[0], first, isLeafOf("Tree.mapN", options), "Tree.mapN")
    const n = first.length
    const columns: Array<Array<unknown>> = [first]
    for (let t = 1; t < trees.length; t++) {
      const col: Array<unknown> = []
      internal.flattenUpToInto("Tree.mapN", def, trees[t], col, [t])
      columns.push(col)
    }
    const out = new Array<unknown>(n)
    if (columns.length === 2) {
      const second = columns[1]!
      for (let i = 0; i < n; i++) out[i] = f(first[i], second[i])
    } else {
      const args = new Array<unknown>(columns.length)
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < columns.length; t++) args[t] = columns[t]![i]
        out[i] = f(...args)
      }
    }
    return internal.unflattenDef(def, out)
  }
)

/**
 * Folds the leaves of a tree from the left (JAX's `tree.reduce`); without an
 * initial value the first leaf starts the fold (an empty tree then fails).
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.reduce({ a: 1, b: [2, 3] }, (acc: number, x: number) => acc + x, { initial: 0 })) // 6
 *
 * @since 0.1.0
 */
export const reduce = <T, A>(
  tree: T,
  f: (acc: A, leaf: LeafOf<T>) => A,
  options?: TreeOptions & { readonly initial?: A }
): A => {
  checkArg("Tree.reduce", "f", f, func)
  checkOptions("Tree.reduce", options, reduceSpec)
  const leaves: Array<unknown> = []
  internal.flattenInto(tree, leaves, options?.isLeaf, "Tree.reduce")
  let i = 0
  let acc: A
  if (options !== undefined && "initial" in options) acc = options.initial as A
  else if (leaves.length === 0) {
    throw new internal.TreeStructureError({
      operation: "Tree.reduce",
      path: "",
      detail: "reduce of a tree with no leaves and no initial value"
    })
  } else acc = leaves[i++] as unknown as A
  for (; i < leaves.length; i++) acc = f(acc, leaves[i] as LeafOf<T>)
  return acc
}

const reduceSpec: OptionSpec = { isLeaf: func, initial: { expected: "any value", test: () => true } }

/**
 * Whether every leaf is true (JAX's `tree.all`: Python's `all` of the leaves). A
 * leaf that is a tensor must hold one element, which is read (so
 * `Tree.all(Tree.mapN([a, b], (x, y) => np.allclose(x, y)))` works, eagerly); a
 * traced one is a `ConcretizationError`, as in JAX.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.all([true, { a: true, b: [true, true] }])) // true
 * console.log(Tree.all([false, [true, false]])) // false
 *
 * @since 0.1.0
 */
export const all = (tree: unknown, options?: TreeOptions): boolean => {
  checkOptions("Tree.all", options, { isLeaf: func })
  const leaves: Array<unknown> = []
  internal.flattenInto(tree, leaves, options?.isLeaf, "Tree.all")
  return leaves.every((leaf) => {
    if (!(leaf instanceof Tensor)) return Boolean(leaf)
    if (leaf.size !== 1) {
      throw new ArgumentError({
        operation: "Tree.all",
        argument: "a leaf",
        expected: "a tensor of one element (the truth value of a larger array is ambiguous, as in JAX)",
        got: `a tensor of shape [${leaf.shape.join(", ")}]`
      })
    }
    return truthOf(leaf)
  })
}

/**
 * Combines the leaves with an associative `operation` as a balanced tree of
 * calls (JAX's `tree.reduce_associative`: halves reduced first, then combined);
 * `identity` is the result of a tree with no leaves, which is an error
 * without it.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.reduceAssociative([1, [2, 3], [4, 5, 6]], (a: number, b: number) => a + b)) // 21
 * console.log(Tree.reduceAssociative([], (a: number, b: number) => a + b, { identity: 0 })) // 0
 *
 * @since 0.1.0
 */
export const reduceAssociative = <A>(
  tree: unknown,
  operation: (a: A, b: A) => A,
  options?: TreeOptions & { readonly identity?: A }
): A => {
  checkArg("Tree.reduceAssociative", "operation", operation, func)
  checkOptions("Tree.reduceAssociative", options, {
    isLeaf: func,
    identity: { expected: "any value", test: () => true }
  })
  const leaves: Array<unknown> = []
  internal.flattenInto(tree, leaves, options?.isLeaf, "Tree.reduceAssociative")
  if (leaves.length === 0) {
    if (options !== undefined && "identity" in options) return options.identity as A
    throw new internal.TreeStructureError({
      operation: "Tree.reduceAssociative",
      path: "",
      detail: "must specify identity for parallel reduction of empty sequence"
    })
  }
  const go = (lo: number, hi: number): A => {
    if (hi - lo === 1) return leaves[lo] as A
    const mid = lo + Math.floor((hi - lo) / 2)
    return operation(go(lo, mid), go(mid, hi))
  }
  return go(0, leaves.length)
}

/**
 * Cuts `tree` at the leaves of `prefix` (JAX's `treedef.flatten_up_to`): one
 * subtree of `tree` per leaf of `prefix`. Fails with `TreeStructureError`
 * naming the path where `tree` does not have `prefix` as a prefix.
 *
 * @example
 * import { Tree } from "diffect"
 * const prefix = Tree.structure([0, 0])
 * console.log(Tree.flattenUpTo(prefix, [{ a: 1 }, [2, 3]])) // [{ a: 1 }, [2, 3]]
 *
 * @since 0.1.0
 */
export const flattenUpTo = (prefix: internal.TreeDef, tree: unknown): Array<unknown> => {
  checkArg("Tree.flattenUpTo", "prefix", prefix, treeDef)
  const out: Array<unknown> = []
  internal.flattenUpToInto("Tree.flattenUpTo", prefix, tree, out, [])
  return out
}

/**
 * Broadcasts the leaves of a prefix tree over a full tree (JAX's
 * `broadcast_prefix`): one prefix leaf per leaf of `full`, the leaf that covers
 * it. This is how vmap reads `inAxes`: a number (or `null`, with
 * `isLeaf: (x) => x === null`) at a node applies to its whole subtree.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.broadcastPrefix([0, null], [{ a: 1, b: 2 }, 3], { isLeaf: (x) => x === null })) // [0, 0, null]
 *
 * @since 0.1.0
 */
export const broadcastPrefix = <A>(prefix: unknown, full: unknown, options?: TreeOptions): Array<A> => {
  const prefixLeaves: Array<unknown> = []
  const def = internal.flattenInto(
    prefix,
    prefixLeaves,
    isLeafOf("Tree.broadcastPrefix", options),
    "Tree.broadcastPrefix"
  )
  const subtrees: Array<unknown> = []
  internal.flattenUpToInto("Tree.broadcastPrefix", def, full, subtrees, [])
  const out: Array<unknown> = []
  for (let i = 0; i < subtrees.length; i++) {
    const k = internal.countLeaves(subtrees[i], undefined, "Tree.broadcastPrefix")
    for (let j = 0; j < k; j++) out.push(prefixLeaves[i])
  }
  return out as Array<A>
}

/**
 * Replicates the leaves of a prefix tree over a full tree (JAX's
 * `tree.broadcast`): the full tree's structure with, at each leaf, the prefix leaf
 * that covers it.
 *
 * @example
 * import { Tree } from "diffect"
 * console.log(Tree.broadcast([1, 2], [0, { a: 0, b: 0 }])) // [1, { a: 2, b: 2 }]
 *
 * @since 0.1.0
 */
export const broadcast = <A>(prefix: unknown, full: unknown, options?: TreeOptions): unknown => {
  const out = broadcastPrefix<A>(prefix, full, options)
  return internal.unflattenDef(internal.flattenInto(full, [], undefined, "Tree.broadcast"), out)
}

/**
 * Turns a tree of trees inside out (JAX's `tree_transpose`): `tree` has the
 * structure `outer` whose leaves are trees of structure `inner`; the result has
 * the structure `inner` whose leaves are trees of structure `outer`. `inner` is
 * read from the first subtree when omitted. This is how per-output Jacobians
 * become per-input ones.
 *
 * @example
 * import { Tree } from "diffect"
 * const outer = Tree.structure({ a: 0, b: 0 })
 * console.log(Tree.transpose(outer, undefined, { a: [1, 2], b: [3, 4] })) // [{ a: 1, b: 3 }, { a: 2, b: 4 }]
 *
 * @since 0.1.0
 */
export const transpose = (outer: internal.TreeDef, inner: internal.TreeDef | undefined, tree: unknown): unknown => {
  checkArg("Tree.transpose", "outer", outer, treeDef)
  if (inner !== undefined) checkArg("Tree.transpose", "inner", inner, treeDef)
  const subtrees: Array<unknown> = []
  internal.flattenUpToInto("Tree.transpose", outer, tree, subtrees, [])
  if (inner === undefined) {
    if (subtrees.length === 0) {
      throw new internal.TreeStructureError({
        operation: "Tree.transpose",
        path: "",
        detail: `cannot infer the inner structure of a tree whose outer structure ${outer} has no leaves`
      })
    }
    inner = internal.flattenInto(subtrees[0], [], undefined, "Tree.transpose")
  }
  const m = outer.numLeaves
  const n = inner.numLeaves
  // columns[j][i]: inner leaf j of outer leaf i.
  const columns = new Array<Array<unknown>>(n)
  for (let j = 0; j < n; j++) columns[j] = new Array<unknown>(m)
  const paths = internal.leafPaths(outer)
  for (let i = 0; i < m; i++) {
    const leaves: Array<unknown> = []
    const def = internal.flattenInto(subtrees[i], leaves, undefined, "Tree.transpose")
    if (!internal.defEquals(def, inner)) {
      throw new internal.TreeStructureError({
        operation: "Tree.transpose",
        path: internal.formatPath(paths[i]!),
        detail: `expected the inner structure ${inner}, got ${def}`
      })
    }
    for (let j = 0; j < n; j++) columns[j]![i] = leaves[j]
  }
  const outs = new Array<unknown>(n)
  for (let j = 0; j < n; j++) outs[j] = internal.unflattenDef(outer, columns[j]!)
  return internal.unflattenDef(inner, outs)
}

/**
 * Registers a class as a pytree node (JAX's `register_pytree_node`):
 * `toChildren` lists its children in a fixed order, `fromChildren` rebuilds an
 * instance from (possibly transformed) children. Options: `aux` extracts static
 * data that is part of the structure (compared by value, given back to
 * `fromChildren`), `keys` names the children for paths and printing.
 * `fromChildren`'s argument is typed as what `toChildren` returns, the common
 * case; like JAX's, it receives whatever leaves the caller holds (`Tree.map`
 * may replace tensors with numbers).
 *
 * With only a class argument, registers an Effect `Schema.Class`: its fields are
 * the children in sorted key order (a `_tag` and the fields named in `static`
 * are static data instead), and instances are rebuilt without re-validation,
 * as JAX rebuilds nodes without calling `__init__`. An absent optional field
 * is an `undefined` node and stays absent in the rebuilt instance. A `static`
 * name that is not a field is an `ArgumentError`.
 *
 * Registration is per class, as JAX's registry is per type: a subclass (a
 * `Base.extend<Sub>(...)` Schema class too) is registered on its own. A class
 * registers once (a second registration is an `ArgumentError`, as JAX's
 * duplicate registration; `Tree.unregister` it first).
 *
 * @example
 * import { Schema } from "effect"
 * import { np, Tensor, Tree } from "diffect"
 *
 * class Linear extends Schema.Class<Linear>("Linear")({
 *   w: Tensor.schema({ dtype: "float32", shape: [784, 10] }),
 *   b: Tensor.schema({ dtype: "float32", shape: [10] })
 * }) {}
 * Tree.register(Linear)
 * // the leaves in sorted key order: b, then w
 * console.log(Tree.leaves(new Linear({ w: np.zeros([784, 10]), b: np.zeros([10]) })).map((t) => t.shape))
 * // [[10], [784, 10]]
 *
 * class Point { constructor(readonly x: number, readonly y: number) {} }
 * Tree.register(Point, (p) => [p.x, p.y], ([x, y]) => new Point(x, y))
 * console.log(Tree.map(new Point(1, 2), (v: number) => v * 10)) // Point { x: 10, y: 20 }
 *
 * @since 0.1.0
 */
export const register: {
  <C extends SchemaClassLike>(schemaClass: C, options?: { readonly static?: ReadonlyArray<string> }): void
  <A, C extends ReadonlyArray<unknown>>(
    constructor: abstract new(...args: any) => A,
    toChildren: (value: A) => C,
    fromChildren: (children: C, aux: any) => A,
    options?: {
      readonly aux?: (value: A) => unknown
      readonly keys?: ReadonlyArray<string>
      readonly name?: string
    }
  ): void
} = (constructor: any, toChildren?: any, fromChildren?: any, options?: any): void => {
  checkArg("Tree.register", "constructor", constructor, func)
  checkNotBuiltIn(constructor)
  if (typeof toChildren !== "function") {
    checkArg("Tree.register", "schemaClass", constructor, schemaClass)
    checkOptions("Tree.register", toChildren, { static: strings })
    const statics: ReadonlyArray<string> = toChildren?.static ?? []
    checkStatics(constructor, statics)
    internal.registerNode(schemaClassRegistration(constructor, statics))
    return
  }
  checkArg("Tree.register", "fromChildren", fromChildren, func)
  checkOptions("Tree.register", options, { aux: func, keys: strings, name: string })
  internal.registerNode({
    name: options?.name ?? constructor.name,
    constructor,
    toChildren,
    fromChildren,
    aux: options?.aux,
    keys: options?.keys
  })
}

/**
 * A function with its first arguments bound, as a pytree (JAX's `jax.tree_util.Partial`):
 * calling it calls `fn(...args, ...rest)`. The bound `args` are its children (their tensors are
 * leaves: traced by `jit`, mapped by `vmap`, differentiated by `grad`) and `fn` is static data,
 * the same structure only for the same function object. So a `Partial` can be an argument or an
 * output of a transformed function where a plain closure cannot: `jit` compiles a function once
 * for each function it is called with, whatever tensors are bound. `vjp` returns its VJP
 * function as one (its residuals bound), which is how `jit` can take and return it.
 *
 * @example
 * import { jit, np, runSync, toJsSync, Tree } from "diffect"
 * import type { Tensor } from "diffect"
 *
 * const addTo = Tree.partial((a: Tensor, b: Tensor) => np.add(a, b), np.array(1))
 * console.log(toJsSync(addTo(np.array(2)))) // 3
 * console.log(Tree.leaves(addTo).length) // 1
 * // an argument of a jitted function: the bound tensor is traced
 * const call = jit((f: typeof addTo, x: Tensor) => f(x))
 * console.log(toJsSync(runSync(call(addTo, np.array(5))))) // 6
 *
 * @since 0.1.0
 */
export const partial = <F extends (...args: Array<any>) => any, B extends ReadonlyArray<unknown>>(
  fn: F,
  ...args: B
): Partial<F extends (...args: [...B, ...infer Rest]) => infer R ? (...rest: Rest) => R : never> =>
  makePartial(checkArg("Tree.partial", "fn", fn, func), args) as never

/**
 * A `Tree.partial` function: callable with the remaining arguments; `fn` and `args` are what was
 * bound.
 *
 * @since 0.1.0
 */
export type Partial<F extends (...args: Array<any>) => any> = F & {
  readonly fn: (...args: Array<any>) => unknown
  readonly args: ReadonlyArray<unknown>
}

/**
 * Whether `value` is a `Tree.partial` function.
 *
 * @since 0.1.0
 */
export const isPartial = (value: unknown): value is Partial<(...args: Array<any>) => unknown> =>
  value instanceof PartialClass

/**
 * Removes a registration; instances of the class are leaves again. Returns
 * whether the class was registered.
 *
 * @since 0.1.0
 */
export const unregister = (constructor: Function): boolean => internal.unregisterNode(constructor)

/**
 * Whether a class is registered as a pytree node.
 *
 * @since 0.1.0
 */
export const isRegistered = (constructor: Function): boolean => internal.lookupNode(constructor) !== undefined

/**
 * The shape of an Effect `Schema.Class`: a constructor with `fields`.
 *
 * @since 0.1.0
 */
export interface SchemaClassLike {
  readonly fields: { readonly [key: string]: unknown }
  readonly identifier?: string
  readonly prototype: object
  readonly name: string
}

const strings: Check = {
  expected: "an array of strings",
  test: (u) => Array.isArray(u) && u.every((k) => typeof k === "string")
}
const schemaClass: Check = {
  expected: "an Effect Schema.Class (a class with `fields`), or a class with toChildren and fromChildren functions",
  test: (u) => {
    const fields = (u as { readonly fields?: unknown }).fields
    return typeof fields === "object" && fields !== null
  }
}

// Arrays (their subclasses too), plain records and tensors are handled before the registry is
// consulted: a registration of them would be silently ignored (JAX refuses to register a type
// twice, its built-in list and dict included).
const checkNotBuiltIn = (c: Function): void => {
  const builtIn = c === Object || c === Array || c === Tensor || c.prototype instanceof Array ||
    c.prototype instanceof Tensor
  if (builtIn) {
    throw new ArgumentError({
      operation: "Tree.register",
      argument: "constructor",
      expected:
        "a class other than Array, Object and Tensor (arrays and records are built-in nodes, tensors are leaves)",
      got: `the class ${c.name}`
    })
  }
  // JAX's "Duplicate custom PyTreeDef type registration": a second registration would change how
  // trees already flattened (jit's cache keys, saved treedefs) unflatten
  if (internal.lookupNode(c) !== undefined) {
    throw new ArgumentError({
      operation: "Tree.register",
      argument: "constructor",
      expected: "a class not registered yet (Tree.unregister it first to register it again)",
      got: `the class ${c.name}, already registered`
    })
  }
}

// A static name that is not a field would be silently ignored (JAX's register_dataclass fails
// on fields it does not know).
const checkStatics = (cls: SchemaClassLike, statics: ReadonlyArray<string>): void => {
  const fields = Object.keys(cls.fields)
  const unknown = statics.find((k) => !fields.includes(k))
  if (unknown !== undefined) {
    throw new ArgumentError({
      operation: "Tree.register",
      argument: "static",
      expected: `names of ${cls.identifier ?? cls.name}'s fields (${JSON.stringify(fields.sort())})`,
      got: `the unknown field ${JSON.stringify(unknown)}`
    })
  }
}

const isOptionalField = (field: unknown): boolean =>
  (field as { readonly ast?: { readonly context?: { readonly isOptional?: boolean } } } | undefined)?.ast?.context
    ?.isOptional === true

const schemaClassRegistration = (cls: SchemaClassLike, statics: ReadonlyArray<string>): internal.Registration => {
  const all = Object.keys(cls.fields).sort()
  const metaKeys = all.filter((k) => k === "_tag" || statics.includes(k))
  const keys = all.filter((k) => !metaKeys.includes(k))
  // An optional field (`Schema.optional`, `Schema.optionalKey`) may be absent: it flattens to an
  // `undefined` node, and an `undefined` child of it is rebuilt absent, so that a rebuilt instance
  // is `Equal` to the original (an own `b: undefined` would not be). An optional field given
  // `undefined` explicitly comes back absent as well.
  const optional = keys.map((k) => isOptionalField(cls.fields[k]))
  const proto = cls.prototype
  return {
    name: cls.identifier ?? cls.name,
    constructor: cls as unknown as Function,
    keys,
    toChildren: (value: Record<string, unknown>) => {
      const out = new Array<unknown>(keys.length)
      for (let i = 0; i < keys.length; i++) out[i] = value[keys[i]!]
      return out
    },
    aux: metaKeys.length === 0 ? undefined : (value: Record<string, unknown>) => {
      const aux: Record<string, unknown> = {}
      // (an absent optional static field stays absent in the rebuilt instance)
      for (const k of metaKeys) if (Object.hasOwn(value, k)) aux[k] = value[k]
      return aux
    },
    fromChildren: (children, aux) => {
      // Schema classes are Data classes whose state is their own enumerable fields:
      // building from the prototype skips the constructor's validation, which would
      // reject transformed leaves (tracers, shapes, `null` cotangents).
      const out = Object.create(proto) as Record<string, unknown>
      if (aux !== undefined) Object.assign(out, aux)
      for (let i = 0; i < keys.length; i++) {
        const child = children[i]
        if (child !== undefined || !optional[i]) out[keys[i]!] = child
      }
      return out
    }
  }
}
