import { grad, hessian, jacfwd, jacrev, jvp, valueAndGrad, vjp } from "@diffect/ad"
import type { DiffError, VjpFn } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import { describe, expectTypeOf, it } from "@effect/vitest"
import { Effect } from "effect"
import { tensor } from "./gradHelpers.js"

// Only types are checked here (vitest's expectTypeOf compiles under `pnpm typecheck`);
// the Effects are built but never run.
const x = tensor(1)
const params = { w: x, b: x }
const loss = (p: { w: Tensor; b: Tensor }, _x: Tensor, _scale: number): Tensor => p.w
const withAux = (
  p: { w: Tensor },
  _x: Tensor
): [Tensor, { acc: Tensor; label: string }] => [p.w, { acc: p.w, label: "" }]
const effectful = (_x: Tensor): Effect.Effect<Tensor, "NotFound", "Config"> => Effect.fail("NotFound" as const)

type Succ<T> = T extends Effect.Effect<infer A, infer _E, infer _R> ? A : never
type Err<T> = T extends Effect.Effect<infer _A, infer E, infer _R> ? E : never
type Req<T> = T extends Effect.Effect<infer _A, infer _E, infer R> ? R : never

describe("inferred result types", () => {
  it("valueAndGrad: default argnums 0 gives the first parameter's structure", () => {
    const r = valueAndGrad(loss)(params, x, 2)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<[Tensor, { w: Tensor; b: Tensor }]>()
    expectTypeOf<Req<typeof r>>().toEqualTypeOf<Backend>()
    expectTypeOf<Err<typeof r>>().toEqualTypeOf<DiffError>()
  })

  it("valueAndGrad: argnums [0, 2] gives a tuple; a number parameter's gradient is a Tensor", () => {
    const r = valueAndGrad(loss, { argnums: [0, 2] })(params, x, 2)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<[Tensor, [{ w: Tensor; b: Tensor }, Tensor]]>()
  })

  it("grad: argnums 1 and -1", () => {
    expectTypeOf<Succ<ReturnType<ReturnType<typeof grad<typeof loss, 1, false>>>>>().toEqualTypeOf<Tensor>()
    const last = grad(loss, { argnums: -3 })(params, x, 2)
    expectTypeOf<Succ<typeof last>>().toEqualTypeOf<{ w: Tensor; b: Tensor }>()
  })

  it("hasAux: [[value, aux], grad] and [grad, aux]", () => {
    const r = valueAndGrad(withAux, { hasAux: true })(params, x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<[[Tensor, { acc: Tensor; label: string }], { w: Tensor }]>()
    const g = grad(withAux, { hasAux: true, argnums: 1 })(params, x)
    expectTypeOf<Succ<typeof g>>().toEqualTypeOf<[Tensor, { acc: Tensor; label: string }]>()
  })

  it("a function returning an Effect adds its error and requirements", () => {
    const r = grad(effectful)(x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<Tensor>()
    expectTypeOf<Err<typeof r>>().toEqualTypeOf<DiffError | "NotFound">()
    expectTypeOf<Req<typeof r>>().toEqualTypeOf<Backend | "Config">()
  })

  it("parameters are checked: wrong argument types do not compile", () => {
    expectTypeOf(grad(loss)).parameter(0).toEqualTypeOf<{ w: Tensor; b: Tensor }>()
    // @ts-expect-error: the first argument must be a { w, b } record
    grad(loss)(x, x, 2)
    // @ts-expect-error: argnums must be numbers
    grad(loss, { argnums: "0" })
  })

  it("jacobians: the output's tree of the input's tree", () => {
    const pairOut = (p: { w: Tensor; b: Tensor }) => ({ y: p.w, z: [p.b] as [Tensor] })
    const j = jacfwd(pairOut)(params)
    expectTypeOf<Succ<typeof j>>().toEqualTypeOf<{ y: { w: Tensor; b: Tensor }; z: [{ w: Tensor; b: Tensor }] }>()
    const jr = jacrev((a: Tensor, b: Tensor) => [a, b] as [Tensor, Tensor], { argnums: [0, 1] })(x, x)
    expectTypeOf<Succ<typeof jr>>().toEqualTypeOf<[[Tensor, Tensor], [Tensor, Tensor]]>()
    const h = hessian((v: Tensor) => v)(x)
    expectTypeOf<Succ<typeof h>>().toEqualTypeOf<Tensor>()
  })

  it("jvp and vjp", () => {
    const r = jvp((a: Tensor, b: Tensor) => ({ s: a, t: [b] as [Tensor] }), [x, x], [x, x])
    // (compared element by element: expectTypeOf's deep brand of a tuple of records of
    // Tensors trips over Tensor's installed methods)
    expectTypeOf<Succ<typeof r>[0]>().toEqualTypeOf<{ s: Tensor; t: [Tensor] }>()
    expectTypeOf<Succ<typeof r>[1]>().toEqualTypeOf<{ s: Tensor; t: [Tensor] }>()
    expectTypeOf<Succ<typeof r>["length"]>().toEqualTypeOf<2>()
    const v = vjp((p: { w: Tensor; b: Tensor }) => p.w, [params])
    expectTypeOf<Succ<typeof v>>().toEqualTypeOf<[Tensor, VjpFn<Tensor, [p: { w: Tensor; b: Tensor }]>]>()
  })
})

describe("gradients of functions over TensorLike", () => {
  it("grad(np.sin) and grad of a Tensor | number parameter return Tensor", () => {
    const g = grad(np.sin)(x)
    expectTypeOf<Succ<typeof g>>().toEqualTypeOf<Tensor>()
    const h = grad((y: Tensor | number) => np.square(y))(x)
    expectTypeOf<Succ<typeof h>>().toEqualTypeOf<Tensor>()
  })

  it("valueAndGrad of np.tanh", () => {
    const r = valueAndGrad(np.tanh)(x)
    expectTypeOf<Succ<typeof r>>().toEqualTypeOf<[Tensor, Tensor]>()
  })
})
