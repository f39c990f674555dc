/**
 * Conformance cases for staged control flow (`lax.cond`, `lax.switch`): eager
 * evaluation (on WebGPU, which reads asynchronously, every branch runs and
 * the index selects), differentiation, batching with a batched predicate, and
 * jit. Expected values are the JS branches' results worked out by hand.
 */
import { grad, jit, vmap } from "@diffect/ad"
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import type { Case } from "./cases.js"

const pack = (...ts: ReadonlyArray<Tensor>) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    return withBackend(backend, () => np.concatenate(ts.map((t) => np.ravel(t))))
  })

const f32 = Math.fround
const X = [0.5, -1.25, 2]
const sinOrCos = (p: Tensor, x: Tensor) =>
  lax.cond(np.greater(p, 0), (v: Tensor) => np.sin(v), (v: Tensor) => np.cos(v), x)
const three = [(v: Tensor) => np.add(v, 1), (v: Tensor) => np.multiply(v, v), (v: Tensor) => np.negative(v)]

export const controlFlowCases: ReadonlyArray<Case> = [
  {
    name: "cond: both predicates (sin when p > 0, else cos)",
    run: () => np.concatenate([sinOrCos(np.array(1), np.array(X)), sinOrCos(np.array(-1), np.array(X))]),
    expected: [...X.map((x) => Math.sin(f32(x))), ...X.map((x) => Math.cos(f32(x)))]
  },
  {
    name: "switch: the index clamped into range (-1 -> 0, 1, 5 -> 2)",
    run: () => np.concatenate([-1, 1, 5].map((i) => lax.switch(np.array(i, { dtype: "int32" }), three, np.array(X)))),
    expected: [...X.map((x) => x + 1), ...X.map((x) => x * x), ...X.map((x) => -x)]
  },
  {
    name: "grad through cond: cos x when p > 0, -sin x else",
    run: () =>
      Effect.flatMap(
        Effect.all([
          grad((x: Tensor) => np.sum(sinOrCos(np.array(1), x)))(np.array(X)),
          grad((x: Tensor) => np.sum(sinOrCos(np.array(-1), x)))(np.array(X))
        ]),
        ([a, b]) => pack(a, b)
      ),
    expected: [...X.map((x) => Math.cos(f32(x))), ...X.map((x) => -Math.sin(f32(x)))]
  },
  {
    name: "vmap of cond with a batched predicate (a select per member) and of switch with a batched index",
    run: () =>
      Effect.flatMap(
        Effect.all([
          vmap(sinOrCos)(np.array([1, -1, 1]), np.array(X)),
          vmap((i: Tensor, v: Tensor) => lax.switch(i, three, v))(np.array([2, 0, 1], { dtype: "int32" }), np.array(X))
        ]),
        ([a, b]) => pack(a, b)
      ),
    expected: [Math.sin(f32(0.5)), Math.cos(f32(-1.25)), Math.sin(f32(2)), -0.5, -0.25, 4]
  },
  {
    name: "jit of a cond (the branch compiled)",
    run: () => {
      const f = jit(sinOrCos)
      return Effect.flatMap(
        Effect.all([f(np.array(1), np.array(X)), f(np.array(-1), np.array(X))]),
        ([a, b]) => pack(a, b)
      )
    },
    expected: [...X.map((x) => Math.sin(f32(x))), ...X.map((x) => Math.cos(f32(x)))]
  }
]
