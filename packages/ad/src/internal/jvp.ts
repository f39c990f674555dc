/**
 * Forward-mode differentiation (JAX's `jvp`): a handler whose tracers carry a
 * primal value and a tangent. Tangents may be symbolic zeros (`null`): a value
 * lifted into the handler costs nothing, and rules skip zero terms, so eager
 * `jvp` pays only for the derivative work that is really there.
 *
 * @since 0.1.0
 */
import { bind, DTypeError, newLevel, Shape, ShapeError, Tracer, transformNameStack } from "@diffect/core"
import type { AbstractValue, CustomVmapHandler, Params, Primitive, Tensor } from "@diffect/core"
import { customJvpCall, customLin, customVjpCall } from "../Custom.js"
import type { CustomJvpCallee, CustomRuleHandler, CustomVjpCallee } from "../Custom.js"
import { customVmapCall } from "../CustomVmap.js"
import type { CustomVmapCallee } from "../CustomVmap.js"
import { CustomRuleError } from "../Errors.js"
import { evalProgram } from "../Program.js"
import type { Program } from "../Program.js"
import { jvpRules } from "../rules/jvp.js"
import type { JvpOfProgram, JvpRule } from "../rules/jvp.js"
import { moveAxis } from "./batchingAxes.js"
import { cachedByMask, maskKey } from "./programCache.js"
import { makeProgramFlat } from "./staging.js"
import { hasTrivialTangent, instantiate, tangentAval, zeroTangent } from "./tangents.js"
import { traceBatched } from "./vmap.js"

/**
 * A value traced by a JVP handler: a primal and its tangent (`null` is zero).
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export class JvpTracer extends Tracer {
  constructor(readonly handler: JvpHandler, readonly primal: Tensor, readonly tangent: Tensor | null) {
    super()
  }
  get aval(): AbstractValue {
    return this.primal.aval
  }
  override concreteValue(): Tensor {
    return this.primal
  }
}

/**
 * The JVP interpreter. Each instance has a fresh level, so a JVP started inside
 * another never confuses their tangents.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export class JvpHandler implements CustomRuleHandler, CustomVmapHandler {
  readonly level: number = newLevel()
  active = true
  constructor(readonly name: string) {}

  readonly lift = (value: Tensor): JvpTracer => new JvpTracer(this, value, null)

  /** Wraps a primal and its tangent, dropping float0 tangents to symbolic zeros. */
  pure(primal: Tensor, tangent: Tensor | null): JvpTracer {
    return new JvpTracer(this, primal, tangent !== null && tangent.dtype === "float0" ? null : tangent)
  }

  readonly process = <P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tracer>,
    params: Params<P>
  ): ReadonlyArray<Tensor> => {
    const n = operands.length
    const primals = new Array<Tensor>(n)
    const tangents = new Array<Tensor | null>(n)
    let live = false
    for (let i = 0; i < n; i++) {
      const x = operands[i] as JvpTracer
      primals[i] = x.primal
      const t = x.tangent
      tangents[i] = t
      if (t !== null) live = true
    }
    if (!live) {
      const outs = bind(primitive, primals, params)
      const m = outs.length
      const tracers = new Array<Tensor>(m)
      for (let j = 0; j < m; j++) tracers[j] = new JvpTracer(this, outs[j]!, null)
      return tracers
    }
    const [outs, outTangents] = (jvpRules[primitive] as JvpRule<P>)(primals, tangents, params, jvpProgram)
    const m = outs.length
    const tracers = new Array<Tensor>(m)
    for (let j = 0; j < m; j++) tracers[j] = new JvpTracer(this, outs[j]!, outTangents[j] ?? null)
    return tracers
  }

  /**
   * An output of a custom function run on unperturbed arguments: this handler's tracer when `f`
   * closes over one of its values (its tangent comes through the closure), else a constant.
   */
  private readonly own = (
    y: Tensor
  ): Tensor => (y instanceof JvpTracer && y.handler === this ? y : new JvpTracer(this, y, null))

  /**
   * JAX's `UnexpectedTracerError` for a custom rule that closes over a value this handler traces:
   * the rule runs on the primals, one level down, so such a value's tangent would be lost (the
   * gradient was silently 0) or mixed into the tangent's value.
   */
  private checkNoClosure(name: string, rule: string, values: ReadonlyArray<Tensor | null>): void {
    if (!values.some((v) => v instanceof JvpTracer && v.handler === this)) return
    throw new CustomRuleError({
      name,
      detail:
        `its ${rule} (or the function itself) closes over a value traced by ${this.name} (JAX's UnexpectedTracerError): the rule's outputs depend on a differentiated value that is not one of the function's arguments, whose tangent the rule cannot see. Pass that value as an argument (its tangent then reaches the rule).`
    })
  }

  readonly processCustomJvpCall = (
    callee: CustomJvpCallee,
    operands: ReadonlyArray<Tracer>
  ): ReadonlyArray<Tensor> => {
    const { primals, tangents } = unzipOperands(operands)
    if (tangents.every((t) => t === null)) return customJvpCall(callee, primals).map(this.own)
    const [outs, outTangents] = callee.jvp(primals, tangents.map((t, i) => instantiate(t, primals[i]!.aval)))
    this.checkNoClosure(callee.name, "JVP rule", [...outs, ...outTangents])
    if (outTangents.length !== outs.length) {
      throw new CustomRuleError({
        name: callee.name,
        detail: `the JVP rule gave ${outs.length} primal outputs but ${outTangents.length} tangent outputs`
      })
    }
    return outs.map((y, i) => this.pure(y, outTangents[i]!))
  }

  // JAX's `custom_vmap_jvp`: a custom-vmap call of the JVP, whose rule is the JVP of the rule
  // (`jvpOfVmapRule`), so that a vmap below still batches through the user's rule.
  readonly processCustomVmapCall = (
    callee: CustomVmapCallee,
    operands: ReadonlyArray<Tracer>
  ): ReadonlyArray<Tensor> => {
    const { primals, tangents } = unzipOperands(operands)
    if (tangents.every((t) => t === null)) return customVmapCall(callee, primals).map(this.own)
    const n = primals.length
    const jvpCallee: CustomVmapCallee = {
      name: callee.name,
      f: (all) => {
        const [ys, dys] = jvpFlat(callee.f, all.slice(0, n), all.slice(n))
        return [...ys, ...dys]
      },
      rule: (axisSize, inBatched, all) => jvpOfVmapRule(callee, axisSize, inBatched, all, n)
    }
    const outs = customVmapCall(jvpCallee, [...primals, ...tangents.map((t, i) => instantiate(t, primals[i]!.aval))])
    const m = outs.length / 2
    return outs.slice(0, m).map((y, i) => this.pure(y, outs[m + i]!))
  }

  readonly processCustomVjpCall = (
    callee: CustomVjpCallee,
    operands: ReadonlyArray<Tracer>
  ): ReadonlyArray<Tensor> => {
    const { primals, tangents } = unzipOperands(operands)
    if (tangents.every((t) => t === null)) return customVjpCall(callee, primals).map(this.own)
    const [outs, residuals] = callee.fwd(primals)
    this.checkNoClosure(callee.name, "VJP fwd rule", [...outs, ...residuals])
    const outTangents = customLin(callee, residuals, tangents, outs.map((y) => y.aval))
    return outs.map((y, i) => this.pure(y, outTangents[i]!))
  }
}

/** A custom call's operands (this handler's tracers) as primals and tangents (`null`: zero). */
const unzipOperands = (operands: ReadonlyArray<Tracer>) => ({
  primals: operands.map((x) => (x as JvpTracer).primal),
  tangents: operands.map((x) => (x as JvpTracer).tangent)
})

const sameType = (t: Tensor, a: AbstractValue): boolean => t.dtype === a.dtype && Shape.shapeEquals(t.shape, a.shape)

/**
 * Checks a tangent against its primal as `jax.jvp` does: equal shapes, and the
 * primal's tangent dtype (float0 for int/bool primals).
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const checkTangent = (operation: string, primal: Tensor, tangent: Tensor): void => {
  const expected = tangentAval(primal.aval)
  if (sameType(tangent, expected)) return
  if (!Shape.shapeEquals(tangent.shape, expected.shape)) {
    throw new ShapeError({
      operation,
      detail: `primal and tangent arguments must have equal shapes, got primal shape ${
        Shape.formatShape(primal.shape)
      } and tangent shape ${Shape.formatShape(tangent.shape)}`
    })
  }
  throw new DTypeError({
    operation,
    detail:
      `primal and tangent arguments must have equal dtypes (or float0 tangents for int/bool primals), got primal dtype ${primal.dtype} and tangent dtype ${tangent.dtype}`
  })
}

/**
 * Splits the outputs of a traced function into primals and tangents; an output
 * that is not one of `handler`'s tracers does not depend on the inputs.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const unzipOutputs = (
  handler: JvpHandler,
  outs: ReadonlyArray<Tensor>
): readonly [Array<Tensor>, Array<Tensor | null>] => {
  const primals = new Array<Tensor>(outs.length)
  const tangents = new Array<Tensor | null>(outs.length)
  for (let i = 0; i < outs.length; i++) {
    const y = outs[i]!
    if (y instanceof JvpTracer && y.handler === handler) {
      primals[i] = y.primal
      tangents[i] = y.tangent
    } else {
      primals[i] = y
      tangents[i] = null
    }
  }
  return [primals, tangents]
}

/**
 * Forward-mode derivative on flat lists (JAX's `jax.jvp` without pytrees):
 * evaluates `f` at `primals` and its directional derivative along `tangents`.
 * Tangents of int/bool primals are float0; output tangents of int/bool outputs
 * are float0 zeros.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import { jvpFlat } from "diffect/extend"
 * // sin(0) and cos(0)
 * const [[y], [dy]] = jvpFlat(([x]) => [lax.sin(x!)], [np.array(0)], [np.array(1)])
 * console.log(toJsSync([y!, dy!])) // [0, 1]
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const jvpFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>,
  tangents: ReadonlyArray<Tensor>
): readonly [ReadonlyArray<Tensor>, ReadonlyArray<Tensor>] => {
  if (primals.length !== tangents.length) {
    throw new ShapeError({
      operation: "jvp",
      detail: `expected as many tangents as primals, got ${tangents.length} tangents for ${primals.length} primals`
    })
  }
  primals.forEach((p, i) => checkTangent("jvp", p, tangents[i]!))
  const handler = new JvpHandler("jvp")
  let outs: ReadonlyArray<Tensor>
  try {
    // what f stages is named jvp(...) (JAX's transform_name_stack; not for a program's JVP, below)
    outs = transformNameStack(
      "jvp",
      () => f(primals.map((p, i) => handler.pure(p, hasTrivialTangent(p.aval) ? null : tangents[i]!)))
    )
  } finally {
    handler.active = false
  }
  const [ys, ts] = unzipOutputs(handler, outs)
  return [ys, ts.map((t, i) => t ?? zeroTangent(ys[i]!.aval))]
}

/**
 * The JVP of a program (JAX's `jvp_jaxpr`): staged by evaluating the program
 * under a fresh JVP handler inside a staging handler. See `JvpOfProgram`.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const jvpProgram: JvpOfProgram = (program, nonzero, instantiate) =>
  cachedByMask(
    jvpCache,
    program,
    `${maskKey(nonzero)}|${instantiate === undefined ? "" : maskKey(instantiate)}`,
    () => {
      const n = program.inputs.length
      let outNonzero: ReadonlyArray<boolean> = []
      const tangentAvals = program.inAvals.filter((_, i) => nonzero[i]).map(tangentAval)
      const staged = makeProgramFlat((ins) => {
        const handler = new JvpHandler("jvp")
        try {
          let k = n
          const tracers = ins.slice(0, n).map((p, i) => handler.pure(p, nonzero[i] ? ins[k++]! : null))
          const outs = evalProgram(program, program.consts, tracers)
          handler.active = false
          const [ys, ts0] = unzipOutputs(handler, outs)
          const ts = ts0.map((t, i) => (t === null && instantiate?.[i] === true ? zeroTangent(ys[i]!.aval) : t))
          outNonzero = ts.map((t) => t !== null)
          return [...ys, ...ts.filter((t): t is Tensor => t !== null)]
        } finally {
          handler.active = false
        }
      }, [...program.inAvals, ...tangentAvals])
      return { program: staged, outNonzero }
    }
  )

/**
 * The batching rule of a custom-vmap function's JVP (JAX's `jvp_of_rule_rule`): the rule's JVP
 * with the arguments batched in both their primal and tangent (`mutually`), vmapped over those
 * batched in only one of the two (the rule sees those as unbatched); an output is batched where
 * the rule batched it or where the vmap over the extra batched ones did.
 */
const jvpOfVmapRule = (
  callee: CustomVmapCallee,
  axisSize: number,
  inBatched: ReadonlyArray<boolean>,
  all: ReadonlyArray<Tensor>,
  n: number
): readonly [ReadonlyArray<Tensor>, ReadonlyArray<boolean>] => {
  const mutually = inBatched.slice(0, n).map((b, i) => b && inBatched[n + i]!)
  const extra = inBatched.map((b, i) => (b && !mutually[i % n]! ? 0 : null))
  let ruleBatched: ReadonlyArray<boolean> = []
  const toJvp = (ps: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const [outs, outBatched] = callee.rule(axisSize, mutually, ps)
    ruleBatched = outBatched
    return outs
  }
  const rs = traceBatched(
    { size: axisSize, name: undefined },
    (xs) => {
      const [ys, dys] = jvpFlat(toJvp, xs.slice(0, n), xs.slice(n))
      return [...ys, ...dys]
    },
    all,
    extra
  )
  const m = rs.length / 2
  const outs = rs.map((r) => (r![1] === null ? r![0] : moveAxis(r![0], r![1], 0)))
  return [outs, rs.map((r, i) => ruleBatched[i % m] === true || r![1] !== null)]
}

const jvpCache = new WeakMap<
  Program,
  Map<string, { readonly program: Program; readonly outNonzero: ReadonlyArray<boolean> }>
>()
