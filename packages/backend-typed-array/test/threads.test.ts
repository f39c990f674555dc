/**
 * Threads (internal/threads.ts): a product split across workers over shared
 * WebAssembly memory gives the same bits for any number of threads; the pool
 * of `TypedArrayBackend.layerWith({ threads })` belongs to the layer's scope.
 */
import { aval, Backend, BackendError } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { makePool } from "../src/internal/threads.js"
import { i32, moduleBytes, op, whileBelow } from "../src/internal/wasm.js"
import { gemmF32, setGemmSwap, setRelaxedSimd, wasmGemmKernel, wasmGemmShared } from "../src/internal/wasmGemm.js"
import { TypedArrayBackend, type TypedArrayBackendShape } from "../src/TypedArrayBackend.js"

const random = (length: number, seed: number): Float32Array => {
  let s = seed
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return ((s >>> 8) / (1 << 24)) * 2 - 1
  })
}

const bits = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length)

/** Waits (up to 10 s) until `cond` holds: worker threads exit asynchronously. */
const eventually = (cond: () => boolean) =>
  Effect.promise(async () => {
    const start = Date.now()
    while (!cond() && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20))
    return cond()
  })

describe("thread pool", () => {
  it("the kernel's memory is shared (Node has SharedArrayBuffer)", () => {
    assert.isTrue(wasmGemmShared())
  })

  it.effect("bit-identical results for 1, 2, 3 and 5 threads, both accumulations, strided operands", () =>
    Effect.gen(function*() {
      // 203 x 301 x 190: row groups that do not divide evenly into chunks; a transposed rhs
      const [m, k, n] = [203, 301, 190]
      const a = random(m * k, 1)
      const b = random(n * k, 2)
      for (const acc of ["f32", "f64"] as const) {
        const results: Array<Uint32Array> = []
        for (const threads of [1, 2, 3, 5]) {
          const pool = makePool(threads)
          const out = new Float32Array(m * n)
          // rhs read through strides: B[p, j] = b[j * k + p]
          assert.isTrue(gemmF32(a, 0, k, 1, b, 0, 1, k, out, 0, m, k, n, acc, pool))
          assert.strictEqual(pool.started(), threads - 1, `workers started for ${threads} threads`)
          if (threads > 1) {
            // once the workers are up, they take chunks (the first call may have run before they were)
            assert.isTrue(yield* eventually(() => pool.stats().ready === threads - 1), "workers ready")
            for (let tries = 0; tries < 20 && pool.stats().workerChunks === 0; tries++) {
              assert.isTrue(gemmF32(a, 0, k, 1, b, 0, 1, k, out, 0, m, k, n, acc, pool))
            }
            assert.isAbove(pool.stats().workerChunks, 0, "workers ran chunks")
          }
          pool.close()
          results.push(bits(out))
          // and the values are the product's (the float32 bound of a k-term sum)
          for (const [i, j] of [[0, 0], [m - 1, n - 1], [101, 57]] as const) {
            let sum = 0
            let abs = 0
            for (let p = 0; p < k; p++) {
              sum += a[i * k + p]! * b[j * k + p]!
              abs += Math.abs(a[i * k + p]! * b[j * k + p]!)
            }
            assert.isAtMost(Math.abs(out[i * n + j]! - sum), (k + 1) * 2 ** -24 * abs)
          }
        }
        for (const r of results.slice(1)) assert.deepStrictEqual(r, results[0])
      }
    }))

  it("a product with few rows and an rhs past 512 KB splits through its transpose, else stays on one thread (the same bits)", () => {
    // 128 x 784 x 256 (B1's first layer): split by row groups, two threads measured slower than one
    const [k, n] = [784, 256]
    const b = random(k * n, 12)
    const cases = [[128, true, 1], [128, false, 0], [256, false, 1]] as const
    for (const [m, transposed, workers] of cases) {
      const a = random(m * k, 11)
      const pool = makePool(2)
      const solo = new Float32Array(m * n)
      const out = new Float32Array(m * n)
      assert.isTrue(gemmF32(a, 0, k, 1, b, 0, n, 1, solo, 0, m, k, n, "f32"))
      setGemmSwap(transposed)
      try {
        assert.isTrue(gemmF32(a, 0, k, 1, b, 0, n, 1, out, 0, m, k, n, "f32", pool))
      } finally {
        setGemmSwap(true)
      }
      assert.strictEqual(pool.started(), workers, `workers started for ${m} rows (transposed: ${transposed})`)
      pool.close()
      assert.deepStrictEqual(bits(out), bits(solo))
    }
  })

  it("without relaxed SIMD too (plain multiply then add)", () => {
    setRelaxedSimd(false)
    try {
      const [m, k, n] = [130, 257, 120]
      const a = random(m * k, 3)
      const b = random(k * n, 4)
      const one = new Float32Array(m * n)
      const three = new Float32Array(m * n)
      const p1 = makePool(1)
      const p3 = makePool(3)
      gemmF32(a, 0, k, 1, b, 0, n, 1, one, 0, m, k, n, "f32", p1)
      gemmF32(a, 0, k, 1, b, 0, n, 1, three, 0, m, k, n, "f32", p3)
      assert.strictEqual(p3.started(), 2)
      p3.close()
      assert.deepStrictEqual(bits(three), bits(one))
    } finally {
      setRelaxedSimd(true)
    }
  })

  it("a pool follows a rebuilt kernel (new module): its workers instantiate it too, the bits stay", () => {
    const [m, k, n] = [96, 200, 96]
    const a = random(m * k, 9)
    const b = random(k * n, 10)
    const pool = makePool(2)
    const before = new Float32Array(m * n)
    gemmF32(a, 0, k, 1, b, 0, n, 1, before, 0, m, k, n, "f64", pool)
    assert.strictEqual(pool.started(), 1)
    setRelaxedSimd(false) // rebuilds the kernel: a new module and memory
    try {
      const after = new Float32Array(m * n)
      gemmF32(a, 0, k, 1, b, 0, n, 1, after, 0, m, k, n, "f64", pool)
      assert.strictEqual(pool.started(), 1, "the same worker, sent the new module")
      assert.strictEqual(pool.live() <= 1, true)
      assert.deepStrictEqual(bits(after), bits(before))
    } finally {
      setRelaxedSimd(true)
      pool.close()
    }
  })

  it("a closed pool runs on the calling thread and still computes the product", () => {
    const pool = makePool(4)
    pool.close()
    const [m, k, n] = [100, 100, 100]
    const a = random(m * k, 5)
    const b = random(k * n, 6)
    const out = new Float32Array(m * n)
    const ref = new Float32Array(m * n)
    gemmF32(a, 0, k, 1, b, 0, n, 1, out, 0, m, k, n, "f64", pool)
    gemmF32(a, 0, k, 1, b, 0, n, 1, ref, 0, m, k, n, "f64")
    assert.strictEqual(pool.started(), 0)
    assert.deepStrictEqual(bits(out), bits(ref))
  })

  it("a chunk that traps (in a worker or the caller) is a BackendError, not a hang; the pool goes on", () => {
    const pool = makePool(2)
    const kernel = wasmGemmKernel()!
    // the f32 driver over 8 row groups with a packed lhs at the end of the 4 GiB address space
    const outOfBounds = [2 ** 31 - 64, 0, 0, 8, 2, 8, 128, 16, 256, 32]
    assert.throws(() => pool.run(kernel, kernel.drivers, 0, 8, 1, outOfBounds), BackendError)
    assert.strictEqual(pool.started(), 1)
    // the next job runs normally
    const [m, k, n] = [100, 100, 100]
    const a = random(m * k, 7)
    const out = new Float32Array(m * n)
    const ref = new Float32Array(m * n)
    gemmF32(a, 0, k, 1, a, 0, n, 1, out, 0, m, k, n, "f32", pool)
    gemmF32(a, 0, k, 1, a, 0, n, 1, ref, 0, m, k, n, "f32")
    assert.deepStrictEqual(bits(out), bits(ref))
    pool.close()
  })
})

describe("the pool's jobs, back to back", () => {
  it("no claim runs with the next job's parameters (alternating shapes, modules' regions checked)", () => {
    // fill(lo, hi, at, value): the int32 words [lo, hi) from byte `at` set to `value`
    const [lo, hi, at, value] = [0, 1, 2, 3]
    const fill = {
      name: "fill",
      params: [i32, i32, i32, i32],
      locals: [],
      body: whileBelow(lo, hi, [
        ...op.get(at),
        ...op.get(lo),
        ...op.i32Const(4),
        ...op.i32Mul,
        ...op.i32Add,
        ...op.get(value),
        0x36,
        2,
        0, // i32.store
        ...op.get(lo),
        ...op.i32Const(1),
        ...op.i32Add,
        ...op.set(lo)
      ])
    }
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true })
    const module = new WebAssembly.Module(moduleBytes([fill], 1, { maxPages: 1 }))
    const instance = new WebAssembly.Instance(module, { env: { memory } })
    const shared = { module, memory, names: ["fill"] }
    const fns = [instance.exports["fill"] as (...args: Array<number>) => void]
    const words = new Int32Array(memory.buffer)
    words.fill(-1)
    // even jobs: 5 one-word chunks at word 0; odd jobs: 96 at word 1024 (a lagging worker that saw
    // an even job complete could claim word 5 of the odd job's shape with half its arguments)
    const shapes = [{ total: 5, base: 0 }, { total: 96, base: 1024 }] as const
    const pool = makePool(3)
    try {
      for (let job = 1; job <= 6000; job++) {
        const { base, total } = shapes[job % 2]!
        pool.run(shared, fns, 0, total, 1, [base * 4, job])
        const other = shapes[(job + 1) % 2]!
        for (let i = 0; i < 128; i++) {
          const want = i < total ? job : -1
          if (words[base + i] !== want) assert.fail(`job ${job}: word ${base + i} is ${words[base + i]}, want ${want}`)
          const otherWant = job === 1 ? -1 : i < other.total ? job - 1 : -1
          if (words[other.base + i] !== otherWant) {
            assert.fail(`job ${job}: word ${other.base + i} is ${words[other.base + i]}, want ${otherWant}`)
          }
        }
      }
    } finally {
      pool.close()
    }
  })
})

describe("TypedArrayBackend.layerWith({ threads })", () => {
  const matmul = (backend: TypedArrayBackendShape, size: number) => {
    const av = aval([size, size], "float32")
    const x = backend.fromHost(random(size * size, 8), av)
    const [y] = backend.execute("dot_general", [x, x], [av, av], { contracting: [[1], [0]], batch: [[], []] }, [av])
    return backend.readSync!(y!, av) as Float32Array
  }

  it.effect("a large product starts the layer's workers; closing its scope terminates them", () =>
    Effect.gen(function*() {
      const backend = yield* Effect.scoped(
        Effect.gen(function*() {
          const b = (yield* Backend) as TypedArrayBackendShape
          assert.strictEqual(b.threads, 3)
          assert.strictEqual(b.workers(), 0, "no worker before a kernel needs one")
          const threaded = matmul(b, 128)
          assert.strictEqual(b.workers(), 2)
          return { b, threaded }
        }).pipe(Effect.provide(TypedArrayBackend.layerWith({ threads: 3 })))
      )
      // scope closed: the worker threads exit
      assert.isTrue(yield* eventually(() => backend.b.workers() === 0), "workers terminated")
      // the backend still works on the calling thread, with the same bits
      assert.deepStrictEqual(bits(matmul(backend.b, 128)), bits(backend.threaded))
    }))

  it.effect("threads: 1 never starts a worker", () =>
    Effect.gen(function*() {
      const b = (yield* Backend) as TypedArrayBackendShape
      matmul(b, 128)
      assert.strictEqual(b.workers(), 0)
    }).pipe(Effect.provide(TypedArrayBackend.layerWith({ threads: 1 }))))

  it("threads must be a positive integer (ArgumentError)", () => {
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () =>
          Effect.runSync(Effect.provide(
            Effect.gen(function*() {
              return yield* Backend
            }),
            TypedArrayBackend.layerWith({ threads })
          )),
        /threads/
      )
    }
  })

  it("options are checked when the layer is made: not an object, an unknown key, a bad limit", () => {
    for (const options of [null, 3, { thread: 2 }, { memoryLimit: -1 }, { threads: 0 }]) {
      const e = (() => {
        try {
          TypedArrayBackend.layerWith(options as never)
        } catch (error) {
          return error as { _tag?: string; message: string }
        }
        return undefined
      })()
      assert.strictEqual(e?._tag, "ArgumentError", JSON.stringify(options))
      assert.match(e!.message, /^TypedArrayBackend\.layerWith: /)
    }
  })
})
