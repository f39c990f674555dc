/**
 * `DType.allocHost` and `DType.recycleHost`: storage handed back is reused for
 * the next allocation of its byte length, zero-filled; storage that cannot be
 * owned alone (shared memory, part of a larger buffer), small, detached,
 * handed back twice, or past the pool's limit is not.
 */
import { DType } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { clearStoragePool, POOL_MAX_BYTES, pooledStorageBytes } from "../src/internal/hostPool.js"

describe("DType.allocHost reuses recycled storage", () => {
  it("a recycled array's storage comes back zero-filled, for any dtype of the same byte length", () => {
    clearStoragePool()
    const a = DType.allocHost("float64", 32768) // 256 KiB
    a.fill(Math.PI)
    DType.recycleHost(a)
    assert.strictEqual(pooledStorageBytes(), 262144)
    const b = DType.allocHost("int32", 65536)
    assert.strictEqual(b.buffer, a.buffer)
    assert.isTrue(b.every((v) => v === 0))
    assert.strictEqual(pooledStorageBytes(), 0)
    const c = DType.allocHost("complex64", 32768)
    assert.notStrictEqual(c.buffer, a.buffer, "taken once")
    assert.strictEqual(c.length, 65536)
  })

  it("handing the same storage back twice gives it to one owner only", () => {
    clearStoragePool()
    const a = DType.allocHost("float32", 65536)
    DType.recycleHost(a)
    DType.recycleHost(a)
    assert.strictEqual(pooledStorageBytes(), 262144)
    const b = DType.allocHost("float32", 65536)
    const c = DType.allocHost("float32", 65536)
    assert.strictEqual(b.buffer, a.buffer)
    assert.notStrictEqual(c.buffer, a.buffer)
  })

  it("shared memory, a part of a larger buffer, small storage and detached storage are not pooled", () => {
    clearStoragePool()
    DType.recycleHost(new Float32Array(new SharedArrayBuffer(262144)))
    DType.recycleHost(new Float32Array(131072).subarray(0, 65536))
    DType.recycleHost(new Float32Array(1023)) // 4,092 bytes: under the pool's 4 KiB floor
    assert.strictEqual(pooledStorageBytes(), 0)
    DType.recycleHost(new Float32Array(1024)) // 4 KiB: pooled
    assert.strictEqual(pooledStorageBytes(), 4096)
    clearStoragePool()
    const moved = new Float32Array(65536)
    DType.recycleHost(moved)
    structuredClone(moved.buffer, { transfer: [moved.buffer] }) // detaches the pooled storage
    const fresh = DType.allocHost("float32", 65536)
    assert.strictEqual(fresh.length, 65536, "a detached storage is dropped, not handed out")
    assert.notStrictEqual(fresh.buffer, moved.buffer)
  })

  it("the pool holds at most POOL_MAX_BYTES", () => {
    clearStoragePool()
    const size = 8 * 1024 * 1024
    const count = POOL_MAX_BYTES / size + 2
    for (let i = 0; i < count; i++) DType.recycleHost(new Uint8Array(size))
    assert.strictEqual(pooledStorageBytes(), POOL_MAX_BYTES)
    clearStoragePool()
    assert.strictEqual(pooledStorageBytes(), 0)
  })
})
