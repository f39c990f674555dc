/**
 * checkpoint (jax.checkpoint / remat) and its policies: the same values and
 * derivatives as without it (jvp, grad, vmap, second order, jit), the policy
 * deciding what the forward pass keeps, and the memory it saves: the bytes of
 * the residuals a 1,000-step scan keeps between the forward and the backward
 * pass (the constants of its linear program), with and without checkpoint.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { jvpFlat, linearizeFlat } from "../src/index.js"
import { jit } from "../src/Jit.js"
import { checkpoint, checkpointName, checkpointPolicies } from "../src/Remat.js"
import { vmap } from "../src/Vmap.js"
import { grad, tensor, values } from "./finiteDifferencesUtil.js"
import { run } from "./vmapSupport.js"

const { assertClose } = Close

const sum = (x: Tensor) => lax.reduceSum(x, x.shape.map((_, i) => i))
const c = (v: number, shape: ReadonlyArray<number> = []) => lax.full(shape, v, "float64")
const cell = (w: Tensor, h: Tensor) => lax.tanh(lax.sin(checkpointName(lax.dotGeneral(h, w, [[0], [0]]), "pre")))
const policies = [
  ["nothingSaveable", checkpointPolicies.nothingSaveable],
  ["dotsSaveable", checkpointPolicies.dotsSaveable],
  ["saveOnlyTheseNames", checkpointPolicies.saveOnlyTheseNames("pre")],
  ["everythingSaveable", checkpointPolicies.everythingSaveable]
] as const

describe("checkpoint: the same values and derivatives", () => {
  it("an option checkpoint does not take is an ArgumentError when it is made (a misspelled policy was the default)", () => {
    const f = (x: Tensor) => lax.sin(x)
    assert.throws(
      () => checkpoint(f, { polcy: checkpointPolicies.everythingSaveable } as never),
      /checkpoint: options .*unknown key "polcy"/
    )
    assert.throws(() => checkpoint(f, [] as never), /checkpoint: options .*an array/)
  })
  const w = tensor(Array.from({ length: 9 }, (_, i) => Math.sin(i + 1) * 0.6), [3, 3])
  const h0 = tensor([0.3, -0.2, 0.5])
  const plain = (v: Tensor) => sum(cell(v, cell(v, h0)))
  for (const [name, policy] of policies) {
    it(`${name}: value, jvp, grad, second order, vmap and jit agree with the plain function`, () => {
      const block = checkpoint(cell, { policy })
      const f = (v: Tensor) => sum(block(v, block(v, h0)))
      assertClose(values(f(w)), values(plain(w)), 1e-14)
      const t = tensor(Array.from({ length: 9 }, (_, i) => Math.cos(i)), [3, 3])
      const [, [d1]] = jvpFlat(([v]) => [f(v!)], [w], [t])
      const [, [d2]] = jvpFlat(([v]) => [plain(v!)], [w], [t])
      assertClose(values(d1!), values(d2!), 1e-13)
      assertClose(values(grad(f)(w)), values(grad(plain)(w)), 1e-13)
      const hv = (g: (v: Tensor) => Tensor) => jvpFlat(([v]) => [grad(g)(v!)], [w], [t])[1][0]!
      assertClose(values(hv(f)), values(hv(plain)), 1e-12)
      const ws = lax.concatenate([lax.expandDims(w, [0]), lax.expandDims(lax.neg(w), [0])], 0)
      assertClose(values(run(vmap(f)(ws))), [...values(plain(w)), ...values(plain(lax.neg(w)))], 1e-14)
      assertClose(values(run(jit(grad(f))(w)) as Tensor), values(grad(plain)(w)), 1e-13)
    })
  }
  it("JAX's saveFromBothPolicies and aliases; preventCse takes a boolean per argument", () => {
    const both = checkpointPolicies.saveFromBothPolicies(
      checkpointPolicies.saveOnlyTheseNames("pre"),
      checkpointPolicies.dotsSaveable
    )
    assert.strictEqual(String(both), "save_from_both_policies(save_only_these_names(pre), dots_saveable)")
    assert.isTrue(both.saveable("dot_general", { batch: [[], []] } as never))
    assert.isTrue(both.saveable("checkpoint_name", { name: "pre" } as never))
    assert.isFalse(both.saveable("sin", {} as never))
    const except = checkpointPolicies.saveAnythingExceptTheseNames("a")
    assert.deepStrictEqual(
      [
        except.saveable("checkpoint_name", { name: "a" } as never),
        except.saveable("checkpoint_name", { name: "b" } as never)
      ],
      [false, true]
    )
    assert.isTrue(
      checkpointPolicies.checkpointDotsWithNoBatchDims.saveable("dot_general", { batch: [[], []] } as never)
    )
    assert.throws(
      () => checkpointPolicies.saveFromBothPolicies(3 as never, both),
      /policy1 must be a checkpoint policy/
    )
    const w = tensor(Array.from({ length: 9 }, (_, i) => Math.sin(i + 1) * 0.6), [3, 3])
    const h0 = tensor([0.3, -0.2, 0.5])
    const block = checkpoint(cell, { policy: both, preventCse: [true, false] })
    assertClose(
      values(grad((v: Tensor) => sum(block(v, h0)))(w)),
      values(grad((v: Tensor) => sum(cell(v, h0)))(w)),
      1e-13
    )
  })

  it("pytrees of arguments and results; checkpointName is the identity", () => {
    const f = checkpoint((p: { a: Tensor; b: Tensor }) => ({ s: lax.add(p.a, p.b), d: lax.sub(p.a, p.b) }))
    const out = f({ a: c(3), b: c(1) })
    assert.deepStrictEqual([values(out.s), values(out.d)], [[4], [2]])
    assert.deepStrictEqual(values(checkpointName(c(2, [2]), "x")), [2, 2])
  })
})

describe("checkpoint: what the forward pass keeps", () => {
  const bytesKept = (f: (w: Tensor) => Tensor, w: Tensor) => {
    const [, , program] = linearizeFlat(([v]) => [f(v!)], [w])
    return program.consts.reduce((acc, k) => acc + k.size * 8, 0)
  }
  it("nothingSaveable keeps only the inputs; the backward pass recomputes sin and tanh", () => {
    const w = tensor(Array.from({ length: 9 }, (_, i) => Math.sin(i + 1) * 0.6), [3, 3])
    const h0 = tensor([0.3, -0.2, 0.5])
    const block = checkpoint(cell)
    const [, , program] = linearizeFlat(([v]) => [sum(block(v!, h0))], [w])
    const text = program.toString()
    // the staged half recomputes the primal ops (sin, tanh) from the saved inputs
    assert.include(text, "remat[")
    assert.include(text, " sin ")
    assert.include(text, " tanh ")
    const [, , plainProgram] = linearizeFlat(([v]) => [sum(cell(v!, h0))], [w])
    assert.notInclude(plainProgram.toString(), " tanh ")
  })

  it("the recomputation of a cond drops the branches' primal outputs, which nothing reads (JAX's dce of cond)", () => {
    // f(x) = x sin x for x > 0, cos x otherwise: the linear part needs sin and cos of x (and x), never
    // the branch's value itself
    const f = (x: Tensor) =>
      lax.cond(lax.gt(x, c(0)), (x: Tensor) => lax.mul(lax.sin(x), x), (x: Tensor) => lax.cos(x), x)
    const [, lin, program] = linearizeFlat(([v]) => [checkpoint(f)(v!)], [c(1.5)])
    assert.closeTo(values(lin([c(2)])[0]!)[0]!, 2 * (Math.sin(1.5) + 1.5 * Math.cos(1.5)), 1e-14)
    const text = program.toString()
    assert.include(text, "policy=nothing_saveable") // the policy prints by name, not as a record
    // each branch of the recomputing cond computes only the derivative's factors: no `mul` of sin
    // and x in the positive branch, no `cos` (the value) beside `sin` in the other
    const [recompute] = text.split("cond[").slice(1)
    assert.strictEqual(recompute!.match(/ mul /g), null)
    assert.strictEqual(recompute!.match(/ cos /g)!.length, 1)
    assert.strictEqual(recompute!.match(/ sin /g)!.length, 2)
  })

  it("a 1,000-step scan under grad: the residual bytes each policy keeps", () => {
    const N = 1000
    const H = 16
    const w = tensor(Array.from({ length: H * H }, (_, i) => Math.sin(i) * 0.1), [H, H])
    const loop = (body: (w: Tensor, h: Tensor) => Tensor) => (v: Tensor) =>
      sum(lax.scan((h: Tensor, _x: null) => [body(v, h), null] as const, c(1, [H]), null, { length: N })[0])
    const none = bytesKept(loop(cell), w)
    const kept = Object.fromEntries(
      policies.map(([name, policy]) => [name, bytesKept(loop(checkpoint(cell, { policy })), w)])
    )
    // float64: per step, without checkpoint: h, cos(pre) and 1 - tanh^2 (3 x 16 x 8 bytes = 384)
    const perStep = H * 8
    const fixed = H * H * 8 + H * 8 // w once, the initial tangent carry
    assert.strictEqual(none, 3 * perStep * N + fixed)
    assert.strictEqual(kept["nothingSaveable"], 1 * perStep * N + fixed) // only h
    assert.strictEqual(kept["dotsSaveable"], 2 * perStep * N + fixed) // h and the matmul
    assert.strictEqual(kept["saveOnlyTheseNames"], 2 * perStep * N + fixed) // h and "pre"
    assert.strictEqual(kept["everythingSaveable"], none)
    // the gradients agree
    assertClose(values(grad(loop(checkpoint(cell)))(w)), values(grad(loop(cell))(w)), 1e-12)
  })
})
