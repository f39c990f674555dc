/**
 * jax-js on its wasm device (its fastest in Node: no WebGPU there), eagerly and
 * under `jit` (kernel fusion, compiled on the first warm-up run). jax-js
 * counts references: every function consumes its arguments, so inputs that
 * are reused across runs are passed as `.ref`.
 *
 * @since 0.1.0
 */
import { defaultDevice, grad, hessian, init, jit, jvp, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax"
import type { Outputs } from "../Cases.js"
import { versionOf } from "../internal/versions.js"
import type { Library, Prepared } from "../Library.js"

type Params = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array; w3: np.Array; b3: np.Array }

/** `data()` (jax-js's recommended readback) also releases the array. */
const read = (arrays: ReadonlyArray<np.Array>): Promise<Outputs> => Promise.all(arrays.map((a) => a.data()))

const f32 = (data: Float32Array, shape?: Array<number>): np.Array => {
  const a = np.array(data)
  return shape === undefined ? a : a.reshape(shape)
}

const mlpLoss = (p: Params, x: np.Array, y: np.Array): np.Array => {
  const h1 = np.tanh(np.matmul(x, p.w1).add(p.b1))
  const h2 = np.tanh(np.matmul(h1, p.w2).add(p.b2))
  const logits = np.matmul(h2, p.w3).add(p.b3)
  return nn.logSoftmax(logits).mul(y).sum(1).mean().neg()
}

const residualChain = (steps: number) => (x: np.Array): np.Array => {
  for (let t = 0; t < steps; t++) x = x.ref.add(np.sin(x).mul(0.01))
  return x.sum()
}

const sinChain = (steps: number) => (x: np.Array): np.Array => {
  for (let t = 0; t < steps; t++) x = np.sin(x)
  return x.sum()
}

const tanhSum = (x: np.Array): np.Array => np.tanh(x.ref).mul(x).sum()

const rosenbrock = (x: np.Array): np.Array => {
  const n = x.shape[0]!
  const head = x.ref.slice([0, n - 1])
  const tail = x.slice([1, n])
  const u = tail.sub(head.ref.mul(head.ref))
  const w = head.mul(-1).add(1)
  return u.ref.mul(u).mul(100).add(w.ref.mul(w)).sum()
}

const hvp = (x: np.Array, v: np.Array): np.Array => {
  const [g, hv] = jvp(grad(rosenbrock), [x], [v])
  g.dispose()
  return hv
}

type Fn = (...args: Array<any>) => any

const make = (useJit: boolean): Library => {
  // `jit` returns an owned function that keeps compiled programs; dispose it with the case.
  const wrap = <F extends Fn>(f: F): F & { dispose?: () => void } => useJit ? jit(f) as F & { dispose: () => void } : f
  const prepared = (
    fn: { dispose?: () => void },
    run: () => ReadonlyArray<np.Array>,
    inputs: ReadonlyArray<np.Array>
  ): Prepared => ({
    run: () => read(run()),
    dispose: () => {
      fn.dispose?.()
      for (const a of inputs) a.dispose()
    }
  })
  const valueAndGradCase = (f: (x: np.Array) => np.Array, data: Float32Array): Prepared => {
    const x = f32(data)
    const step = wrap(valueAndGrad(f))
    return prepared(step, () => step(x.ref) as [np.Array, np.Array], [x])
  }
  return {
    name: useJit ? "jax-js jit" : "jax-js",
    versions: { "@jax-js/jax": versionOf("@jax-js/jax") },
    settings: () =>
      // jax-js starts a wasm worker pool only where a global `Worker` exists (browsers, Deno), not in Node.
      `device ${defaultDevice()}, ${
        typeof (globalThis as { Worker?: unknown }).Worker === "undefined"
          ? "1 thread (Node has no global Worker)"
          : "worker pool"
      }${useJit ? ", jit" : ", eager"}`,
    activate: async () => {
      const devices = await init("wasm")
      if (!devices.includes("wasm")) throw new Error("jax-js: the wasm device is not available")
      defaultDevice("wasm")
    },
    notes: {
      ...(useJit ?
        {
          // Measured with 0.1.25: compiling `x + 0.01*sin(x)` chains takes 0.2 s at 12 steps, 1.2 s
          // at 14 and 6.5 s at 16 (the fused expression duplicates `x` at every step); 200 steps
          // exhaust a 4 GB heap, so the case is left out rather than crash the run.
          B2:
            "not run: jit's compile time grows about 2.2x per step of this chain (16 steps: 6.5 s); 200 steps exhaust the heap"
        } :
        {}),
      B4: "`hessian` (jacfwd of grad)",
      B4hvp: "forward-over-reverse (`jvp` of `grad`)",
      B6: "the 100 steps unrolled in JS (jax-js has no scan)"
    },
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
        const step = wrap(valueAndGrad(mlpLoss))
        return prepared(step, () => {
          const [value, g] = step(tree.ref(params), x.ref, y.ref) as [np.Array, Params]
          return [value, g.w1, g.b1, g.w2, g.b2, g.w3, g.b3]
        }, [x, y, ...Object.values(params)])
      },
      ...(useJit ? {} : { B2: (d) => valueAndGradCase(residualChain(d.steps), d.x) }),
      B2b: (d) => valueAndGradCase(sinChain(d.steps), d.x),
      B3: (d) => valueAndGradCase(tanhSum, d.x),
      B4: (d) => {
        const x = f32(d.x)
        const h = wrap(hessian(rosenbrock))
        return prepared(h, () => [h(x.ref) as np.Array], [x])
      },
      B4hvp: (d) => {
        const x = f32(d.x)
        const v = f32(d.v)
        const f = wrap(hvp)
        return prepared(f, () => [f(x.ref, v.ref) as np.Array], [x, v])
      },
      B6: (d) => {
        const { batch: B, hidden: H, input: I, steps: T } = d
        // jax-js has no scan: the loop is unrolled (under jit, into one traced program)
        const xs = Array.from({ length: T }, (_, t) => f32(d.xs.subarray(t * B * I, (t + 1) * B * I), [B, I]))
        type P = { wh: np.Array; wx: np.Array; b: np.Array }
        const params: P = { wh: f32(d.wh, [H, H]), wx: f32(d.wx, [I, H]), b: f32(d.b) }
        const loss = (p: P, inputs: Array<np.Array>): np.Array => {
          let h = np.zeros([B, H])
          for (const x of inputs) {
            h = np.tanh(np.matmul(h, p.wh.ref).add(np.matmul(x, p.wx.ref)).add(p.b.ref))
          }
          p.wh.dispose()
          p.wx.dispose()
          p.b.dispose()
          return h.mean()
        }
        const step = wrap(valueAndGrad(loss))
        return prepared(step, () => {
          const [value, g] = step(tree.ref(params), xs.map((x) => x.ref)) as [np.Array, P]
          return [value, g.wh, g.wx, g.b]
        }, [...xs, params.wh, params.wx, params.b])
      },
      B7: (d) => {
        const a = f32(d.a, [d.n, d.n])
        const b = f32(d.b, [d.n, d.k])
        const step = wrap((x: np.Array, y: np.Array) => [np.linalg.cholesky(x.ref), np.linalg.solve(x, y)])
        return prepared(step, () => step(a.ref, b.ref) as Array<np.Array>, [a, b])
      },
      B8: (d) => {
        const a = f32(d.a, [d.n, d.n])
        const step = wrap((x: np.Array) => np.linalg.svdvals(x))
        return prepared(step, () => [step(a.ref) as np.Array], [a])
      },
      ...(useJit ? {} : {
        B5: (d) => {
          const a = f32(d.a, [d.n, d.n])
          const b = f32(d.b, [d.n, d.n])
          return prepared({}, () => [np.matmul(a.ref, b.ref)], [a, b])
        }
      })
    }
  }
}

/** jax-js, eager. @since 0.1.0 */
export const jaxjs: Library = make(false)

/** jax-js under `jit`. @since 0.1.0 */
export const jaxjsJit: Library = make(true)
