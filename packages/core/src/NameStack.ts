/**
 * Name stacks (JAX's `source_info_util.NameStack`): the scopes a staged
 * equation was made in, and the transformations around them, so that a
 * program says which part of the user's code each equation came from
 * (`namedScope`, `namedCall`).
 *
 * A stack is a list of scopes and transformations. Printed, a transformation
 * wraps the first scope entered inside it: `foo/vmap(bar)/baz` is scope `foo`,
 * then `vmap`, then scopes `bar` and `baz`; `transpose(jvp(foo))` is a
 * backward pass over the linear part of an equation made in `foo` under `jvp`.
 * A staging handler stores each equation's stack relative to where its trace
 * began (a jitted function's equations do not repeat the caller's scopes), and
 * an interpreter that runs a program's equations again (a transformation of a
 * program) runs each inside its stack, so transformed programs keep the names.
 *
 * The current stack is dynamic state set around synchronous code, as the
 * dynamic handler is (`withDynamicHandler`). A scope whose function returns an
 * Effect (a transformation, a jitted call) holds for that Effect too: the
 * stack is provided to it as `ScopedNameStack`, which the transformations set
 * as the current stack while they run.
 *
 * @since 0.1.0
 */
import { Context, Effect } from "effect"
import { ArgumentError } from "./Errors.js"
import { checkOptions, string } from "./Validate.js"

/**
 * One entry of a name stack: a scope the user named, or a transformation.
 *
 * @category Name stacks
 * @since 0.1.0
 */
export interface NameStackEntry {
  readonly kind: "scope" | "transform"
  readonly name: string
}

/**
 * An immutable name stack (JAX's `NameStack`). `toString()` prints it as JAX
 * does: scopes joined by `/`, each transformation wrapping the scope that
 * follows it (`vmap(bar)`), or nothing (`jvp()`).
 *
 * @example
 * import { NameStack } from "diffect"
 * const stack = NameStack.empty.extend("foo").transform("vmap").extend("bar").extend("baz")
 * console.log(String(stack)) // foo/vmap(bar)/baz
 * console.log(String(NameStack.empty.transform("transpose").transform("jvp").extend("foo"))) // transpose(jvp(foo))
 *
 * @category Name stacks
 * @since 0.1.0
 */
export class NameStack {
  /** The stack with no entries. */
  static readonly empty: NameStack = new NameStack([])

  private constructor(readonly entries: ReadonlyArray<NameStackEntry>) {}

  get length(): number {
    return this.entries.length
  }

  /** This stack with scope `name` entered. */
  extend(name: string): NameStack {
    return new NameStack([...this.entries, { kind: "scope", name }])
  }

  /** This stack inside transformation `name` (`"jvp"`, `"vmap"`, `"transpose"`). */
  transform(name: string): NameStack {
    return new NameStack([...this.entries, { kind: "transform", name }])
  }

  /** This stack followed by `other`'s entries. */
  concat(other: NameStack): NameStack {
    if (other.entries.length === 0) return this
    if (this.entries.length === 0) return other
    return new NameStack([...this.entries, ...other.entries])
  }

  /** The entries from `start` on. */
  slice(start: number): NameStack {
    if (start <= 0) return this
    return start >= this.entries.length ? NameStack.empty : new NameStack(this.entries.slice(start))
  }

  toString(): string {
    // innermost first: a transformation wraps what was entered right after it
    const parts: Array<string> = []
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const { kind, name } = this.entries[i]!
      if (kind === "scope") parts.push(name)
      else if (parts.length > 0) parts[parts.length - 1] = `${name}(${parts[parts.length - 1]})`
      else parts.push(`${name}()`)
    }
    return parts.reverse().join("/")
  }
}

let current: NameStack = NameStack.empty

/**
 * The name stack now.
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const currentNameStack = (): NameStack => current

/**
 * Runs `thunk` with `stack` as the current name stack.
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const withNameStack = <A>(stack: NameStack, thunk: () => A): A => {
  const saved = current
  current = stack
  try {
    return thunk()
  } finally {
    current = saved
  }
}

/**
 * Runs `thunk` inside transformation `name`: what it stages is named
 * `name(...)` (JAX's `transform_name_stack`).
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const transformNameStack = <A>(name: string, thunk: () => A): A => withNameStack(current.transform(name), thunk)

/**
 * Runs `thunk` inside the stack of an equation being run again: the current
 * stack followed by the equation's (a program's equations store their stacks
 * relative to the program).
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const withEquationNameStack = <A>(stack: NameStack | undefined, thunk: () => A): A =>
  stack === undefined || stack.length === 0 ? thunk() : withNameStack(current.concat(stack), thunk)

/**
 * A generator run step by step inside `stack`: the stack is current while the
 * generator runs and restored whenever it yields (so that code running between
 * its steps, another fiber, does not see it); what it yields and what it is
 * sent pass through.
 *
 * @category Name stacks
 * @since 0.1.0
 */
export function* withNameStackSteps<Y, A>(
  stack: NameStack,
  steps: Generator<Y, A, unknown>
): Generator<Y, A, unknown> {
  let input: unknown = undefined
  let thrown = false
  let done = false
  try {
    while (true) {
      const send = input
      const fail = thrown
      const next = withNameStack(stack, () => (fail ? steps.throw(send) : steps.next(send)))
      if (next.done === true) {
        done = true
        return next.value
      }
      try {
        input = yield next.value
        thrown = false
      } catch (e) {
        input = e
        thrown = true
      }
    }
  } finally {
    // stopped from outside (an interruption): close the inner generator inside the stack too
    if (!done) withNameStack(stack, () => steps.return(undefined as never))
  }
}

/**
 * The name stack an Effect was scoped with (`namedScope` around a function
 * that returns an Effect): a transformation run in such a context stages
 * inside it. `undefined`: the current stack as it is.
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const ScopedNameStack: Context.Reference<NameStack | undefined> = Context.Reference<NameStack | undefined>(
  "diffect/ScopedNameStack",
  { defaultValue: () => undefined }
)

// A scope's function called: its result, an Effect scoped with the stack when it is one.
const inScope = <A>(stack: NameStack, thunk: () => A): A => {
  const out = withNameStack(stack, thunk)
  return Effect.isEffect(out) ? Effect.provideService(out, ScopedNameStack, stack) as A : out
}

/**
 * `withEquationNameStack` for a generator driven by steps: the generator itself
 * when the equation has no stack, else run inside the current stack followed by
 * the equation's (see `withNameStackSteps`).
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const withEquationNameStackSteps = <Y, A>(
  stack: NameStack | undefined,
  steps: Generator<Y, A, unknown>
): Generator<Y, A, unknown> =>
  stack === undefined || stack.length === 0 ? steps : withNameStackSteps(current.concat(stack), steps)

const checkName = (operation: string, name: unknown): string => {
  if (typeof name !== "string") {
    throw new ArgumentError({
      operation,
      argument: "name",
      expected: "a string",
      got: name === null ? "null" : typeof name
    })
  }
  return name
}

/**
 * Runs `thunk` in a scope named `name` (JAX's `jax.named_scope`): the
 * equations staged while it runs (under `jit`, `makeProgram`, a transformation
 * of them) carry the name, and nested scopes join it with `/`. Printing a
 * program with `{ nameStack: true }` shows each equation's stack, as
 * `jaxpr.pretty_print(name_stack=True)` does. When the thunk returns an Effect
 * (a transformation such as `jvp(f, ...)`, a jitted call), the scope holds for
 * that Effect as well.
 *
 * @example
 * import { makeProgram, namedScope, np, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const f = (x: Tensor) => namedScope("layer", () => np.tanh(x))
 * const program = runSync(makeProgram(f)(np.ones([3])))
 * console.log(program.toString({ nameStack: true }))
 * // { lambda ; a:f32[3]. let
 * //     b:f32[3] = tanh a  # [layer]
 * //   in (b,) }
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const namedScope = <A>(name: string, thunk: () => A): A =>
  inScope(current.extend(checkName("namedScope", name)), thunk)

/**
 * `f` with its body in a scope named `name` (default: `f`'s own name), JAX's
 * `jax.named_call`.
 *
 * @example
 * import { makeProgram, namedCall, np, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const layer = namedCall(function dense(x: Tensor) {
 *   return np.tanh(x)
 * })
 * const program = runSync(makeProgram(layer)(np.ones([2])))
 * console.log(String(program.equations[0]!.nameStack)) // dense
 *
 * @category Name stacks
 * @since 0.1.0
 */
export const namedCall = <Args extends ReadonlyArray<unknown>, R>(
  f: (...args: Args) => R,
  options?: { readonly name?: string }
): (...args: Args) => R => {
  if (typeof f !== "function") {
    throw new ArgumentError({ operation: "namedCall", argument: "f", expected: "a function", got: typeof f })
  }
  checkOptions("namedCall", options, { name: string })
  const name = options?.name ?? (f.name.length > 0 ? f.name : "<anonymous>")
  const named = (...args: Args): R => inScope(current.extend(name), () => f(...args))
  // the wrapper keeps the name (a jitted namedCall is the jit_call of that name), as functools.wraps does
  Object.defineProperty(named, "name", { value: name })
  return named
}
