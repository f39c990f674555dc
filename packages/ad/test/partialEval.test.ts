/**
 * partialEvalProgram (JAX's partial_eval_jaxpr_nounits): the known half and the
 * unknown half, run one after the other, compute what the whole program
 * computes; the unknown half holds only equations that depend on an unknown
 * input.
 */
import { evalProgram, jit } from "@diffect/ad"
import { aval, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { partialEvalProgram } from "../src/internal/partialEval.js"
import { makeProgramFlat } from "../src/internal/staging.js"
import type { Program } from "../src/Program.js"
import { backend, js, run, tensor } from "./gradHelpers.js"

const evaluate = (p: Program, inputs: ReadonlyArray<Tensor>) =>
  withBackend(backend, () => evalProgram(p, p.consts, inputs))

/** Runs the known half on the known inputs, then the unknown half on residuals and unknown inputs. */
const split = (p: Program, inUnknown: ReadonlyArray<boolean>, inputs: ReadonlyArray<Tensor>, inst = false) => {
  const pe = partialEvalProgram(p, inUnknown, inst)
  const knownOut = evaluate(pe.known, inputs.filter((_, i) => !inUnknown[i]))
  const nKnown = knownOut.length - pe.residuals
  const unknownOut = evaluate(pe.unknown, [...knownOut.slice(nKnown), ...inputs.filter((_, i) => inUnknown[i])])
  let k = 0
  let u = 0
  const outs = pe.outUnknown.map((unk) => (unk ? unknownOut[u++]! : knownOut[k++]!))
  return { pe, outs }
}

// Every equation of the unknown half reads something the unknown half computes or an unknown input.
const onlyDependent = (pe: ReturnType<typeof partialEvalProgram>): boolean => {
  const fresh = new Set(pe.unknown.inputs.slice(pe.residuals))
  return pe.unknown.equations.every((eqn) => {
    const ok = eqn.inputs.some((v) => fresh.has(v))
    for (const v of eqn.outputs) fresh.add(v)
    return ok
  })
}

describe("partialEvalProgram", () => {
  const f = ([x, y]: ReadonlyArray<Tensor>) => [np.multiply(np.sin(x!), y!), np.add(np.cos(x!), 1), np.multiply(y!, y!)]
  const program = makeProgramFlat(f, [aval([3], "float32"), aval([3], "float32")])
  const inputs = [tensor([0.5, 1, 2]), tensor([3, -1, 0.25])]

  it("splits sin(x) * y with x known: sin and cos are known, sin(x) is the one residual", () => {
    const { outs, pe } = split(program, [false, true], inputs)
    assert.deepStrictEqual(pe.outUnknown, [true, false, true])
    assert.strictEqual(pe.residuals, 1)
    const known = pe.known.toString()
    assert.include(known, "sin")
    assert.include(known, "cos")
    assert.notInclude(pe.unknown.toString(), "sin")
    assert.notInclude(pe.unknown.toString(), "cos")
    assert.strictEqual(pe.known.inputs.length, 1)
    assert.deepStrictEqual(outs.map(js), evaluate(program, inputs).map(js))
  })

  it("with every input known the unknown half is empty; with every input unknown the known half is", () => {
    const allKnown = partialEvalProgram(program, [false, false])
    assert.strictEqual(allKnown.unknown.equations.length, 0)
    assert.deepStrictEqual(allKnown.outUnknown, [false, false, false])
    const allUnknown = partialEvalProgram(program, [true, true])
    assert.strictEqual(
      allUnknown.known.equations.filter((e) => e._tag === "PrimitiveEquation" && e.primitive !== "broadcast_in_dim")
        .length,
      0
    )
    assert.deepStrictEqual(allUnknown.outUnknown, [true, true, true])
  })

  it("instantiate makes known outputs come out of the unknown half (as residuals)", () => {
    const { outs, pe } = split(program, [false, true], inputs, true)
    assert.deepStrictEqual(pe.outUnknown, [true, true, true])
    assert.strictEqual(pe.residuals, 2) // sin(x), and cos(x) + 1 passed through
    assert.deepStrictEqual(outs.map(js), evaluate(program, inputs).map(js))
  })

  it("on random programs, known then unknown equals the whole program, bit for bit (fast-check)", () => {
    const unary = [np.sin, np.exp, np.negative, np.square, np.tanh]
    const binary = [np.add, np.multiply, np.subtract, np.maximum]
    const op = fc.tuple(fc.nat(unary.length + binary.length - 1), fc.nat(40), fc.nat(40))
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 10 }),
        fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
        fc.nat(5),
        (ops, mask, outPick) => {
          const g = (ins: ReadonlyArray<Tensor>) => {
            const values = [...ins]
            for (const [k, a, b] of ops) {
              const u = values[a % values.length]!
              const v = values[b % values.length]!
              values.push(k < unary.length ? unary[k]!(u) : binary[k - unary.length]!(u, v))
            }
            return [values[values.length - 1]!, values[outPick % values.length]!, values[0]!]
          }
          const p = makeProgramFlat(g, [aval([2], "float32"), aval([2], "float32"), aval([2], "float32")])
          const xs = [tensor([0.5, -1]), tensor([2, 0.25]), tensor([-0.75, 1.5])]
          const { outs, pe } = split(p, mask, xs)
          assert.deepStrictEqual(outs.map(js), evaluate(p, xs).map(js))
          assert.isTrue(onlyDependent(pe))
        }
      ),
      { numRuns: 80 }
    )
  })

  it("splits inside higher-order equations: a cond's and a jit_call's known work stays known (fast-check)", () => {
    const inner = jit(function inner(u: Tensor, v: Tensor) {
      return [np.sin(u), np.multiply(np.cos(u), v)] as const
    })
    const g = ([x, y, p]: ReadonlyArray<Tensor>) => {
      const [a, b] = run(inner(x!, y!))
      const c = lax.cond(
        np.greater(p!, 0),
        (u: Tensor, v: Tensor) => np.multiply(np.exp(u), v),
        (u: Tensor, v: Tensor) => np.add(np.tanh(u), v),
        a,
        b
      )
      return [c, np.add(a, b)]
    }
    const p = makeProgramFlat(g, [aval([2], "float32"), aval([2], "float32"), aval([], "float32")])
    fc.assert(
      fc.property(fc.tuple(fc.boolean(), fc.boolean()), fc.constantFrom(-1, 1), (mask, sign) => {
        const xs = [tensor([0.5, -1]), tensor([2, 0.25]), tensor(sign)]
        const { outs, pe } = split(p, [...mask, false], xs)
        assert.deepStrictEqual(outs.map(js), evaluate(p, xs).map(js))
        if (mask[0] === false) {
          // x known: sin and cos (inside the call) and exp / tanh (inside the branches) are all in the known half
          assert.notMatch(pe.unknown.toString(), /= (sin|cos|exp|tanh) /)
        }
      }),
      { numRuns: 12 }
    )
  })
})
