/**
 * Conformance cases through the transformations (valueAndGrad, grad, jvp,
 * vmap, hessian): each is an Effect run on the backend under test, its results
 * packed into one tensor. Expected values are JAX's documented results or
 * derivatives worked out by hand.
 */
import { grad, hessian, jacrev, jvp, psum, valueAndGrad, vmap } from "@diffect/ad"
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import type { Case } from "./cases.js"

// Packs results into one flat tensor, on the backend under test.
const pack = (...ts: ReadonlyArray<Tensor>) =>
  Effect.gen(function*() {
    const backend = yield* Backend
    return withBackend(backend, () => np.concatenate(ts.map((t) => np.ravel(t))))
  })

const cx = (re: number, im: number) => ({ re, im })
const X = [0.5, 1, 2]

/** valueAndGrad/grad parity, jvp, vmap (with a named axis) and second order. */
export const transformCases: ReadonlyArray<Case> = [
  {
    name: "valueAndGrad of sum(sin(x) * x): grad = x cos x + sin x",
    run: () =>
      Effect.flatMap(
        valueAndGrad((x: Tensor) => np.sum(np.multiply(np.sin(x), x)))(np.array(X)),
        ([v, g]) => pack(v, g)
      ),
    expected: [X.reduce((a, x) => a + Math.sin(x) * x, 0), ...X.map((x) => x * Math.cos(x) + Math.sin(x))]
  },
  {
    // h <- tanh(w h + x) over xs = [1, 2, 3] from h = 0.5, as one scan: value, grad and vmap
    name: "lax.scan: a tanh recurrence, its grad in w and vmap over w (vs the unrolled loop)",
    run: () => {
      const xs = [1, 2, 3]
      const f = (w: Tensor) =>
        lax.scan(
          (h: Tensor, x: Tensor) => [np.tanh(np.add(np.multiply(w, h), x)), null] as const,
          np.array(0.5),
          np.array(xs)
        )[0]
      return Effect.gen(function*() {
        const g = yield* grad(f)(np.array(0.3))
        const v = yield* vmap(f)(np.array([0.3, -0.4]))
        return yield* pack(f(np.array(0.3)), g, v)
      })
    },
    expected: (() => {
      const run = (w: number) => {
        let h = 0.5
        let dh = 0
        for (const x of [1, 2, 3]) {
          const a = Math.tanh(w * h + x)
          dh = (1 - a * a) * (h + w * dh)
          h = a
        }
        return [h, dh]
      }
      return [run(0.3)[0]!, run(0.3)[1]!, run(0.3)[0]!, run(-0.4)[0]!]
    })()
  },
  {
    // jax.grad(jnp.tanh)(0.2) = 0.961043
    name: "grad(tanh)(0.2) = 0.961043 (JAX docs)",
    run: () => Effect.flatMap(grad((x: Tensor) => np.tanh(x))(np.array(0.2)), (g) => pack(g)),
    expected: [1 - Math.tanh(0.2) ** 2]
  },
  {
    name: "valueAndGrad with a pytree argument and argnums [0, 1]",
    run: () =>
      Effect.flatMap(
        valueAndGrad(
          (p: { w: Tensor; b: Tensor }, x: Tensor) => np.sum(np.square(np.add(np.multiply(x, p.w), p.b))),
          { argnums: [0, 1] }
        )({ w: np.array(2), b: np.array(1) }, np.array([1, 2])),
        ([v, [gp, gx]]) => pack(v, gp.w, gp.b, gx)
      ),
    // (2+1)^2 + (4+1)^2 = 34; d/dw = 2*3*1 + 2*5*2 = 26; d/db = 16; d/dx = 2*(xw+b)*w = [12, 20]
    expected: [34, 26, 16, 12, 20]
  },
  {
    name: "grad(grad(x^3))(2) = 12",
    run: () => Effect.flatMap(grad(grad((x: Tensor) => np.power(x, 3)))(np.array(2)), (g) => pack(g)),
    expected: [12]
  },
  {
    name: "grad of logsumexp is softmax",
    run: () => Effect.flatMap(grad((x: Tensor) => np.logsumexp(x))(np.array([1, 2, 3])), (g) => pack(g)),
    expected: [1, 2, 3].map((x) => Math.exp(x) / (Math.E + Math.E ** 2 + Math.E ** 3))
  },
  {
    name: "grad through matmul: d sum(W v) / dW = outer(1, v)",
    run: () =>
      Effect.flatMap(
        grad((w: Tensor) => np.sum(np.matmul(w, np.array([1, -2, 3]))))(np.zeros([2, 3])),
        (g) => pack(g)
      ),
    expected: [1, -2, 3, 1, -2, 3]
  },
  {
    name: "grad of max picks the maximum",
    run: () => Effect.flatMap(grad((x: Tensor) => np.max(x))(np.array([1, 3, 2])), (g) => pack(g)),
    expected: [0, 1, 0]
  },
  {
    name: "grad through take is scatter-add",
    run: () => Effect.flatMap(grad((x: Tensor) => np.sum(np.take(x, [0, 0, 2])))(np.array([5, 6, 7])), (g) => pack(g)),
    expected: [2, 0, 1]
  },
  {
    name: "holomorphic grad of z^2 at 1+2i is 2z",
    run: () =>
      Effect.flatMap(
        grad((z: Tensor) => np.multiply(z, z), { holomorphic: true })(np.array(cx(1, 2))),
        (g) => pack(g)
      ),
    expected: [cx(2, 4)]
  },
  {
    name: "jvp of sin: tangent cos(x) * t",
    run: () =>
      Effect.flatMap(
        jvp((x: Tensor) => np.sin(x), [np.array(X)], [np.array([1, 2, 3])]),
        ([y, t]) => pack(y, t)
      ),
    expected: [...X.map(Math.sin), ...X.map((x, i) => Math.cos(x) * (i + 1))]
  },
  {
    name: "hessian of sum(x^3) is diag(6x)",
    run: () => Effect.flatMap(hessian((x: Tensor) => np.sum(np.power(x, 3)))(np.array([1, 2])), (h) => pack(h)),
    expected: [6, 0, 0, 12]
  },
  {
    name: "jacrev of elementwise square is diag(2x)",
    run: () => Effect.flatMap(jacrev((x: Tensor) => np.square(x))(np.array([1, 3])), (j) => pack(j)),
    expected: [2, 0, 0, 6]
  },
  {
    name: "vmap of a row reduction",
    run: () =>
      Effect.flatMap(vmap((x: Tensor) => np.sum(np.square(x)))(np.array([[1, 2, 3], [4, 5, 6]])), (y) => pack(y)),
    expected: [14, 77]
  },
  {
    name: "vmap with inAxes [null, 0] of matvec",
    run: () =>
      Effect.flatMap(
        vmap((w: Tensor, x: Tensor) => np.matmul(w, x), { inAxes: [null, 0] })(
          np.array([[1, 0], [1, 1]]),
          np.array([[1, 2], [3, 4], [5, 6]])
        ),
        (y) => pack(y)
      ),
    expected: [1, 3, 3, 7, 5, 11]
  },
  {
    name: "per-example gradients: vmap(grad)",
    run: () =>
      Effect.flatMap(
        vmap(grad((w: Tensor, x: Tensor) => np.sum(np.multiply(w, x))), { inAxes: [null, 0] })(
          np.array([1, 1]),
          np.array([[1, 2], [3, 4]])
        ),
        (g) => pack(g)
      ),
    expected: [1, 2, 3, 4]
  },
  {
    name: "psum over a named vmap axis",
    run: () =>
      Effect.flatMap(
        vmap((x: Tensor) => np.divide(x, psum(x, "i")), { axisName: "i" })(np.array([1, 3, 4])),
        (y) => pack(y)
      ),
    expected: [1 / 8, 3 / 8, 4 / 8]
  }
]
