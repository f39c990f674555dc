/**
 * Random compositions of primitives (fan-out, symbolic zeros, stop_gradient,
 * shape ops), in float64: JVP against central finite differences, VJP against
 * JVP, linearize against JVP, and the symmetry of the Hessian (`<u, H v> = <v, H u>`)
 * computed forward over reverse and reverse over reverse.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, linearizeFlat, vjpFlat } from "../src/index.js"
import { tensor, values } from "./finiteDifferencesUtil.js"

type Expr =
  | { readonly op: "x" | "y" }
  | {
    readonly op: "sin" | "tanh" | "square" | "softplus" | "cumsum" | "rev" | "stop" | "sum" | "mix"
    readonly a: Expr
  }
  | { readonly op: "add" | "sub" | "mul" | "max" | "select" | "atan2"; readonly a: Expr; readonly b: Expr }

const unaryOps = ["sin", "tanh", "square", "softplus", "cumsum", "rev", "stop", "sum", "mix"] as const
const binaryOps = ["add", "sub", "mul", "max", "select", "atan2"] as const

const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "medium", withCrossShrink: true },
    fc.constantFrom<Expr>({ op: "x" }, { op: "y" }),
    fc.record({ op: fc.constantFrom(...unaryOps), a: tie("expr") }) as fc.Arbitrary<Expr>,
    fc.record({ op: fc.constantFrom(...binaryOps), a: tie("expr"), b: tie("expr") }) as fc.Arbitrary<Expr>
  )
})).expr

const N = 3
const matrix = tensor([0.5, -1, 0.25, 2, 0.1, -0.3, 0.7, 0.2, -0.6], [N, N])
const pred = tensor([1, 0, 1], [N], "bool")
const full = (v: number) => lax.full([N], v, "float64")

// `stop` nodes record their value in `frozen` at the base point, and finite
// differences reuse it: a stopped value is a constant, so it must not move.
let frozen: Map<Expr, Tensor> | undefined
let recording = false

const evaluate = (e: Expr, x: Tensor, y: Tensor): Tensor => {
  switch (e.op) {
    case "x":
      return x
    case "y":
      return y
    case "sin":
      return lax.sin(evaluate(e.a, x, y))
    case "tanh":
      return lax.tanh(evaluate(e.a, x, y))
    case "square":
      return lax.integerPow(lax.tanh(evaluate(e.a, x, y)), 2)
    case "softplus":
      return lax.log1p(lax.exp(lax.tanh(evaluate(e.a, x, y))))
    case "cumsum":
      return lax.cumsum(evaluate(e.a, x, y), 0)
    case "rev":
      return lax.rev(evaluate(e.a, x, y), [0])
    case "stop": {
      const fixed = recording ? undefined : frozen?.get(e)
      const inner = fixed ?? lax.stopGradient(evaluate(e.a, x, y))
      if (recording) frozen!.set(e, inner)
      return lax.mul(inner, full(0.5))
    }
    case "sum":
      return lax.broadcastInDim(lax.reduceSum(evaluate(e.a, x, y), [0]), [N], [])
    case "mix":
      return lax.dotGeneral(matrix, evaluate(e.a, x, y), [[1], [0]])
    case "add":
      return lax.add(evaluate(e.a, x, y), evaluate(e.b, x, y))
    case "sub":
      return lax.sub(evaluate(e.a, x, y), evaluate(e.b, x, y))
    case "mul":
      return lax.mul(evaluate(e.a, x, y), evaluate(e.b, x, y))
    case "max":
      // a smooth stand-in with the same rule: max against a far-away constant
      return lax.max(evaluate(e.a, x, y), lax.add(lax.tanh(evaluate(e.b, x, y)), full(-5)))
    case "select":
      return lax.select(pred, evaluate(e.a, x, y), evaluate(e.b, x, y))
    case "atan2":
      return lax.atan2(evaluate(e.a, x, y), lax.add(lax.integerPow(evaluate(e.b, x, y), 2), full(1)))
  }
}

const vec = fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: N, maxLength: N })
const H = 1e-6
// Within tol * (1 + |b|); a NaN is never close.
const close = (a: number, b: number, tol: number) => Close.isClose(a, b, { rtol: tol, atol: tol, equalNan: false })
const dot = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => a.reduce((s, v, i) => s + v * b[i]!, 0)

describe("random compositions (float64)", () => {
  it("jvp matches finite differences; vjp and linearize match jvp", () => {
    const details = fc.check(
      fc.property(exprArb, vec, vec, vec, vec, vec, (e, xv, yv, tx, ty, ct) => {
        const f = ([x, y]: ReadonlyArray<Tensor>) => [evaluate(e, x!, y!)]
        const primals = [tensor(xv), tensor(yv)]
        const tangents = [tensor(tx), tensor(ty)]
        const [[out], [tout]] = jvpFlat(f, primals, tangents)
        frozen = new Map()
        recording = true
        f([tensor(xv), tensor(yv)])
        recording = false
        const at = (s: number) =>
          values(f([tensor(xv.map((v, i) => v + s * H * tx[i]!)), tensor(yv.map((v, i) => v + s * H * ty[i]!))])[0]!)
        const plus = at(1)
        const minus = at(-1)
        frozen = undefined
        const jv = values(tout!)
        jv.forEach((v, i) => {
          if (!close(v, (plus[i]! - minus[i]!) / (2 * H), 1e-5)) throw new Error(`jvp ${jv} vs fd at ${i}`)
        })
        const [ys, vjpFn] = vjpFlat(f, primals)
        assert.deepStrictEqual(values(ys[0]!), values(out!))
        const [gx, gy] = vjpFn([tensor(ct)])
        const lhs = dot(ct, jv)
        const rhs = dot(values(gx!), tx) + dot(values(gy!), ty)
        if (!close(lhs, rhs, 1e-9)) throw new Error(`<ct, jvp t> = ${lhs}, <vjp ct, t> = ${rhs}`)
        const [, jvpFn] = linearizeFlat(f, primals)
        values(jvpFn(tangents)[0]!).forEach((v, i) => {
          if (!close(v, jv[i]!, 1e-12)) throw new Error(`linearize ${v} vs jvp ${jv[i]}`)
        })
      }),
      { numRuns: 60 }
    )
    assert.isFalse(details.failed, fc.defaultReportMessage(details) ?? "")
  })

  it("the Hessian of sum(f) is symmetric, forward over reverse and reverse over reverse", () => {
    const details = fc.check(
      fc.property(exprArb, vec, vec, vec, (e, xv, u, w) => {
        const yv = [0.3, -0.2, 0.9]
        const loss = (x: Tensor) => lax.reduceSum(evaluate(e, x, tensor(yv)), [0])
        const grad = (x: Tensor) => {
          const [, vjpFn] = vjpFlat(([a]) => [loss(a!)], [x])
          return vjpFn([lax.full([], 1, "float64")])[0]!
        }
        const x = tensor(xv)
        // forward over reverse: H u and H w
        const hvp = (v: ReadonlyArray<number>) => values(jvpFlat(([a]) => [grad(a!)], [x], [tensor(v)])[1][0]!)
        const hu = hvp(u)
        const hw = hvp(w)
        if (!close(dot(w, hu), dot(u, hw), 1e-8)) throw new Error(`w.Hu = ${dot(w, hu)} but u.Hw = ${dot(u, hw)}`)
        // reverse over reverse: u^T H, compared with H u (H symmetric)
        const [, vjpG] = vjpFlat(([a]) => [grad(a!)], [x])
        const uh = values(vjpG([tensor(u)])[0]!)
        uh.forEach((v, i) => {
          if (!close(v, hu[i]!, 1e-8)) throw new Error(`u^T H ${uh} vs H u ${hu}`)
        })
      }),
      { numRuns: 40 }
    )
    assert.isFalse(details.failed, fc.defaultReportMessage(details) ?? "")
  })
})
