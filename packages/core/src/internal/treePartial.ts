/**
 * `Tree.partial`'s callable node (JAX's `jax.tree_util.Partial`): a function with some arguments
 * bound, whose bound arguments are its children and whose function is static data.
 *
 * @internal
 */
import { registerNode } from "./tree.js"

/**
 * The class whose prototype every `Tree.partial` function has: never constructed (a function made
 * with its prototype set is callable, as a constructed `Function` would not be without `eval`).
 */
export class Partial extends Function {
  /** The function the bound arguments are passed to, first, on each call. */
  declare readonly fn: (...args: Array<any>) => unknown
  /** The bound arguments: the node's children. */
  declare readonly args: ReadonlyArray<unknown>
  /**
   * `Function.prototype.bind` would make a function with this prototype but without `fn` and
   * `args` (a node whose children cannot be read): binding a `Partial` binds more arguments to a
   * new `Partial` instead (`this` is ignored, as the call never passes it).
   */
  override bind(_thisArg: unknown, ...more: Array<unknown>): Partial {
    return makePartial(this.fn, [...this.args, ...more])
  }
}

/** A callable `Partial` of `fn` with `args` bound. */
export const makePartial = (fn: (...args: Array<any>) => unknown, args: ReadonlyArray<unknown>): Partial => {
  const bound = [...args]
  const call = (...rest: Array<unknown>): unknown => fn(...bound, ...rest)
  Object.defineProperties(call, {
    name: { value: fn.name },
    fn: { value: fn },
    args: { value: bound }
  })
  Object.setPrototypeOf(call, Partial.prototype)
  return call as unknown as Partial
}

registerNode({
  name: "Partial",
  constructor: Partial,
  toChildren: (p: Partial) => p.args,
  fromChildren: (children, fn) => makePartial(fn as (...args: Array<any>) => unknown, children),
  // compared by identity: the same function object is the same structure (JAX's Partial hashes its func)
  aux: (p: Partial) => p.fn,
  keys: undefined
})
