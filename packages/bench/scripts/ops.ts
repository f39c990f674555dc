/**
 * Single operations side by side, in one process: diffect on one kernel thread (eager and jit)
 * against TensorFlow.js's wasm backend (XNNPACK) and jax-js's jit, on common layers and reductions
 * of models (softmax, normalization, convolution and its gradient, pooling, reductions, sorting,
 * gathers, batched products). Every call's outputs are read back as typed arrays, in every
 * library. Prints a markdown table (medians, ms) for docs/benchmarks.md ("Single operations").
 *
 * `pnpm exec tsx packages/bench/scripts/ops.ts [filter]`
 */
import { jit as jjit, lax as jlax, nn as jnn, numpy as jnp, valueAndGrad as jvalueAndGrad } from "@jax-js/jax"
import * as tf from "@tensorflow/tfjs-core"
import { jit, lax, nn, np, type Tensor, valueAndGrad } from "diffect"
import { ConcreteTensor, makeTypedArrayBackend, runSyncOn } from "diffect/extend"
import { Effect } from "effect"
import { loadavg } from "node:os"
import { jaxjsJit } from "../src/libs/jaxjs.js"
import { tfjsWasm } from "../src/libs/tfjs.js"

type JArray = jnp.Array
type Fn<T> = (...xs: Array<T>) => unknown

interface Case {
  readonly name: string
  readonly shapes: ReadonlyArray<ReadonlyArray<number>>
  /** int32 indices appended to the inputs: [count, bound]. */
  readonly indices?: readonly [number, number]
  readonly diffect: Fn<Tensor>
  readonly tfjs?: Fn<tf.Tensor>
  /** TF.js's own layout where it differs (NHWC convolutions). */
  readonly tfjsShapes?: ReadonlyArray<ReadonlyArray<number>>
  readonly jaxjs?: Fn<JArray>
}

const conv = (x: Tensor, w: Tensor) => lax.convGeneralDilated(x, w, [1, 1], "SAME")
const cases: ReadonlyArray<Case> = [
  {
    name: "softmax 256 x 1000",
    shapes: [[256, 1000]],
    diffect: (x) => nn.softmax(x),
    tfjs: (x) => tf.softmax(x),
    jaxjs: (x) => jnn.softmax(x)
  },
  {
    name: "standardize 512 x 768 (last axis)",
    shapes: [[512, 768]],
    diffect: (x) => nn.standardize(x, { axis: -1 }),
    tfjs: (x) => {
      const m = tf.moments(x, -1, true)
      return tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, 1e-5)))
    },
    jaxjs: (x) => jnn.standardize(x, -1)
  },
  {
    name: "conv 3x3 SAME, 8 x 32 x 32 x 32 -> 64",
    shapes: [[8, 32, 32, 32], [64, 32, 3, 3]],
    diffect: conv,
    tfjs: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
    tfjsShapes: [[8, 32, 32, 32], [3, 3, 32, 64]]
  },
  {
    name: "conv 3x3, value and both gradients",
    shapes: [[8, 32, 32, 32], [64, 32, 3, 3]],
    diffect: (x, w) => valueAndGrad((x: Tensor, w: Tensor) => conv(x, w).square().sum(), { argnums: [0, 1] })(x, w),
    jaxjs: (x, w) =>
      jvalueAndGrad((x: JArray, w: JArray) => {
        const y = jlax.conv(x, w, [1, 1], "SAME")
        return y.ref.mul(y).sum()
      }, { argnums: [0, 1] })(x, w)
  },
  {
    name: "max pool 2 x 2, 8 x 32 x 32 x 64",
    shapes: [[8, 32, 32, 64]],
    diffect: (x) => nn.pooling.maxPool(x, [2, 2], { strides: [2, 2] }),
    tfjs: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid")
  },
  {
    name: "sum over axis 0, 1024 x 1024",
    shapes: [[1024, 1024]],
    diffect: (x) => x.sum({ axis: 0 }),
    tfjs: (x) => tf.sum(x, 0),
    jaxjs: (x) => jnp.sum(x, 0)
  },
  {
    name: "sum over axis 1, 1024 x 1024",
    shapes: [[1024, 1024]],
    diffect: (x) => x.sum({ axis: 1 }),
    tfjs: (x) => tf.sum(x, 1),
    jaxjs: (x) => jnp.sum(x, 1)
  },
  {
    name: "cumsum over axis 1, 1024 x 1024",
    shapes: [[1024, 1024]],
    diffect: (x) => np.cumsum(x, { axis: 1 }),
    tfjs: (x) => tf.cumsum(x, 1),
    jaxjs: (x) => jnp.cumsum(x, 1)
  },
  {
    name: "sort 262,144",
    shapes: [[262144]],
    diffect: (x) => np.sort(x),
    jaxjs: (x) => jnp.sort(x)
  },
  {
    name: "argmax over axis 1, 1024 x 1000",
    shapes: [[1024, 1000]],
    diffect: (x) => np.argmax(x, { axis: 1 }),
    tfjs: (x) => tf.argMax(x, 1),
    jaxjs: (x) => jnp.argmax(x, 1)
  },
  {
    name: "batched matmul 32 x 128 x 64 @ 32 x 64 x 128",
    shapes: [[32, 128, 64], [32, 64, 128]],
    diffect: (a, b) => np.matmul(a, b),
    tfjs: (a, b) => tf.matMul(a, b),
    jaxjs: (a, b) => jnp.matmul(a, b)
  },
  {
    name: "take 4,096 rows of 10,000 x 128",
    shapes: [[10000, 128]],
    indices: [4096, 10000],
    diffect: (t, i) => np.take(t, i, { axis: 0 }),
    tfjs: (t, i) => tf.gather(t, i, 0),
    jaxjs: (t, i) => jnp.take(t, i, 0)
  }
]

const size = (s: ReadonlyArray<number>) => s.reduce((a, b) => a * b, 1)
const values = (n: number) => {
  const a = new Float32Array(n)
  let z = 12345
  for (let i = 0; i < n; i++) {
    z = (Math.imul(z, 1103515245) + 12345) >>> 0
    a[i] = (z / 2 ** 32 - 0.5) * 2
  }
  return a
}

// The median of a call's wall time over at least 5 calls and 0.7 s, after 5 warm-up calls.
const time = async (f: () => unknown): Promise<number> => {
  for (let i = 0; i < 5; i++) await f()
  const ts: Array<number> = []
  const end = performance.now() + 700
  while (performance.now() < end || ts.length < 5) {
    const t0 = performance.now()
    await f()
    ts.push(performance.now() - t0)
  }
  ts.sort((a, b) => a - b)
  return ts[ts.length >> 1]!
}

// Every tensor leaf of a result, read as a typed array.
const leaves = (r: unknown, out: Array<Tensor>): Array<Tensor> => {
  if (r instanceof ConcreteTensor) out.push(r)
  else if (Array.isArray(r)) { for (const x of r) leaves(x, out) }
  return out
}

const main = async () => {
  const filter = process.argv[2]
  await tfjsWasm.activate()
  await jaxjsJit.activate()
  const backend = makeTypedArrayBackend({ threads: 1 })
  const run = <A>(e: Effect.Effect<A, unknown>): A => runSyncOn(backend, e)
  // host data as is, else the backend's synchronous read (as the benchmark's diffect library reads)
  const read = (r: unknown) => {
    for (const t of leaves(r, [])) {
      const c = t as ConcreteTensor
      if (c.host === undefined) c.buffer!.backend.readSync!(c.buffer!, c.aval)
    }
  }
  const rows: Array<string> = []
  for (const c of cases) {
    if (filter !== undefined && !c.name.includes(filter)) continue
    const data = c.shapes.map((s) => values(size(s)))
    const idx = c.indices === undefined
      ? undefined
      : Int32Array.from({ length: c.indices[0] }, (_, i) => (i * 7919) % c.indices![1])
    const ins = run(Effect.sync((): Array<Tensor> => [
      ...data.map((d, k) => np.array(d).reshape([...c.shapes[k]!])),
      ...(idx === undefined ? [] : [np.array(idx, { dtype: "int32" })])
    ]))
    // an Effect (a transformation's result) runs, as jit's does
    const eager = await time(() =>
      read(run(Effect.suspend(() => {
        const r = c.diffect(...ins)
        return Effect.isEffect(r) ? (r as Effect.Effect<unknown, unknown>) : Effect.succeed(r)
      })))
    )
    const compiled = jit((...xs: Array<Tensor>) => c.diffect(...xs))
    const jitted = await time(() => read(run(compiled(...ins) as Effect.Effect<unknown, unknown>)))
    let tfjs = NaN
    if (c.tfjs !== undefined) {
      const tins = [
        ...data.map((d, k) => tf.tensor(d, [...(c.tfjsShapes ?? c.shapes)[k]!])),
        ...(idx === undefined ? [] : [tf.tensor1d(idx, "int32")])
      ]
      tfjs = await time(() => {
        const r = c.tfjs!(...tins) as tf.Tensor | Array<tf.Tensor>
        const rs = Array.isArray(r) ? r : [r]
        for (const t of rs) t.dataSync()
        tf.dispose(rs)
      })
      tf.dispose(tins)
    }
    let jax = NaN
    if (c.jaxjs !== undefined) {
      const jins = [
        ...data.map((d, k) => jnp.array(d).reshape([...c.shapes[k]!])),
        ...(idx === undefined ? [] : [jnp.array(idx)])
      ]
      const f = jjit(c.jaxjs as (...xs: Array<JArray>) => JArray)
      const flat = (r: unknown): Array<JArray> => Array.isArray(r) ? r.flatMap(flat) : [r as JArray]
      jax = await time(async () => {
        await Promise.all(flat(f(...jins.map((a) => a.ref))).map((a) => a.data()))
      })
    }
    const peers = [tfjs, jax].filter((v) => !Number.isNaN(v))
    const best = Math.min(...peers)
    const fmt = (v: number) => (Number.isNaN(v) ? "-" : v.toFixed(v < 1 ? 3 : 2))
    rows.push(
      `| ${c.name} | ${fmt(eager)} | ${fmt(jitted)} | ${fmt(tfjs)} | ${fmt(jax)} | ${
        peers.length === 0 ? "-" : `${(Math.min(eager, jitted) / best).toFixed(2)}x`
      } |`
    )
    console.error(rows[rows.length - 1])
  }
  console.log(
    [
      `Single operations, ms per call (medians; outputs read back); diffect on one kernel thread; load average at the end ${
        loadavg().map((l) => l.toFixed(1)).join(", ")
      }; ${new Date().toISOString().slice(0, 16)} UTC.`,
      "",
      "| operation | diffect | diffect jit | tfjs wasm | jax-js jit | diffect (faster of the two) / best peer |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows
    ].join("\n")
  )
  process.exit(0)
}

void main()
