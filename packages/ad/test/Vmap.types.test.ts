/**
 * vmap's inferred types: the result is the function's output pytree with
 * tensor leaves (through Effects), the error channel adds vmap's errors to the
 * function's own, and the requirements add the Backend.
 */
import type { DiffError, VmapError } from "@diffect/ad"
import { grad, vmap } from "@diffect/ad"
import type { Backend, Tensor } from "@diffect/core"
import { describe, expectTypeOf, it } from "@effect/vitest"
import { Effect } from "effect"
import { arr } from "./vmapSupport.js"

type Succ<T> = T extends Effect.Effect<infer A, infer _E, infer _R> ? A : never
type Err<T> = T extends Effect.Effect<infer _A, infer E, infer _R> ? E : never
type Req<T> = T extends Effect.Effect<infer _A, infer _E, infer R> ? R : never

const x = arr([1, 2])

describe("vmap's inferred types", () => {
  it("a Tensor function gives an Effect of a Tensor", () => {
    const r = vmap((v: Tensor) => v)(x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<Tensor>()
    expectTypeOf<Err<typeof r>>().toEqualTypeOf<DiffError | VmapError>()
    expectTypeOf<Req<typeof r>>().toEqualTypeOf<Backend>()
  })

  it("pytree outputs keep their structure; JS numbers become Tensors", () => {
    const r = vmap((v: Tensor) => ({ a: v, b: [v, 3] as [Tensor, number], c: null }))(x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<{ a: Tensor; b: [Tensor, Tensor]; c: null }>()
  })

  it("an Effect-returning function keeps its errors and requirements", () => {
    const f = (_v: Tensor): Effect.Effect<Tensor, "Missing", "Config"> => Effect.fail("Missing" as const)
    const r = vmap(f)(x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<Tensor>()
    expectTypeOf<Err<typeof r>>().toEqualTypeOf<DiffError | VmapError | "Missing">()
    expectTypeOf<Req<typeof r>>().toEqualTypeOf<Backend | "Config">()
  })

  it("vmap(grad(f)) is typed like the gradient", () => {
    const loss = (p: { w: Tensor }, _x: Tensor): Tensor => p.w
    const r = vmap(grad(loss), { inAxes: [null, 0] })({ w: x }, x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<{ w: Tensor }>()
  })

  it("arguments are checked against the function's parameters", () => {
    const f = (v: Tensor, k: number) => v.ndim === k ? v : v
    // @ts-expect-error: the second argument must be a number
    vmap(f)(x, "two")
    expectTypeOf(vmap(f)).parameters.toEqualTypeOf<[v: Tensor, k: number]>()
  })
})
