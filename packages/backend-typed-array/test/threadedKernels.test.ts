/**
 * Fused and eager SIMD kernels split across a thread pool (src/internal/simd.ts's
 * threaded path) give the same bits for 1, 2, 3 and 4 threads, and the bits of
 * the JS loop (so of the unfused primitives): elementwise outputs are computed
 * per element, and reductions are cut into the leaves of reduce.ts's pairwise
 * tree, whose partial sums are combined in one fixed order, whatever the number
 * of threads.
 */
import { aval, Backend, DType, Kernel } from "@diffect/core"
import type { FusedKernelSpec } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { compileFusedJs, compileFusedLoop } from "../src/internal/fused.js"
import { compileSimd, setThreadMinWork, simdAvailable } from "../src/internal/simd.js"
import { makePool, type Pool } from "../src/internal/threads.js"
import { makeTypedArrayBackend, TypedArrayBackend, type TypedArrayBackendShape } from "../src/TypedArrayBackend.js"
import { sumOfSquares4M } from "./helpers.js"

/** The bytes of an array (bit-for-bit comparison: NaN payloads and -0 included). */
const bytes = (x: DType.HostArray): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength)

const sameBytes = (got: DType.HostArray, want: DType.HostArray, what: string): void => {
  const a = bytes(got)
  const b = bytes(want)
  assert.strictEqual(a.length, b.length, `${what}: length`)
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      assert.fail(`${what}: byte ${i} differs (element ${got[Math.floor(i / (a.length / got.length))]})`)
    }
  }
}

const contiguous = (shape: ReadonlyArray<number>): Array<number> =>
  shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1))

/**
 * A fusion group over `shape`: a contiguous input, a row broadcast along the
 * last axis, a scalar, a transposed (reversed-strides) read of the first input,
 * and a padded read; two elementwise outputs and, with `axes`, sum / max / min
 * roots over them.
 */
const groupSpec = (
  dtype: "float32" | "float64",
  shape: ReadonlyArray<number>,
  axes: ReadonlyArray<number> | undefined
): FusedKernelSpec => {
  const t = dtype === "float32" ? "f32" : "f64"
  const rank = shape.length
  const full = contiguous(shape)
  const [x, row, s, tr, pad] = [0, 1, 2, 3, 4].map((k) => Kernel.input(k, t))
  // float32 tanh decomposes into SIMD steps; float64 stays exact arithmetic
  const act = dtype === "float32" ? Kernel.tanh(x!) : Kernel.div(x!, Kernel.add(Kernel.abs(x!), s!))
  const v = Kernel.add(Kernel.mul(act, row!), Kernel.mul(tr!, pad!))
  let w = Kernel.sub(Kernel.max(x!, tr!), s!)
  for (let i = 0; i < 8; i++) w = Kernel.mul(Kernel.add(w, pad!), Kernel.constant(0.75, t))
  // the reversed read: the same buffer as input 0, last element first
  const reversed = full.map((st) => -st)
  const offset = full.reduce((a, st, d) => a + st * (shape[d]! - 1), 0)
  const box = { start: shape.map((n): number => (n > 2 ? 1 : 0)), count: shape.map((n) => (n > 2 ? n - 2 : n)) }
  const inputs: FusedKernelSpec["inputs"] = [
    { dtype, strides: full },
    { dtype, strides: shape.map((_, d) => (d === rank - 1 ? 1 : 0)) },
    { dtype, strides: shape.map(() => 0) },
    { dtype, strides: reversed, offset },
    // the interior of a buffer of the domain's shape shrunk by 2 on each side > 2, padded with 0.5
    {
      dtype,
      strides: contiguous(box.count),
      offset: -box.start.reduce((a, st, d) => a + st * contiguous(box.count)[d]!, 0),
      mask: { ...box, fill: 0.5 }
    }
  ]
  const outputs: Array<FusedKernelSpec["outputs"][number]> = [{ dtype, lanes: [v] }, { dtype, lanes: [w] }]
  if (axes !== undefined) {
    outputs.push(
      { dtype, lanes: [v], reduce: { kind: "sum", axes } },
      { dtype, lanes: [w], reduce: { kind: "max", axes } },
      { dtype, lanes: [v], reduce: { kind: "min", axes } }
    )
  }
  return { shape, inputs, outputs, rounded: new Set([v, w]) }
}

const inputsFor = (dtype: "float32" | "float64", shape: ReadonlyArray<number>, seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1)
  const data = (len: number, k: number) => {
    const a = DType.allocHost(dtype, len)
    for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.37 + k + seed) * 3 + (i % 29 === 0 ? 40 : 0)
    return a
  }
  const inner = shape.map((m) => (m > 2 ? m - 2 : m)).reduce((a, b) => a * b, 1)
  const x = data(n, 0)
  return [x, data(shape[shape.length - 1]!, 1), DType.allocHost(dtype, 1).fill(1.25), x, data(inner, 2)]
}

/** Runs `f` with every kernel split across the pool's threads, then restores the threshold. */
const everythingThreaded = <A>(f: () => A): A => {
  const old = setThreadMinWork(-Infinity)
  try {
    return f()
  } finally {
    setThreadMinWork(old)
  }
}

describe.skipIf(!simdAvailable())("kernels split across threads", () => {
  const pools: ReadonlyArray<Pool> = [1, 2, 3, 4].map(makePool)

  it("fused groups (broadcast, scalar, reversed and padded reads; sum, max, min roots over leading or trailing axes): the same bits for 1-4 threads and the JS loop", () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 3 })
      .filter((s) => s.reduce((a, b) => a * b, 1) >= 8)
    fc.assert(
      fc.property(
        shapeArb,
        fc.constantFrom("float32" as const, "float64" as const),
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (shape, dtype, cut, seed) => {
          // cut > 0: the trailing `cut` axes reduced; < 0: the leading ones; 0: no reduction
          const rank = shape.length
          const r = Math.min(Math.abs(cut), rank)
          const axes = cut === 0
            ? undefined
            : cut > 0
            ? Array.from({ length: r }, (_, i) => rank - r + i)
            : Array.from({ length: r }, (_, i) => i)
          const spec = groupSpec(dtype, shape, axes)
          const ins = inputsFor(dtype, shape, seed)
          const want = compileFusedJs(spec)(ins)
          everythingThreaded(() => {
            for (const pool of pools) {
              const { loop, source } = compileFusedLoop(spec, pool)
              const got = loop(ins)
              if (dtype === "float32") assert.include(source, "WebAssembly SIMD")
              for (let o = 0; o < want.length; o++) {
                sameBytes(got[o]!, want[o]!, `${dtype}[${shape}] axes ${axes}, ${pool.threads} threads, output ${o}`)
              }
            }
          })
        }
      ),
      { numRuns: 60, seed: 20261204 }
    )
  })

  it("the workers take chunks once they have the kernel (and the bits stay)", () => {
    const shape = [300, 257]
    const spec = groupSpec("float32", shape, [1])
    const ins = inputsFor("float32", shape, 3)
    const want = compileFusedJs(spec)(ins)
    const pool = makePool(3)
    try {
      everythingThreaded(() => {
        const { loop } = compileFusedLoop(spec, pool)
        const start = Date.now()
        // the workers start, receive the module, then join the jobs
        while (pool.stats().workerChunks === 0 && Date.now() - start < 10_000) {
          const got = loop(ins)
          for (let o = 0; o < want.length; o++) sameBytes(got[o]!, want[o]!, `output ${o}`)
        }
      })
      assert.strictEqual(pool.started(), 2)
      assert.isAbove(pool.stats().workerChunks, 0, "workers ran chunks")
    } finally {
      pool.close()
    }
  })

  it("more kernels than the workers keep (64): the least recently used are dropped and sent again when used", () => {
    const n = 40_000
    const x = new Float32Array(n).map((_, i) => Math.fround(Math.sin(i * 0.01)))
    // 70 kernels x * c + c (exact float32 steps), each its own module
    const kernels = Array.from({ length: 70 }, (_, c) => {
      const e = Kernel.add(Kernel.mul(Kernel.input(0, "f32"), Kernel.constant(c, "f32")), Kernel.constant(c, "f32"))
      return compileSimd("f32", [n], [{ kind: "flat" }], [e])!
    })
    const pool = makePool(2)
    try {
      everythingThreaded(() => {
        const check = (c: number) => {
          const out = new Float32Array(n)
          kernels[c]!(Array.of(x), [out], n, pool)
          for (const i of [0, 1, 777, n - 1]) assert.strictEqual(out[i], Math.fround(Math.fround(x[i]! * c) + c))
        }
        for (let round = 0; round < 2; round++) for (let c = 0; c < 70; c++) check(c)
        // the first kernels were dropped (70 > 64): used again, they are sent again and the workers join
        const before = pool.stats().workerChunks
        const start = Date.now()
        while (pool.stats().workerChunks === before && Date.now() - start < 10_000) check(0)
        assert.isAbove(pool.stats().workerChunks, before, "workers ran the re-sent kernel's chunks")
      })
    } finally {
      pool.close()
    }
  })

  it("a float32 sum of 4M values split across threads: the one-thread bits, within 1e-6 of the float64 sum", () => {
    const { data, exact, spec } = sumOfSquares4M()
    const [one] = compileFusedLoop(spec, pools[0]).loop([data])
    for (const pool of pools.slice(1)) {
      const [sum] = everythingThreaded(() => compileFusedLoop(spec, pool).loop([data]))
      sameBytes(sum!, one!, `${pool.threads} threads`)
    }
    assert.isAtMost(Math.abs(one![0]! - exact) / exact, 1e-6)
  })

  it("with the default threshold, 40 calls of a large kernel split across threads: the same bits every call", () => {
    // [512, 512] float32 with tanh: past the threshold
    const shape = [512, 512]
    const spec = groupSpec("float32", shape, [1])
    const ins = inputsFor("float32", shape, 11)
    const want = compileFusedJs(spec)(ins)
    const pool = makePool(2)
    try {
      const { loop } = compileFusedLoop(spec, pool)
      for (let call = 0; call < 40; call++) {
        const got = loop(ins)
        for (let o = 0; o < want.length; o++) sameBytes(got[o]!, want[o]!, `call ${call}, output ${o}`)
      }
      assert.strictEqual(pool.started(), 1, "the threaded path ran")
    } finally {
      pool.close()
    }
  })

  it("after close, a pool's kernels run on the calling thread (same bits)", () => {
    const shape = [64, 64]
    const spec = groupSpec("float32", shape, [0])
    const ins = inputsFor("float32", shape, 5)
    const want = compileFusedJs(spec)(ins)
    const pool = makePool(2)
    pool.close()
    const got = everythingThreaded(() => compileFusedLoop(spec, pool).loop(ins))
    for (let o = 0; o < want.length; o++) sameBytes(got[o]!, want[o]!, `output ${o}`)
    assert.strictEqual(pool.started(), 0)
  })
})

describe.skipIf(!simdAvailable())("eager kernels and jit through TypedArrayBackend.layerWith({ threads })", () => {
  const tanhGrad = (backend: TypedArrayBackendShape, n: number) => {
    const a = aval([n], "float32")
    const data = new Float32Array(n).map((_, i) => Math.sin(i * 0.01) * 4)
    const x = backend.fromHost(data, a)
    const [y] = backend.execute("tanh", [x], [a], {}, [a])
    return backend.readSync!(y!, a) as Float32Array
  }

  it.effect("eager tanh of f32[1M]: the same bits for threads 1, 2, 3, 4", () =>
    Effect.gen(function*() {
      const results: Array<Float32Array> = []
      for (const threads of [1, 2, 3, 4]) {
        results.push(
          yield* Effect.scoped(
            Effect.gen(function*() {
              const b = (yield* Backend) as TypedArrayBackendShape
              return tanhGrad(b, 1 << 20)
            }).pipe(Effect.provide(TypedArrayBackend.layerWith({ threads })))
          )
        )
      }
      for (const r of results.slice(1)) sameBytes(r, results[0]!, "tanh")
      // and the values are tanh's (the float32 approximation's bound, a few ulp)
      for (const i of [0, 1000, 123_457, (1 << 20) - 1]) {
        const x = Math.fround(Math.sin(i * 0.01) * 4)
        assert.isAtMost(Math.abs(results[0]![i]! - Math.tanh(x)), 4 * 2 ** -24)
      }
    }))
})

describe.skipIf(!simdAvailable())("the pool of a threaded SIMD kernel belongs to the layer's scope", () => {
  /** Waits (up to 10 s) until `cond` holds: worker threads exit asynchronously. */
  const eventually = (cond: () => boolean) =>
    Effect.promise(async () => {
      const start = Date.now()
      while (!cond() && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20))
      return cond()
    })
  const tanh = (backend: TypedArrayBackendShape) => {
    const a = aval([1 << 20], "float32")
    const x = backend.fromHost(new Float32Array(1 << 20).map((_, i) => Math.cos(i * 0.001) * 3), a)
    const [y] = backend.execute("tanh", [x], [a], {}, [a])
    return backend.readSync!(y!, a) as Float32Array
  }

  it.effect("a large eager tanh starts the layer's workers; closing the scope stops them; the bits stay", () =>
    Effect.gen(function*() {
      const { b, threaded } = yield* Effect.scoped(
        Effect.gen(function*() {
          const b = (yield* Backend) as TypedArrayBackendShape
          assert.strictEqual(b.workers(), 0, "no worker before a kernel needs one")
          const threaded = tanh(b)
          assert.strictEqual(b.workers(), 2)
          return { b, threaded }
        }).pipe(Effect.provide(TypedArrayBackend.layerWith({ threads: 3 })))
      )
      assert.isTrue(yield* eventually(() => b.workers() === 0), "workers terminated")
      // after the scope: the calling thread alone, the same bits
      sameBytes(tanh(b), threaded, "tanh after close")
    }))
})

describe("convolutions across threads", () => {
  // 2 x 8 x 34 x 34 inputs with OIHW [16, 8, 3, 3] kernels, VALID: 2 * 32 * 32 rows x 72 x 16, past
  // the GEMM's threshold; channels first (panels packed from the input) or last (rows of features)
  // returns the workers the three-thread backend started
  const sameBitsForThreads = (channelsLast: boolean): number => {
    const la = aval(channelsLast ? [2, 34, 34, 8] : [2, 8, 34, 34], "float32")
    const ra = aval([16, 8, 3, 3], "float32")
    const oa = aval(channelsLast ? [2, 32, 32, 16] : [2, 16, 32, 32], "float32")
    const lhs = new Float32Array(2 * 8 * 34 * 34).map((_, i) => Math.sin(i * 0.013))
    const rhs = new Float32Array(16 * 8 * 9).map((_, i) => Math.cos(i * 0.07))
    const spec = channelsLast ? [0, 3, 1, 2] : [0, 1, 2, 3]
    const params = {
      windowStrides: [1, 1],
      padding: [[0, 0], [0, 0]] as const,
      lhsDilation: [1, 1],
      rhsDilation: [1, 1],
      dimensionNumbers: { lhsSpec: spec, rhsSpec: [0, 1, 2, 3], outSpec: spec },
      featureGroupCount: 1,
      batchGroupCount: 1
    }
    const conv = (backend: TypedArrayBackendShape) => {
      const [y] = backend.execute(
        "conv_general_dilated",
        [backend.fromHost(lhs, la), backend.fromHost(rhs, ra)],
        [la, ra],
        params,
        [oa]
      )
      return backend.readSync!(y!, oa) as Float32Array
    }
    const one = makeTypedArrayBackend({ threads: 1 })
    const three = makeTypedArrayBackend({ threads: 3 })
    try {
      const want = conv(one)
      for (let call = 0; call < 3; call++) sameBytes(conv(three), want, `conv, call ${call}`)
      assert.strictEqual(one.workers(), 0)
      // one output by hand: image 1, feature 3, position (5, 7): sum over c, i, j of
      // lhs[1, c, 5 + i, 7 + j] * rhs[3, c, i, j]
      const lhsAt = (c: number, y: number, x: number) =>
        channelsLast ? ((34 + y) * 34 + x) * 8 + c : ((8 + c) * 34 + y) * 34 + x
      let sum = 0
      for (let c = 0; c < 8; c++) {
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) sum += lhs[lhsAt(c, 5 + i, 7 + j)]! * rhs[((3 * 8 + c) * 3 + i) * 3 + j]!
        }
      }
      const outAt = channelsLast ? ((32 + 5) * 32 + 7) * 16 + 3 : ((16 + 3) * 32 + 5) * 32 + 7
      assert.closeTo(want[outAt]!, sum, 1e-5)
      return three.workers()
    } finally {
      one.close()
      three.close()
    }
  }

  it("channels first (the rhs packed as panels from the input): the same bits for threads 1 and 3", () =>
    assert.strictEqual(sameBitsForThreads(false), 2, "the product started the pool's workers"))

  it("channels last (the lhs rows packed from the input): the same bits for threads 1 and 3", () =>
    assert.strictEqual(sameBitsForThreads(true), 2, "the product started the pool's workers"))
})
