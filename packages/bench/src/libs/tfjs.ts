/**
 * TensorFlow.js (tfjs-core 4.22) on its cpu backend (plain JavaScript) and its
 * wasm backend (XNNPACK, SIMD). Production mode (no debug checks). Gradients
 * with `tf.valueAndGrads`; tfjs has no forward mode, so a Hessian is 100
 * reverse-over-reverse Hessian-vector products.
 *
 * @since 0.1.0
 */
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm"
import { buildSync } from "esbuild"
import * as path from "node:path"
import type { Outputs } from "../Cases.js"
import { resolvePackageFile, versionOf } from "../internal/versions.js"
import type { Library, Prepared } from "../Library.js"

let loaded: Promise<void> | undefined

/**
 * tfjs-core's gradients are registered by a side-effect module that only ships
 * as ESM with extension-less and directory imports, which Node's loader
 * refuses. Bundling it with esbuild gives a second copy of the op wrappers,
 * which is harmless: tfjs keeps its engine and kernel/gradient registries on
 * the global object precisely so that several copies share them.
 */
const load = (): Promise<void> =>
  loaded ??= (async () => {
    const entry = resolvePackageFile("@tensorflow/tfjs-core/dist/register_all_gradients.js")
    const out = buildSync({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "node",
      write: false,
      logLevel: "error"
    })
    await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`)
    setWasmPaths(path.dirname(resolvePackageFile("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/")
    tf.enableProdMode()
  })()

const read = (ts: ReadonlyArray<tf.Tensor>): Outputs => {
  const out = ts.map((t) => t.dataSync() as Float32Array)
  tf.dispose([...ts])
  return out
}

const prepared = (run: () => ReadonlyArray<tf.Tensor>, inputs: ReadonlyArray<tf.Tensor>): Prepared => ({
  run: () => read(run()),
  dispose: () => tf.dispose([...inputs])
})

const rosenbrock = (x: tf.Tensor): tf.Scalar => {
  const n = x.shape[0]!
  const head = tf.slice(x, [0], [n - 1])
  const tail = tf.slice(x, [1], [n - 1])
  const u = tf.sub(tail, tf.square(head))
  return tf.sum(tf.add(tf.mul(100, tf.square(u)), tf.square(tf.sub(1, head))))
}

/** Reverse-over-reverse: the gradient of `<grad f(x), v>`. */
const hvp = (x: tf.Tensor, v: tf.Tensor): tf.Tensor =>
  tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(rosenbrock)(y), v)))(x)

const make = (backend: "cpu" | "wasm"): Library => ({
  name: `tfjs ${backend}`,
  versions: {
    "@tensorflow/tfjs-core": versionOf("@tensorflow/tfjs-core"),
    [`@tensorflow/tfjs-backend-${backend}`]: versionOf(`@tensorflow/tfjs-backend-${backend}`)
  },
  settings: () =>
    backend === "cpu"
      ? "cpu backend (JavaScript kernels), prod mode"
      // never activated (a partial run where it has none of the cases): its flags are unknown
      : tf.env().features["WASM_HAS_SIMD_SUPPORT"] === undefined
      ? "wasm backend (XNNPACK), not started in this run"
      : `wasm backend (XNNPACK), SIMD ${
        tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "on" : "off"
      }, ${getThreadsCount()} thread(s), prod mode`,
  activate: async () => {
    await load()
    if (tf.getBackend() !== backend) {
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialise`)
    }
    await tf.ready()
    if (backend === "wasm") {
      // Evaluate the async flags once so `settings` can read them synchronously.
      await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")
    }
  },
  notes: {
    B4: "100 reverse-over-reverse HVPs (no forward mode in tfjs)",
    B4hvp: "reverse-over-reverse",
    B6: "the 100 steps unrolled in JS (tfjs has no scan)",
    B7: "not run: TF.js has no Cholesky factorization or linear solve (tf.linalg has qr, gramSchmidt, bandPart)",
    B8: "not run: TF.js has no SVD"
  },
  cases: {
    B1: (d) => {
      const [n0, n1, n2, n3] = d.sizes
      const x = tf.tensor2d(d.x, [d.batch, n0])
      const y = tf.tensor2d(d.y, [d.batch, n3])
      const params = [
        tf.tensor2d(d.w1, [n0, n1]),
        tf.tensor1d(d.b1),
        tf.tensor2d(d.w2, [n1, n2]),
        tf.tensor1d(d.b2),
        tf.tensor2d(d.w3, [n2, n3]),
        tf.tensor1d(d.b3)
      ]
      const loss = (...p: Array<tf.Tensor>): tf.Scalar => {
        const h1 = tf.tanh(tf.add(tf.matMul(x, p[0]), p[1]))
        const h2 = tf.tanh(tf.add(tf.matMul(h1, p[2]), p[3]))
        const logits = tf.add(tf.matMul(h2, p[4]), p[5])
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)))
      }
      const step = tf.valueAndGrads(loss)
      return prepared(() => {
        const { value, grads } = step(params)
        return [value, ...grads]
      }, [x, y, ...params])
    },
    B2: (d) => {
      const x = tf.tensor1d(d.x)
      const c = tf.scalar(0.01)
      const f = (z: tf.Tensor): tf.Scalar => {
        for (let t = 0; t < d.steps; t++) z = tf.add(z, tf.mul(c, tf.sin(z)))
        return tf.sum(z)
      }
      const step = tf.valueAndGrad(f)
      return prepared(() => {
        const { value, grad } = step(x)
        return [value, grad]
      }, [x, c])
    },
    B2b: (d) => {
      const x = tf.tensor1d(d.x)
      const f = (z: tf.Tensor): tf.Scalar => {
        for (let t = 0; t < d.steps; t++) z = tf.sin(z)
        return tf.sum(z)
      }
      const step = tf.valueAndGrad(f)
      return prepared(() => {
        const { value, grad } = step(x)
        return [value, grad]
      }, [x])
    },
    B3: (d) => {
      const x = tf.tensor1d(d.x)
      const step = tf.valueAndGrad((z: tf.Tensor) => tf.sum(tf.mul(tf.tanh(z), z)))
      return prepared(() => {
        const { value, grad } = step(x)
        return [value, grad]
      }, [x])
    },
    B4: (d) => {
      const x = tf.tensor1d(d.x)
      const n = d.x.length
      const eye = tf.eye(n)
      const rows = Array.from({ length: n }, (_, i) => tf.reshape(tf.slice(eye, [i, 0], [1, n]), [n]))
      return prepared(() => [tf.tidy(() => tf.stack(rows.map((e) => hvp(x, e))))], [x, eye, ...rows])
    },
    B4hvp: (d) => {
      const x = tf.tensor1d(d.x)
      const v = tf.tensor1d(d.v)
      return prepared(() => [tf.tidy(() => hvp(x, v))], [x, v])
    },
    B5: (d) => {
      const a = tf.tensor2d(d.a, [d.n, d.n])
      const b = tf.tensor2d(d.b, [d.n, d.n])
      return prepared(() => [tf.matMul(a, b)], [a, b])
    },
    B6: (d) => {
      const { batch: B, hidden: H, input: I, steps: T } = d
      const xs = Array.from({ length: T }, (_, t) => tf.tensor2d(d.xs.subarray(t * B * I, (t + 1) * B * I), [B, I]))
      const params = [tf.tensor2d(d.wh, [H, H]), tf.tensor2d(d.wx, [I, H]), tf.tensor1d(d.b)]
      const h0 = tf.zeros([B, H])
      const loss = (wh: tf.Tensor, wx: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        let h = h0
        for (const x of xs) {
          h = tf.tanh(
            tf.add(tf.add(tf.matMul(h, wh as tf.Tensor2D), tf.matMul(x as tf.Tensor2D, wx as tf.Tensor2D)), b)
          )
        }
        return tf.mean(h)
      }
      const step = tf.valueAndGrads(loss)
      return prepared(() => {
        const { grads, value } = step(params)
        return [value, ...grads]
      }, [...xs, ...params, h0])
    }
  }
})

/** TensorFlow.js on its cpu backend. @since 0.1.0 */
export const tfjsCpu: Library = make("cpu")

/** TensorFlow.js on its wasm backend. @since 0.1.0 */
export const tfjsWasm: Library = make("wasm")
