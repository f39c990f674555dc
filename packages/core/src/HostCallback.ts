/**
 * A JS function a program calls back with its values: the parameter of the
 * `debug_callback` primitive (JAX's `debug_callback_p`, behind `debug.callback`
 * and `debug.print`) and of `pure_callback` (JAX's `pure_callback_p`, behind
 * `pureCallback`).
 *
 * @since 0.1.0
 */
import type { AbstractValue } from "./AbstractValue.js"
import { hostBackend, peekHost, withBackend } from "./Backend.js"
import type { HostArray } from "./DType.js"
import { BackendError } from "./Errors.js"
import type { Primitive } from "./Primitive.js"
import { ConcreteTensor, isTensor } from "./Tensor.js"
import type { Tensor } from "./Tensor.js"
import * as Tree from "./Tree.js"

/**
 * The callback of a `debug_callback` or `pure_callback` equation: `call` gets
 * one host tensor per operand and gives the equation's outputs (host tensors of
 * its declared types; none for `debug_callback`). Programs print it by its
 * name; equations compare it by identity.
 *
 * @since 0.1.0
 */
export class HostCallback {
  constructor(
    /** What programs print (`<callback name>`). */
    readonly name: string,
    /**
     * Called with host copies of the operands, in order, and the equation's output types
     * (batching changes them: `vmapMethod: "expand_dims"`); gives the outputs.
     */
    readonly call: (values: ReadonlyArray<Tensor>, resultAvals: ReadonlyArray<AbstractValue>) => ReadonlyArray<Tensor>
  ) {}
  toString(): string {
    return `<callback ${this.name}>`
  }
}

/**
 * The primitives that call back into JS (`debug_callback`, `pure_callback`,
 * `io_callback`): evaluated by reading their operands back (`callBackSteps`),
 * never at compile time.
 *
 * @since 0.1.0
 */
export const hostCallbackPrimitives: ReadonlySet<Primitive> = new Set<Primitive>([
  "debug_callback",
  "pure_callback",
  "io_callback"
])

/**
 * `t`'s data in host memory where it can be read now (its own storage: not to
 * be kept or written), else `undefined` (an asynchronous backend, or a tracer).
 *
 * @since 0.1.0
 */
export const hostView = (t: Tensor): HostArray | undefined => {
  if (!(t instanceof ConcreteTensor)) return undefined
  const buffer = t.buffer
  return t.host ?? (buffer === undefined ? undefined : peekHost(buffer, t.aval))
}

/**
 * A host copy of `t`'s data where it can be read now, else `undefined`.
 *
 * @since 0.1.0
 */
export const hostNow = (t: Tensor): HostArray | undefined => hostView(t)?.slice()

const hostTensor = (aval: AbstractValue, host: HostArray): Tensor => new ConcreteTensor(aval, host, undefined)

/**
 * Calls `callback` with host copies of `operands` and gives its outputs, as
 * steps: an operand the
 * backend reads only asynchronously (WebGPU) is read by yielding
 * `readLater(operand)`, resumed with its host data (the way a jitted
 * `whileLoop` reads its predicate). Without `readLater`, such an operand is a
 * `BackendError`.
 *
 * @since 0.1.0
 */
export function* callBackSteps(
  callback: HostCallback,
  operands: ReadonlyArray<Tensor>,
  resultAvals: ReadonlyArray<AbstractValue>,
  readLater?: (x: Tensor) => unknown
): Generator<unknown, ReadonlyArray<Tensor>, unknown> {
  const values: Array<Tensor> = []
  for (const t of operands) {
    let host = hostNow(t)
    if (host === undefined && readLater !== undefined) host = ((yield readLater(t)) as HostArray).slice()
    if (host === undefined) {
      throw new BackendError({
        backend: t instanceof ConcreteTensor ? t.buffer?.backend.name ?? "none" : "none",
        detail:
          `${callback}: this backend reads values back only asynchronously, and a host callback outside jit reads them at once: call it inside jit (whose programs wait for the read)`
      })
    }
    values.push(hostTensor(t.aval, host))
  }
  // the callback's own eager operations run on the CPU backend where there is one (JAX runs
  // callbacks with its CPU device as the default), so it can read what it computes
  const cpu = hostBackend()
  return cpu === undefined
    ? callback.call(values, resultAvals)
    : withBackend(cpu, () => callback.call(values, resultAvals))
}

/**
 * Arguments split into their tensor leaves at any depth (`tensors`, at leaf
 * `positions` of the flattened arguments: a staged call's operands) and
 * `rebuild`, which puts values in their places and gives the arguments back,
 * the other leaves as given (`"keep"`) or `null` (`"null"`). Host callbacks
 * and the custom-rule builders split their arguments this way.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * import { splitTensorLeaves } from "diffect/extend"
 * const { positions, rebuild, tensors } = splitTensorLeaves([np.array(1), { n: 3, x: np.array(2) }])
 * console.log(tensors.length, positions) // 2 [0, 2]
 * const [a, { n, x }] = rebuild([np.array(5), np.array(6)], "null") as [unknown, { n: unknown; x: unknown }]
 * console.log(toJsSync(a as never), n, toJsSync(x as never)) // 5 null 6
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const splitTensorLeaves = (args: ReadonlyArray<unknown>): {
  readonly tensors: ReadonlyArray<Tensor>
  readonly positions: ReadonlyArray<number>
  readonly rebuild: (values: ReadonlyArray<unknown>, others?: "keep" | "null") => Array<unknown>
} => {
  const [leaves, def] = Tree.flatten([...args])
  const positions: Array<number> = []
  const tensors: Array<Tensor> = []
  leaves.forEach((leaf, i) => {
    if (isTensor(leaf)) {
      positions.push(i)
      tensors.push(leaf)
    }
  })
  const rebuild = (values: ReadonlyArray<unknown>, others: "keep" | "null" = "keep"): Array<unknown> => {
    const merged: Array<unknown> = others === "keep" ? [...leaves] : leaves.map(() => null)
    positions.forEach((i, k) => (merged[i] = values[k]))
    return Tree.unflatten<Array<unknown>>(def, merged)
  }
  return { tensors, positions, rebuild }
}
