/**
 * diffect on its typed-array (CPU) backend, eager (no `jit` yet): the public
 * API from the `diffect` facade, run with `runSync`.
 *
 * @since 0.1.0
 */
import { ConcreteTensor, grad, hessian, jvp, lax, np, runSync, type Tensor, valueAndGrad } from "diffect"
import type { Outputs } from "../Cases.js"
import { versionOf } from "../internal/versions.js"
import type { Library, Prepared } from "../Library.js"

/**
 * The result's storage as a typed array, without the nested-JS-array
 * conversion of `toJs` (the peers are timed reading typed arrays too).
 */
const host = (t: Tensor): ArrayLike<number> => {
  if (!(t instanceof ConcreteTensor)) throw new Error(`diffect bench: expected a concrete tensor, got ${t}`)
  if (t.host !== undefined) return t.host as ArrayLike<number>
  const read = t.buffer?.backend.readSync
  if (read === undefined || t.buffer === undefined) {
    throw new Error("diffect bench: the backend cannot read synchronously")
  }
  return read(t.buffer, t.aval) as ArrayLike<number>
}

const read = (ts: ReadonlyArray<Tensor>): Outputs => ts.map(host)

type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor; w3: Tensor; b3: Tensor }

const f32 = (data: Float32Array, shape?: ReadonlyArray<number>): Tensor => {
  const t = np.array(data)
  return shape === undefined ? t : t.reshape(shape)
}

const mlpLoss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h1 = np.tanh(x.matmul(p.w1).add(p.b1))
  const h2 = np.tanh(h1.matmul(p.w2).add(p.b2))
  const logits = h2.matmul(p.w3).add(p.b3)
  const logp = logits.sub(np.logsumexp(logits, { axis: 1, keepdims: true }))
  return logp.mul(y).sum({ axis: 1 }).mean().neg()
}

const rosenbrock = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  const head = lax.slice(x, [0], [n - 1])
  const tail = lax.slice(x, [1], [n])
  const u = tail.sub(head.square())
  return u.square().mul(100).add(np.subtract(1, head).square()).sum()
}

const vgCase = (f: (x: Tensor) => Tensor, data: Float32Array): Prepared => {
  const x = f32(data)
  const step = valueAndGrad(f)
  return {
    run: () => {
      const [value, g] = runSync(step(x))
      return read([value, g])
    }
  }
}

/** diffect, eager, on the typed-array backend. @since 0.1.0 */
export const diffect: Library = {
  name: "diffect",
  versions: { diffect: versionOf("diffect"), effect: versionOf("effect") },
  settings: () => "typed-array (CPU) backend, 1 thread, eager (`runSync`), no jit yet",
  activate: async () => {},
  notes: { B4: "`hessian` (jacfwd of jacrev)", B4hvp: "forward-over-reverse (`jvp` of `grad`)" },
  cases: {
    B1: (d) => {
      const [n0, n1, n2, n3] = d.sizes
      const x = f32(d.x, [d.batch, n0])
      const y = f32(d.y, [d.batch, n3])
      const params: Params = {
        w1: f32(d.w1, [n0, n1]),
        b1: f32(d.b1),
        w2: f32(d.w2, [n1, n2]),
        b2: f32(d.b2),
        w3: f32(d.w3, [n2, n3]),
        b3: f32(d.b3)
      }
      const step = valueAndGrad(mlpLoss)
      return {
        run: () => {
          const [value, g] = runSync(step(params, x, y))
          return read([value, g.w1, g.b1, g.w2, g.b2, g.w3, g.b3])
        }
      }
    },
    B2: (d) =>
      vgCase((x) => {
        for (let t = 0; t < d.steps; t++) x = x.add(x.sin().mul(0.01))
        return x.sum()
      }, d.x),
    B2b: (d) =>
      vgCase((x) => {
        for (let t = 0; t < d.steps; t++) x = x.sin()
        return x.sum()
      }, d.x),
    B3: (d) => vgCase((x) => x.tanh().mul(x).sum(), d.x),
    B4: (d) => {
      const x = f32(d.x)
      const h = hessian(rosenbrock)
      return { run: () => read([runSync(h(x))]) }
    },
    B4hvp: (d) => {
      const x = f32(d.x)
      const v = f32(d.v)
      const g = grad(rosenbrock)
      return {
        run: () => {
          const [, hv] = runSync(jvp(g, [x], [v]))
          return read([hv])
        }
      }
    },
    B5: (d) => {
      const a = f32(d.a, [d.n, d.n])
      const b = f32(d.b, [d.n, d.n])
      // Eager: an op outside any transformation runs at once on the default (CPU) backend.
      return { run: () => read([np.matmul(a, b)]) }
    }
  }
}
