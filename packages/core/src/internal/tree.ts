/**
 * Pytree machinery: the `TreeDef` node, the registry of custom nodes, and the
 * walkers behind `Tree.flatten`, `Tree.unflatten` and prefix matching.
 *
 * Walkers are plain recursive functions over an output array: no closure is
 * made per call, so flattening costs one visit per node.
 *
 * @since 0.1.0
 */
import { TreeStructureError } from "../Errors.js"
import { summary, Tensor } from "../Tensor.js"
import { describeValue } from "../Validate.js"

export { TreeStructureError }

/** @internal */
export const LEAF = 0
/** @internal */
export const NULL = 1
/** @internal */
export const UNDEFINED = 2
/** @internal */
export const ARRAY = 3
/** @internal */
export const RECORD = 4
/** @internal */
export const CUSTOM = 5

/** @internal */
export type Kind = typeof LEAF | typeof NULL | typeof UNDEFINED | typeof ARRAY | typeof RECORD | typeof CUSTOM

/**
 * How a registered class becomes a node: its children (in a fixed order), the
 * static data that is not a child (`aux`, compared for structure equality), and
 * the way back.
 *
 * @since 0.1.0
 */
export interface Registration {
  readonly name: string
  readonly constructor: Function
  readonly toChildren: (value: any) => ReadonlyArray<unknown>
  readonly fromChildren: (children: ReadonlyArray<unknown>, aux: unknown) => unknown
  readonly aux: ((value: any) => unknown) | undefined
  /** Names of the children, for paths (`["w"]`); positional (`[0]`) when absent. */
  readonly keys: ReadonlyArray<string> | undefined
}

const registry = new Map<Function, Registration>()

/** @internal */
export const registerNode = (registration: Registration): void => {
  registry.set(registration.constructor, registration)
}

/** @internal */
export const unregisterNode = (constructor: Function): boolean => registry.delete(constructor)

/** @internal */
export const lookupNode = (constructor: Function): Registration | undefined => registry.get(constructor)

/**
 * The registration of a callable node: a function whose prototype is a registered class's (a
 * `Tree.partial`, JAX's `Partial`); every other function is a leaf. @internal
 */
export const callableNode = (value: unknown): Registration | undefined =>
  typeof value === "function" ? registry.get(Object.getPrototypeOf(value)?.constructor) : undefined

// A function as node data prints by name and identity (its source text would make every
// signature key carry the function's code, and two closures of one source print alike).
const functionIds = new WeakMap<Function, number>()
let nextFunctionId = 0
const functionTag = (f: Function): string => {
  let id = functionIds.get(f)
  if (id === undefined) functionIds.set(f, id = nextFunctionId++)
  return `${f.name.length > 0 ? f.name : "<lambda>"}#${id}`
}

// Node data that is not a primitive, an array or a plain record (a Map, a class instance, a
// tensor) is compared by identity, so it prints by identity too: two such values print alike
// only when they are one object, as they are equal only then.
const objectIds = new WeakMap<object, number>()
let nextObjectId = 0
const objectTag = (o: object): string => {
  let id = objectIds.get(o)
  if (id === undefined) objectIds.set(o, id = nextObjectId++)
  const name = o instanceof Tensor ? summary(o) : (Object.getPrototypeOf(o)?.constructor?.name ?? "Object")
  return `${name}#${id}`
}
const symbolIds = new Map<symbol, number>()
const symbolTag = (s: symbol): string => {
  const global = Symbol.keyFor(s)
  if (global !== undefined) return `Symbol.for(${JSON.stringify(global)})`
  let id = symbolIds.get(s)
  if (id === undefined) symbolIds.set(s, id = symbolIds.size)
  return `${s.toString()}#${id}`
}

/**
 * How deep node data is compared and printed by value; deeper (a circular value included) it is
 * compared and printed by identity, so comparing two circular values ends.
 */
const maxAuxDepth = 64
const isPlainRecord = (o: object): boolean => {
  const proto = Object.getPrototypeOf(o)
  return proto === Object.prototype || proto === null
}

/**
 * Node data as text, injective for `auxEquals`: two values print alike exactly when they are
 * equal (`NaN`, `null`, `undefined`, `10n` and `10` print apart, JSON would not), so the printed
 * structure is a faithful cache key. JSON-like: strings quoted, record keys sorted.
 */
const formatValue = (v: unknown, depth: number): string => {
  switch (typeof v) {
    case "undefined":
      return "undefined"
    case "number":
      // 0 and -0 are one value for `===`, so for structure equality
      return Object.is(v, -0) ? "0" : String(v)
    case "bigint":
      return `${v}n`
    case "string":
      return JSON.stringify(v)
    case "boolean":
      return String(v)
    case "symbol":
      return symbolTag(v)
    case "function":
      return functionTag(v)
  }
  const o = v as object | null
  if (o === null) return "null"
  if (depth >= maxAuxDepth) return objectTag(o)
  if (Array.isArray(o)) return `[${o.map((x) => formatValue(x, depth + 1)).join(",")}]`
  if (isPlainRecord(o)) {
    const r = o as Record<string, unknown>
    return `{${Object.keys(r).sort().map((k) => `${JSON.stringify(k)}:${formatValue(r[k], depth + 1)}`).join(",")}}`
  }
  return objectTag(o)
}

/**
 * The structure of a pytree with its leaves taken out (JAX's `PyTreeDef`).
 * Immutable; compare with `Tree.treedefEquals`, print with `toString()`.
 *
 * @since 0.1.0
 */
export class TreeDef {
  /** Number of leaves below this node. */
  readonly numLeaves: number
  /** Number of nodes, leaves included (JAX's `num_nodes`). */
  readonly numNodes: number
  constructor(
    /** @internal */
    readonly kind: Kind,
    /** The child structures (array elements, record values in key order, custom children). */
    readonly children: ReadonlyArray<TreeDef>,
    /** Record keys in sorted order; the registration's keys for custom nodes. */
    readonly keys: ReadonlyArray<string> | undefined,
    /** @internal */
    readonly node: Registration | undefined,
    /** @internal */
    readonly aux: unknown
  ) {
    let leaves = kind === LEAF ? 1 : 0
    let nodes = 1
    for (let i = 0; i < children.length; i++) {
      leaves += children[i]!.numLeaves
      nodes += children[i]!.numNodes
    }
    this.numLeaves = leaves
    this.numNodes = nodes
  }
  /** Rebuilds a tree of this structure from its leaves (`Tree.unflatten`). */
  unflatten(leaves: ReadonlyArray<unknown>): unknown {
    return unflattenDef(this, leaves)
  }
  /** One subtree of `tree` per leaf of this structure (`Tree.flattenUpTo`). */
  flattenUpTo(tree: unknown): Array<unknown> {
    const out: Array<unknown> = []
    flattenUpToInto("TreeDef.flattenUpTo", this, tree, out, [])
    return out
  }
  toString(): string {
    return `TreeDef(${formatDef(this)})`
  }
}

/** @internal */
export const leafDef = new TreeDef(LEAF, [], undefined, undefined, undefined)
/** @internal */
export const nullDef = new TreeDef(NULL, [], undefined, undefined, undefined)
/** @internal */
export const undefinedDef = new TreeDef(UNDEFINED, [], undefined, undefined, undefined)
const emptyArrayDef = new TreeDef(ARRAY, [], undefined, undefined, undefined)

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const formatKey = (k: string): string => identifier.test(k) ? k : JSON.stringify(k)
const formatAux = (aux: unknown): string => aux === undefined ? "" : `[${formatValue(aux, 0)}]`

const formatDef = (def: TreeDef): string => {
  switch (def.kind) {
    case LEAF:
      return "*"
    case NULL:
      return "null"
    case UNDEFINED:
      return "undefined"
    case ARRAY:
      return `[${def.children.map(formatDef).join(", ")}]`
    case RECORD:
      return `{${def.children.map((c, i) => `${formatKey(def.keys![i]!)}: ${formatDef(c)}`).join(", ")}}`
    case CUSTOM: {
      const inner = def.keys === undefined
        ? `[${def.children.map(formatDef).join(", ")}]`
        : `{${def.children.map((c, i) => `${formatKey(def.keys![i]!)}: ${formatDef(c)}`).join(", ")}}`
      return `CustomNode(${def.node!.name}${formatAux(def.aux)}, ${inner})`
    }
  }
}

/** A path step in JAX's key-path style, with JSON string keys: `[0]`, `["w"]`. @internal */
export const formatPath = (path: ReadonlyArray<string | number>): string =>
  path.length === 0 ? "the root" : path.map((k) => typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`).join("")

/** The key paths of a structure's leaves, in flattening order. @internal */
export const leafPaths = (def: TreeDef): Array<ReadonlyArray<string | number>> => {
  const out: Array<ReadonlyArray<string | number>> = []
  collectPaths(def, [], out)
  return out
}

const collectPaths = (
  def: TreeDef,
  path: Array<string | number>,
  out: Array<ReadonlyArray<string | number>>
): void => {
  if (def.kind === LEAF) {
    out.push(path.slice())
    return
  }
  const keys = def.kind === RECORD || def.kind === CUSTOM ? def.keys : undefined
  for (let i = 0; i < def.children.length; i++) {
    path.push(keys?.[i] ?? i)
    collectPaths(def.children[i]!, path, out)
    path.pop()
  }
}

// Records of one shape recur on every call (the same parameter records each step), so the
// sorted key list is cached per insertion-ordered key list: a hit costs one `Object.keys`
// and a comparison of interned strings, and shares one `keys` array between treedefs,
// which makes their comparison an identity check. Keyed by the first key to stay small.
interface KeyOrder {
  readonly insertion: ReadonlyArray<string>
  readonly sorted: ReadonlyArray<string>
}
const keyOrders = new Map<string, Array<KeyOrder>>()
const MAX_ORDERS_PER_KEY = 8
const MAX_FIRST_KEYS = 4096
const emptyKeys: ReadonlyArray<string> = []

const sameKeys = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const sortedKeys = (value: object): ReadonlyArray<string> => {
  const keys = Object.keys(value)
  if (keys.length === 0) return emptyKeys
  const first = keys[0]!
  let orders = keyOrders.get(first)
  if (orders !== undefined) {
    for (let i = 0; i < orders.length; i++) {
      if (sameKeys(orders[i]!.insertion, keys)) return orders[i]!.sorted
    }
  } else {
    // Bounded: a stream of records with ever new keys must not grow the cache forever.
    if (keyOrders.size >= MAX_FIRST_KEYS) keyOrders.clear()
    orders = []
    keyOrders.set(first, orders)
  }
  let sorted: Array<string> = keys
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      sorted = keys.slice().sort()
      break
    }
  }
  if (orders.length >= MAX_ORDERS_PER_KEY) orders.shift()
  orders.push({ insertion: keys, sorted })
  return sorted
}

/** @internal */
export type IsLeaf = ((value: unknown) => boolean) | undefined

/**
 * Flattens `value` into `leaves` (appending) and returns its structure. `operation` names the
 * caller in the errors of a circular or too deep tree and of a bad registered node.
 *
 * @internal
 */
export const flattenInto = (
  value: unknown,
  leaves: Array<unknown>,
  isLeaf: IsLeaf,
  operation = "flatten"
): TreeDef => {
  try {
    return flattenNode(value, leaves, isLeaf, 0)
  } catch (e) {
    throw e === tooDeep || e instanceof BadNode ? walkError(operation, value, isLeaf) : e
  }
}

/**
 * The deepest nesting a tree may have. A cycle (an object that contains itself)
 * would recurse forever: it reaches this depth instead, and the error names it.
 */
export const maxTreeDepth = 1000
const tooDeep = Symbol("tooDeep")

/** A registered node whose `toChildren` broke its contract; the walk that catches it names where. */
class BadNode {
  constructor(readonly detail: string) {}
}

/**
 * A registered node's children, checked: `toChildren` is user code, and a result that is not an
 * array would fail as a TypeError deep in the walk (or count no leaves), one of another length
 * than the registration's `keys` would name its leaves wrongly.
 */
const customChildren = (node: Registration, value: unknown): ReadonlyArray<unknown> => {
  const raw: unknown = node.toChildren(value)
  if (!Array.isArray(raw)) {
    throw new BadNode(`${node.name}'s toChildren must return an array of children, got ${describeValue(raw)}`)
  }
  if (node.keys !== undefined && node.keys.length !== raw.length) {
    throw new BadNode(
      `${node.name}'s toChildren returned ${raw.length} children, but its registration names ${node.keys.length} ${
        node.keys.length === 1 ? "key" : "keys"
      } (${JSON.stringify(node.keys)})`
    )
  }
  return raw
}

// Children of a node, as flattening sees them (none for a leaf).
const childrenOf = (value: unknown, isLeaf: IsLeaf): ReadonlyArray<readonly [string | number, unknown]> => {
  if (isLeaf !== undefined && isLeaf(value)) return []
  const callable = callableNode(value)
  if (callable !== undefined) {
    return customChildren(callable, value).map((v, i) => [callable.keys?.[i] ?? i, v] as const)
  }
  if (typeof value !== "object" || value === null) return []
  if (value instanceof Tensor) return []
  if (Array.isArray(value)) return value.map((v, i) => [i, v] as const)
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    return Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]] as const)
  }
  const node = registry.get(proto.constructor)
  if (node === undefined) return []
  return customChildren(node, value).map((v, i) => [node.keys?.[i] ?? i, v] as const)
}

// Only on failure: the path to the first node that contains itself, to the depth limit, or to a
// registered node whose toChildren broke its contract.
const walkError = (operation: string, root: unknown, isLeaf: IsLeaf): TreeStructureError => {
  const ancestors: Array<unknown> = []
  const path: Array<string | number> = []
  const search = (value: unknown): TreeStructureError | undefined => {
    const at = ancestors.indexOf(value)
    if (at >= 0) {
      return new TreeStructureError({
        operation,
        path: "",
        detail: `the tree is circular: the node at ${formatPath(path.slice(0, at)) || "the root"} contains itself (at ${
          formatPath(path)
        })`
      })
    }
    if (ancestors.length >= maxTreeDepth) {
      return new TreeStructureError({
        operation,
        path: "",
        detail: `the tree is nested deeper than ${maxTreeDepth} levels (at ${formatPath(path.slice(0, 12))}...)`
      })
    }
    ancestors.push(value)
    let children: ReturnType<typeof childrenOf>
    try {
      children = childrenOf(value, isLeaf)
    } catch (e) {
      if (!(e instanceof BadNode)) throw e
      return new TreeStructureError({ operation, path: "", detail: `${e.detail} (at ${formatPath(path)})` })
    }
    for (const [key, child] of children) {
      path.push(key)
      const found = search(child)
      path.pop()
      if (found !== undefined) return found
    }
    ancestors.pop()
    return undefined
  }
  return search(root) ?? new TreeStructureError({ operation, path: "", detail: "the tree is too deep" })
}

const flattenNode = (value: unknown, leaves: Array<unknown>, isLeaf: IsLeaf, depth: number): TreeDef => {
  if (isLeaf !== undefined && isLeaf(value)) {
    leaves.push(value)
    return leafDef
  }
  if (typeof value !== "object") {
    if (value === undefined) return undefinedDef
    if (callableNode(value) === undefined) {
      leaves.push(value)
      return leafDef
    }
  }
  if (value === null) return nullDef
  if (value instanceof Tensor) {
    leaves.push(value)
    return leafDef
  }
  if (Array.isArray(value)) {
    const n = value.length
    if (n === 0) return emptyArrayDef
    if (depth === maxTreeDepth) throw tooDeep
    const children = new Array<TreeDef>(n)
    for (let i = 0; i < n; i++) children[i] = flattenNode(value[i], leaves, isLeaf, depth + 1)
    return new TreeDef(ARRAY, children, undefined, undefined, undefined)
  }
  if (depth === maxTreeDepth) throw tooDeep
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    const keys = sortedKeys(value)
    const n = keys.length
    const children = new Array<TreeDef>(n)
    for (let i = 0; i < n; i++) {
      children[i] = flattenNode((value as Record<string, unknown>)[keys[i]!], leaves, isLeaf, depth + 1)
    }
    return new TreeDef(RECORD, children, keys, undefined, undefined)
  }
  const node = registry.get(proto.constructor)
  if (node === undefined) {
    leaves.push(value)
    return leafDef
  }
  // (a callable node reaches this point too: a function is neither an array nor a record)
  const raw = customChildren(node, value)
  const n = raw.length
  const children = new Array<TreeDef>(n)
  for (let i = 0; i < n; i++) children[i] = flattenNode(raw[i], leaves, isLeaf, depth + 1)
  return new TreeDef(CUSTOM, children, node.keys, node, node.aux === undefined ? undefined : node.aux(value))
}

/** Whether `value` is a leaf by itself: flattening it gives exactly itself. @internal */
export const isLeafValue = (value: unknown, isLeaf: IsLeaf): boolean => {
  if (isLeaf !== undefined && isLeaf(value)) return true
  if (value === null || value === undefined) return false
  if (typeof value !== "object") return callableNode(value) === undefined
  if (value instanceof Tensor) return true
  if (Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) return false
  return registry.get(proto.constructor) === undefined
}

/** Counts the leaves of `value` without building its structure. @internal */
export const countLeaves = (value: unknown, isLeaf: IsLeaf, operation = "Tree.numLeaves"): number => {
  try {
    return countNode(value, isLeaf, 0)
  } catch (e) {
    throw e === tooDeep || e instanceof BadNode ? walkError(operation, value, isLeaf) : e
  }
}

const countNode = (value: unknown, isLeaf: IsLeaf, depth: number): number => {
  if (isLeaf !== undefined && isLeaf(value)) return 1
  if (typeof value !== "object" && callableNode(value) === undefined) return value === undefined ? 0 : 1
  if (value === null) return 0
  if (value instanceof Tensor) return 1
  if (depth === maxTreeDepth) throw tooDeep
  if (Array.isArray(value)) {
    let n = 0
    for (let i = 0; i < value.length; i++) n += countNode(value[i], isLeaf, depth + 1)
    return n
  }
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    let n = 0
    for (const k in value) n += countNode((value as Record<string, unknown>)[k], isLeaf, depth + 1)
    return n
  }
  const node = registry.get(proto.constructor)
  if (node === undefined) return 1
  const raw = customChildren(node, value)
  let n = 0
  for (let i = 0; i < raw.length; i++) n += countNode(raw[i], isLeaf, depth + 1)
  return n
}

// Rebuilding a record by keyed stores walks V8 through a hidden-class transition per key
// (about 20 ns each); an object literal made by a generated function is built at once
// with its final shape (a 9-key record: ~200 ns -> ~30 ns). Key lists are compiled after
// they recur (compiling costs tens of microseconds), and never where `new Function` is
// unavailable (a Content-Security-Policy without 'unsafe-eval').
type RecordFactory = (values: ReadonlyArray<unknown>) => Record<string, unknown>
const COMPILE_AFTER_USES = 16
const recordFactories = new WeakMap<ReadonlyArray<string>, RecordFactory | number>()
let canCompile = true

const compileRecord = (keys: ReadonlyArray<string>): RecordFactory | undefined => {
  if (!canCompile || keys.includes("__proto__")) return undefined
  try {
    const body = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(", ")
    return new Function("v", `"use strict"; return { ${body} }`) as RecordFactory
  } catch {
    canCompile = false
    return undefined
  }
}

const makeRecord = (keys: ReadonlyArray<string>, values: ReadonlyArray<unknown>): Record<string, unknown> => {
  const cached = recordFactories.get(keys)
  if (typeof cached === "function") return cached(values)
  const uses = (cached ?? 0) + 1
  if (uses >= COMPILE_AFTER_USES) {
    const factory = compileRecord(keys)
    if (factory !== undefined) {
      recordFactories.set(keys, factory)
      return factory(values)
    }
  }
  // A key list that cannot be compiled is not tried again.
  recordFactories.set(keys, uses >= COMPILE_AFTER_USES ? -Infinity : uses)
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    // A JSON-parsed record may own a "__proto__" key; a plain store would set the prototype.
    if (k === "__proto__") {
      Object.defineProperty(out, k, { value: values[i], enumerable: true, writable: true, configurable: true })
    } else out[k] = values[i]
  }
  return out
}

/** A cursor over the leaves, so that rebuilding needs no closure. @internal */
interface Cursor {
  readonly leaves: ReadonlyArray<unknown>
  index: number
}

const build = (def: TreeDef, cursor: Cursor): unknown => {
  switch (def.kind) {
    case LEAF:
      return cursor.leaves[cursor.index++]
    case NULL:
      return null
    case UNDEFINED:
      return undefined
    case ARRAY: {
      const n = def.children.length
      const out = new Array<unknown>(n)
      for (let i = 0; i < n; i++) out[i] = build(def.children[i]!, cursor)
      return out
    }
    case RECORD: {
      const keys = def.keys!
      const n = keys.length
      const values = new Array<unknown>(n)
      for (let i = 0; i < n; i++) values[i] = build(def.children[i]!, cursor)
      return makeRecord(keys, values)
    }
    case CUSTOM: {
      const n = def.children.length
      const children = new Array<unknown>(n)
      for (let i = 0; i < n; i++) children[i] = build(def.children[i]!, cursor)
      return def.node!.fromChildren(children, def.aux)
    }
  }
}

/** @internal */
export const unflattenDef = (def: TreeDef, leaves: ReadonlyArray<unknown>): unknown => {
  if (leaves.length !== def.numLeaves) {
    throw new TreeStructureError({
      operation: "Tree.unflatten",
      path: "",
      detail: `${
        leaves.length < def.numLeaves ? "too few" : "too many"
      } leaves for ${def}; expected ${def.numLeaves}, got ${leaves.length}`
    })
  }
  if (def.kind === LEAF) return leaves[0]
  return build(def, { leaves, index: 0 })
}

// Node data is equal by value for primitives (NaN equal to itself), arrays and plain records
// (JAX compares aux data with `==`), by identity for everything else; `formatValue` prints
// exactly these distinctions.
const auxEquals = (a: unknown, b: unknown, depth = 0): boolean => {
  if (a === b || (a !== a && b !== b)) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth >= maxAuxDepth) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!auxEquals(a[i], b[i], depth + 1)) return false
    return true
  }
  if (Array.isArray(b) || !isPlainRecord(a) || !isPlainRecord(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) {
    const ra = a as Record<string, unknown>
    const rb = b as Record<string, unknown>
    if (!Object.hasOwn(b, k) || !auxEquals(ra[k], rb[k], depth + 1)) return false
  }
  return true
}

const keysEqual = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined): boolean => {
  if (a === b) return true
  if (a === undefined || b === undefined || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** @internal */
export const defEquals = (a: TreeDef, b: TreeDef): boolean => {
  if (a === b) return true
  if (a.kind !== b.kind || a.numLeaves !== b.numLeaves || a.children.length !== b.children.length) return false
  if (a.kind === RECORD && !keysEqual(a.keys, b.keys)) return false
  if (a.kind === CUSTOM && (a.node !== b.node || !auxEquals(a.aux, b.aux))) return false
  for (let i = 0; i < a.children.length; i++) if (!defEquals(a.children[i]!, b.children[i]!)) return false
  return true
}

const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (value === undefined) return "undefined"
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (value instanceof Tensor) return `a leaf (${summary(value)})`
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) {
      return `a record with keys ${JSON.stringify(sortedKeys(value))}`
    }
    const node = registry.get(proto.constructor)
    if (node !== undefined) return `an instance of ${node.name}`
    return `a leaf (${proto.constructor?.name ?? "object"})`
  }
  const callable = callableNode(value)
  return callable !== undefined ? `an instance of ${callable.name}` : `a leaf (${typeof value})`
}

const describeDef = (def: TreeDef): string => {
  switch (def.kind) {
    case LEAF:
      return "a leaf"
    case NULL:
      return "null"
    case UNDEFINED:
      return "undefined"
    case ARRAY:
      return `an array of length ${def.children.length}`
    case RECORD:
      return `a record with keys ${JSON.stringify(def.keys)}`
    case CUSTOM:
      return `an instance of ${def.node!.name}${def.aux === undefined ? "" : ` with node data ${formatAux(def.aux)}`}`
  }
}

const mismatch = (operation: string, path: Array<string | number>, def: TreeDef, value: unknown): never => {
  throw new TreeStructureError({
    operation,
    path: formatPath(path),
    detail: `expected ${describeDef(def)}, got ${describe(value)}`
  })
}

const auxMismatch = (
  operation: string,
  path: ReadonlyArray<string | number>,
  node: Registration,
  expected: unknown,
  got: unknown
): never => {
  const e = formatAux(expected)
  const g = formatAux(got)
  // Alike but for their identities: objects compared by identity (JAX's metadata of arrays).
  const sameButIdentity = e.replace(/#\d+/g, "") === g.replace(/#\d+/g, "")
  throw new TreeStructureError({
    operation,
    path: formatPath(path),
    detail: `${node.name} node data mismatch: expected ${e}, got ${g}${
      sameButIdentity
        ? " (node data other than primitives, arrays and plain records is compared by identity, and these are" +
          " different objects; a tensor belongs in a child, not in node data)"
        : ""
    }`
  })
}

/**
 * Cuts `value` at the leaves of `def`: one subtree of `value` per leaf of `def`.
 * `path` is mutated while walking and names the node of a mismatch.
 *
 * @internal
 */
export const flattenUpToInto = (
  operation: string,
  def: TreeDef,
  value: unknown,
  out: Array<unknown>,
  path: Array<string | number>
): void => {
  switch (def.kind) {
    case LEAF:
      out.push(value)
      return
    case NULL:
      if (value !== null) mismatch(operation, path, def, value)
      return
    case UNDEFINED:
      if (value !== undefined) mismatch(operation, path, def, value)
      return
    case ARRAY: {
      if (!Array.isArray(value) || value.length !== def.children.length) return mismatch(operation, path, def, value)
      for (let i = 0; i < value.length; i++) {
        path.push(i)
        flattenUpToInto(operation, def.children[i]!, value[i], out, path)
        path.pop()
      }
      return
    }
    case RECORD: {
      if (typeof value !== "object" || value === null || value instanceof Tensor || Array.isArray(value)) {
        return mismatch(operation, path, def, value)
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return mismatch(operation, path, def, value)
      const keys = def.keys!
      // Cached key orders make this an identity check for recurring records.
      const actual = sortedKeys(value)
      if (actual !== keys && !sameKeys(actual, keys)) return mismatch(operation, path, def, value)
      for (let i = 0; i < keys.length; i++) {
        path.push(keys[i]!)
        flattenUpToInto(operation, def.children[i]!, (value as Record<string, unknown>)[keys[i]!], out, path)
        path.pop()
      }
      return
    }
    case CUSTOM: {
      const node = def.node!
      if (
        (typeof value !== "object" && typeof value !== "function") || value === null ||
        Object.getPrototypeOf(value)?.constructor !== node.constructor
      ) {
        return mismatch(operation, path, def, value)
      }
      if (node.aux !== undefined) {
        const aux = node.aux(value)
        if (!auxEquals(aux, def.aux)) auxMismatch(operation, path, node, def.aux, aux)
      }
      let children: ReadonlyArray<unknown>
      try {
        children = customChildren(node, value)
      } catch (e) {
        if (!(e instanceof BadNode)) throw e
        throw new TreeStructureError({ operation, path: "", detail: `${e.detail} (at ${formatPath(path)})` })
      }
      if (children.length !== def.children.length) return mismatch(operation, path, def, value)
      for (let i = 0; i < children.length; i++) {
        path.push(def.keys?.[i] ?? i)
        flattenUpToInto(operation, def.children[i]!, children[i], out, path)
        path.pop()
      }
      return
    }
  }
}
