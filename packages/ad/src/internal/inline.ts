/**
 * Inlining of `jit_call` equations (JAX inlines nested `pjit`s when it lowers
 * a program): a compiled program is one flat DAG, so simplification and fusion
 * see across call boundaries. Each inlined body gets fresh variables (the same
 * jitted function called twice inlines its program twice).
 */
import type { Tensor } from "@diffect/core"
import type { Equation } from "../Program.js"
import { Program, Var } from "../Program.js"

/** `program` with every `jit_call` (at any depth) replaced by its body; the same program when there is none. */
export const inlineCalls = (program: Program): Program => {
  if (!program.equations.some((e) => e._tag === "PrimitiveEquation" && e.primitive === "jit_call")) return program
  const constVars = [...program.constVars]
  const consts = [...program.consts]
  const equations: Array<Equation> = []
  const subst = new Map<Var, Var>()
  const look = (v: Var): Var => subst.get(v) ?? v
  const emit = (eqns: ReadonlyArray<Equation>): void => {
    for (const eqn of eqns) {
      if (eqn._tag === "PrimitiveEquation" && eqn.primitive === "jit_call") {
        const body = inlineCalls((eqn.params as { readonly program: Program }).program)
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
          return { ...e, inputs, outputs } as Equation
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
