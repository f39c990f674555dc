/**
 * Inlining of `jit_call` equations (JAX inlines nested `pjit`s when it lowers
 * a program) and of custom-rule calls whose function is staged (JAX lowers
 * `custom_jvp_call`/`custom_vjp_call` as their call jaxpr: a compiled program
 * is only evaluated, so the rules are not needed there): a compiled program is
 * one flat DAG, so simplification and fusion see across call boundaries (a
 * softmax's max, exp, sum and division fuse instead of running one by one).
 * Each inlined body gets fresh variables (the same jitted function called twice
 * inlines its program twice), and its equations' name stacks continue the
 * call's: `foo/jit(f)/bar` for an equation in scope `bar` of a function `f`
 * jitted and called in scope `foo` (as JAX's lowering names them).
 */
import { NameStack } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { CustomEquation, Equation } from "../Program.js"
import { Program, Var } from "../Program.js"

// A staged custom call's function (core's Staging records it as the call's body), when it can stand
// for the call: the same inputs and outputs. (customVjp's linear part has no body to run forwards.)
const customBody = (eqn: CustomEquation): Program | undefined => {
  const body = eqn.body
  if (body === undefined || eqn.transposeBody !== true) return undefined
  const same = (a: ReadonlyArray<Var>, b: ReadonlyArray<Var>) =>
    a.length === b.length &&
    a.every((v, i) => v.aval.dtype === b[i]!.aval.dtype && v.aval.shape.join() === b[i]!.aval.shape.join())
  return same(body.inputs, eqn.inputs) && same(body.outputs, eqn.outputs) ? body : undefined
}

// What an inlined body's equations are named under: the call's stack, then the call.
const callStack = (eqn: Equation): NameStack => {
  const outer = eqn.nameStack ?? NameStack.empty
  if (eqn._tag === "CustomEquation") return outer.extend(eqn.name.slice(0, eqn.name.indexOf(":")))
  return outer.extend(`jit(${(eqn.params as { readonly name?: string }).name ?? "<lambda>"})`)
}

// The body an equation is inlined as, if any.
const callBody = (eqn: Equation): Program | undefined =>
  eqn._tag === "PrimitiveEquation"
    ? eqn.primitive === "jit_call" ? (eqn.params as { readonly program: Program }).program : undefined
    : customBody(eqn)

/**
 * `program` with every `jit_call` and staged custom call (at any depth) replaced by its body; the
 * same program when there is none.
 */
export const inlineCalls = (program: Program): Program => {
  if (!program.equations.some((e) => callBody(e) !== undefined)) return program
  const constVars = [...program.constVars]
  const consts = [...program.consts]
  const equations: Array<Equation> = []
  const subst = new Map<Var, Var>()
  const look = (v: Var): Var => subst.get(v) ?? v
  const emit = (eqns: ReadonlyArray<Equation>): void => {
    for (const eqn of eqns) {
      const called = callBody(eqn)
      if (called !== undefined) {
        const body = inlineCalls(called)
        const stack = callStack(eqn)
        body.constVars.forEach((v, i) => {
          const fresh = new Var(v.aval)
          constVars.push(fresh)
          consts.push(body.consts[i] as Tensor)
          subst.set(v, fresh)
        })
        body.inputs.forEach((v, i) => subst.set(v, look(eqn.inputs[i]!)))
        // fresh variables for the body's equations, then the call's outputs name the body's outputs
        const renamed = body.equations.map((e) => {
          const outputs = e.outputs.map((o) => new Var(o.aval))
          const inputs = e.inputs.map(look)
          e.outputs.forEach((o, j) => subst.set(o, outputs[j]!))
          return { ...e, inputs, outputs, nameStack: stack.concat(e.nameStack ?? NameStack.empty) } as Equation
        })
        equations.push(...renamed)
        eqn.outputs.forEach((o, j) => subst.set(o, look(body.outputs[j]!)))
        continue
      }
      equations.push({ ...eqn, inputs: eqn.inputs.map(look) } as Equation)
    }
  }
  emit(program.equations)
  return new Program(constVars, consts, program.inputs, equations, program.outputs.map(look))
}
