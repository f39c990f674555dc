/**
 * Recycled storage: a released buffer whose storage no one else holds gives it
 * back to `DType.allocHost`; storage that escaped (read, wrapped from the host)
 * or that another live buffer shares (a view, an alias) is never reused while
 * it can still be seen. The property test runs random programs of kernels,
 * views, reads and releases against a model of every live buffer's values.
 */
import { aval, DType, Kernel } from "@diffect/core"
import type { DeviceBuffer } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { makeTypedArrayBackend } from "../src/index.js"
import { compileFusedLoop } from "../src/internal/fused.js"

// 65,536 float32 elements: 256 KiB (the pool keeps storage of 4 KiB and up)
const N = 65536
const shape = [N]
const a = aval(shape, "float32")
const backend = makeTypedArrayBackend({ threads: 1 })
const storage = (b: DeviceBuffer) => backend.peekSync!(b, a).buffer
const neg = (x: DeviceBuffer) => backend.execute("neg", [x], [a], {}, [a])[0]!
const host = (v: number) => new Float32Array(N).fill(v)
const reshape = (x: DeviceBuffer) =>
  backend.execute("reshape", [x], [a], { newSizes: [2, N / 2] }, [aval([2, N / 2], "float32")])[0]!

describe("recycled storage", () => {
  it("a released output's storage is the next output's, zero-filled by allocHost", () => {
    const x = backend.fromHost(host(3), a)
    const y = neg(x)
    const first = storage(y)
    backend.release!(y)
    const again = DType.allocHost("float32", N)
    assert.strictEqual(again.buffer, first)
    assert.isTrue(again.every((v) => v === 0))
    DType.recycleHost(again)
    const z = neg(x)
    assert.strictEqual(storage(z), first)
    assert.deepStrictEqual(Array.from(backend.peekSync!(z, a)).slice(0, 3), [-3, -3, -3])
  })

  it("allocHostUnfilled keeps a recycled storage's old values; the kernels that take it overwrite every element", () => {
    // storage of every size these outputs take, poisoned with NaN and handed to the pool
    const poison = (d: "float32" | "float64", size: number) => {
      const p = DType.allocHost(d, size).fill(NaN)
      DType.recycleHost(p)
      return p.buffer
    }
    const p = poison("float32", N)
    const u = DType.allocHostUnfilled("float32", N)
    assert.strictEqual(u.buffer, p)
    assert.isTrue(u.every(Number.isNaN))
    DType.recycleHost(u)
    // a float32 product on the wasm tile ([256, 64] @ [64, 256]), a float64 one, and one with an
    // empty contraction ([256, 0] @ [0, 256]: zeros), each into poisoned storage
    const product = (d: "float32" | "float64", k: number) => {
      poison(d, N)
      const lhs = backend.fromHost(DType.allocHost(d, 256 * k).fill(0.5), aval([256, k], d))
      const rhs = backend.fromHost(DType.allocHost(d, k * 256).fill(2), aval([k, 256], d))
      const out = aval([256, 256], d)
      const [y] = backend.execute("dot_general", [lhs, rhs], [aval([256, k], d), aval([k, 256], d)], {
        contracting: [[1], [0]],
        batch: [[], []],
        precision: "default"
      }, [out])
      return Array.from(backend.peekSync!(y!, out))
    }
    assert.isTrue(product("float32", 64).every((v) => v === 64))
    assert.isTrue(product("float64", 64).every((v) => v === 64))
    assert.isTrue(product("float32", 0).every((v) => v === 0))
    // a fused SIMD group's fresh outputs: an elementwise one and a column sum
    const v = Kernel.mul(Kernel.input(0, "f32"), Kernel.input(0, "f32"))
    const { loop, source } = compileFusedLoop({
      shape: [256, 256],
      inputs: [{ dtype: "float32", strides: [256, 1] }],
      outputs: [{ dtype: "float32", lanes: [v] }, { dtype: "float32", lanes: [v], reduce: { kind: "sum", axes: [0] } }],
      rounded: new Set([v])
    })
    assert.include(source, "WebAssembly SIMD")
    poison("float32", N)
    const [squares, sums] = loop([host(3)])
    assert.isTrue(squares!.every((e) => e === 9))
    assert.isTrue(sums!.every((e) => e === 9 * 256))
    // a concatenation (a scan's stacked ys): two halves into poisoned storage
    const poisoned = poison("float32", N)
    const half = aval([N / 2], "float32")
    const [joined] = backend.execute(
      "concatenate",
      [
        backend.fromHost(new Float32Array(N / 2).fill(1), half),
        backend.fromHost(new Float32Array(N / 2).fill(2), half)
      ],
      [half, half],
      { dimension: 0 },
      [a]
    )
    const values = backend.peekSync!(joined!, a)
    assert.strictEqual(values.buffer, poisoned, "the concatenation took the poisoned storage")
    assert.isTrue(values.every((e, i) => e === (i < N / 2 ? 1 : 2)))
    // scatter-add and scatter (a gather's transpose) copy their operand into pooled storage
    for (
      const [primitive, params] of [["scatter_add", { axis: 0 }], ["scatter", { axis: 0, combine: "max" }]] as const
    ) {
      const taken = poison("float32", N)
      const idx = aval([2], "int32")
      const [scattered] = backend.execute(
        primitive,
        [
          backend.fromHost(host(1), a),
          backend.fromHost(new Int32Array([3, 5]), idx),
          backend.fromHost(new Float32Array([2, 4]), aval([2], "float32"))
        ],
        [a, idx, aval([2], "float32")],
        params,
        [a]
      )
      const out = backend.peekSync!(scattered!, a)
      assert.isTrue(out.buffer === taken, `${primitive} took the pooled storage`)
      const want = primitive === "scatter_add" ? [1, 1, 1, 3, 1, 5] : [1, 1, 1, 2, 1, 4]
      assert.deepStrictEqual(Array.from(out.subarray(0, 6)), want)
      assert.isTrue(out.subarray(6).every((e) => e === 1))
    }
  })

  it("an array handed to a reader, or wrapped from the host, is never reused", () => {
    const input = host(5)
    const x = backend.fromHost(input, a)
    const y = neg(x)
    const read = backend.readSync!(y, a)
    backend.release!(y)
    backend.release!(x)
    for (let i = 0; i < 4; i++) {
      const t = neg(backend.fromHost(host(i), a))
      assert.notStrictEqual(storage(t), read.buffer)
      assert.notStrictEqual(storage(t), input.buffer)
    }
    assert.isTrue(read.every((v) => v === -5), "the reader's array keeps its values")
    assert.isTrue(input.every((v) => v === 5))
    assert.isFalse(backend.exclusive!(backend.fromHost(input, a)), "host storage is never exclusive")
  })

  it("a view keeps its storage from reuse until the last buffer over it is released", () => {
    const y = neg(backend.fromHost(host(2), a))
    const view = reshape(y)
    assert.strictEqual(storage(view), storage(y))
    assert.isFalse(backend.exclusive!(y), "a live view shares the storage")
    backend.release!(y)
    const other = neg(backend.fromHost(host(7), a))
    assert.notStrictEqual(storage(other), storage(view))
    assert.isTrue(backend.peekSync!(view, a).every((v) => v === -2))
    const alias = backend.alias!(view)
    backend.release!(view)
    assert.isTrue(backend.exclusive!(alias), "the alias is the last owner")
    const kept = storage(alias)
    backend.release!(alias)
    assert.strictEqual(DType.allocHost("float32", N).buffer, kept)
  })

  it("adopted host data is the buffer's own: exclusive, and reused once released", () => {
    const data = DType.allocHost("float32", N)
    const b = backend.adoptHost!(data, a)
    assert.isTrue(backend.exclusive!(b))
    backend.release!(b)
    assert.strictEqual(DType.allocHost("float32", N).buffer, data.buffer)
  })

  it("random programs of kernels, views, aliases, reads and releases: every live buffer keeps its values", () => {
    type Op = { readonly kind: "upload" | "neg" | "view" | "alias" | "read" | "release"; readonly pick: number }
    const op = fc.record({
      kind: fc.constantFrom("upload", "neg", "view", "alias", "read", "release"),
      pick: fc.nat()
    }) as fc.Arbitrary<Op>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const b = makeTypedArrayBackend({ threads: 1 })
        const live: Array<{ buffer: DeviceBuffer; value: number }> = []
        const reads: Array<{ array: Float32Array; value: number }> = []
        let next = 1
        const add = (buffer: DeviceBuffer, value: number) => live.push({ buffer, value })
        for (const o of ops) {
          const at = live.length === 0 ? undefined : live[o.pick % live.length]!
          if (o.kind === "upload" || at === undefined) {
            add(b.fromHost(new Float32Array(N).fill(next), a), next++)
          } else if (o.kind === "neg") {
            add(b.execute("neg", [at.buffer], [a], {}, [a])[0]!, -at.value)
          } else if (o.kind === "view") {
            const [v] = b.execute("reshape", [at.buffer], [a], { newSizes: shape }, [a])
            add(v!, at.value)
          } else if (o.kind === "alias") {
            add(b.alias!(at.buffer), at.value)
          } else if (o.kind === "read") {
            reads.push({ array: b.readSync!(at.buffer, a) as Float32Array, value: at.value })
          } else {
            b.release!(at.buffer)
            live.splice(live.indexOf(at), 1)
          }
          for (const l of live) {
            const data = b.peekSync!(l.buffer, a)
            if (data[0] !== l.value || data[N - 1] !== l.value) return false
          }
          for (const r of reads) if (r.array[0] !== r.value || r.array[N - 1] !== r.value) return false
        }
        for (const l of live) b.release!(l.buffer)
        return true
      }),
      { numRuns: 100 }
    )
  })
})

describe("storage ownership without reading small arrays' storage", () => {
  // 8 float32 elements (32 bytes: V8 keeps such arrays on its heap, and the backend answers for
  // them without reading `.buffer`) and 65,536 (the pool's floor)
  for (const n of [8, 65536]) {
    it(`${n} elements: random kernels, reshapes, slices, reinterpretations, aliases, reads, releases and in-place writes where exclusive keep every live value`, () => {
      type Kind = "upload" | "neg" | "reshape" | "slice" | "bitcast" | "alias" | "read" | "release" | "write"
      type Op = { readonly kind: Kind; readonly pick: number }
      const kinds: ReadonlyArray<Kind> = [
        "upload",
        "neg",
        "reshape",
        "slice",
        "bitcast",
        "alias",
        "read",
        "release",
        "write"
      ]
      const op = fc.record({ kind: fc.constantFrom(...kinds), pick: fc.nat() }) as fc.Arbitrary<Op>
      const full = aval([n], "float32")
      const half = aval([n / 2], "float32")
      let exclusiveWrites = 0
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
          const b = makeTypedArrayBackend({ threads: 1 })
          const live: Array<{ buffer: DeviceBuffer; value: number; av: typeof full }> = []
          const reads: Array<{ array: Float32Array; value: number }> = []
          let next = 1
          for (const o of ops) {
            const at = live.length === 0 ? undefined : live[o.pick % live.length]!
            if (o.kind === "upload" || at === undefined) {
              live.push({ buffer: b.fromHost(new Float32Array(n).fill(next), full), value: next++, av: full })
            } else if (o.kind === "neg") {
              live.push({
                buffer: b.execute("neg", [at.buffer], [at.av], {}, [at.av])[0]!,
                value: -at.value,
                av: at.av
              })
            } else if (o.kind === "reshape") {
              const [v] = b.execute("reshape", [at.buffer], [at.av], { newSizes: at.av.shape }, [at.av])
              live.push({ buffer: v!, value: at.value, av: at.av })
            } else if (o.kind === "slice") {
              // a leading block: a view over the operand's storage
              const size = at.av.shape[0]! / 2
              if (size < 2) continue
              const out = aval([size], "float32")
              const [v] = b.execute("slice", [at.buffer], [at.av], {
                startIndices: [0],
                limitIndices: [size],
                strides: null
              }, [out])
              live.push({ buffer: v!, value: at.value, av: out.shape[0] === n / 2 ? half : out })
            } else if (o.kind === "bitcast") {
              const [v] = b.execute("bitcast_convert_type", [at.buffer], [at.av], { newDtype: "float32" }, [at.av])
              live.push({ buffer: v!, value: at.value, av: at.av })
            } else if (o.kind === "alias") {
              live.push({ buffer: b.alias!(at.buffer), value: at.value, av: at.av })
            } else if (o.kind === "read") {
              reads.push({ array: b.readSync!(at.buffer, at.av) as Float32Array, value: at.value })
            } else if (o.kind === "write") {
              // what donation does: overwrite a buffer the backend calls exclusive
              if (!b.exclusive!(at.buffer)) continue
              exclusiveWrites++
              b.peekSync!(at.buffer, at.av).fill(next)
              at.value = next++
            } else {
              b.release!(at.buffer)
              live.splice(live.indexOf(at), 1)
            }
            for (const l of live) {
              const data = b.peekSync!(l.buffer, l.av)
              if (data[0] !== l.value || data[data.length - 1] !== l.value) return false
            }
            for (const r of reads) if (r.array[0] !== r.value || r.array[r.array.length - 1] !== r.value) return false
          }
          for (const l of live) b.release!(l.buffer)
          return true
        }),
        { numRuns: 200, seed: 20261205 }
      )
      assert.isAbove(exclusiveWrites, 0, "some buffers were exclusive")
    })
  }
})
