import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Checkpoint, np, optim, runSync, Tensor, toJsSync } from "diffect"
import { Effect, Schema } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// The error a failed Effect carries (runSync throws the tagged error itself).
const failure = (effect: Effect.Effect<unknown, unknown, never>): { _tag: string; message: string } => {
  try {
    runSync(effect as Effect.Effect<unknown, unknown, never>)
  } catch (e) {
    return e as { _tag: string; message: string }
  }
  throw new Error("expected a failure")
}

describe("Checkpoint.encode: the safetensors format", () => {
  it("writes a file equal byte for byte to one built from the specification", () => {
    const tree = {
      layer: { w: np.array([[1, 2], [3, 4]]), b: np.array([0.5], { dtype: "float64" }) },
      step: np.array(7, { dtype: "int32" }),
      mask: np.array([true, false, true])
    }
    const bytes = runSync(Checkpoint.encode(tree, { metadata: { format: "pt" } }))

    // The specification (huggingface/safetensors README): an 8-byte little-endian header
    // length N, N bytes of JSON padded with spaces to a multiple of 8, then the data.
    // Tensors are laid out as the reference writer does: widest dtype first (F64, F32,
    // I32, BOOL), then by name; `__metadata__` first in the header.
    const header = `{"__metadata__":{"format":"pt"},` +
      `"layer.b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},` +
      `"layer.w":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]},` +
      `"step":{"dtype":"I32","shape":[],"data_offsets":[24,28]},` +
      `"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[28,31]}}`
    const padded = header + " ".repeat((8 - (header.length % 8)) % 8)
    const expected = new Uint8Array(8 + padded.length + 31)
    const view = new DataView(expected.buffer)
    view.setBigUint64(0, BigInt(padded.length), true)
    for (let i = 0; i < padded.length; i++) expected[8 + i] = padded.charCodeAt(i)
    const data = 8 + padded.length
    view.setFloat64(data, 0.5, true)
    ;[1, 2, 3, 4].forEach((x, i) => view.setFloat32(data + 8 + 4 * i, x, true))
    view.setInt32(data + 24, 7, true)
    expected.set([1, 0, 1], data + 28)

    assert.strictEqual(padded.length % 8, 0)
    assert.deepStrictEqual([...bytes], [...expected])
  })

  it("an empty tree is a header of {} padded to 8 bytes and no data", () => {
    const bytes = runSync(Checkpoint.encode({}))
    assert.deepStrictEqual([...bytes], [8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32])
  })

  it("names leaves by their path joined with dots", () => {
    assert.strictEqual(Checkpoint.keyOf(["layers", 0, "w"]), "layers.0.w")
    const { tensors } = runSync(Checkpoint.read(runSync(Checkpoint.encode({ layers: [{ w: np.zeros(1) }] }))))
    assert.deepStrictEqual(Object.keys(tensors), ["layers.0.w"])
  })

  it("two paths with one name are a CheckpointKeyError naming the path", () => {
    const e = failure(Checkpoint.encode({ "a.b": np.zeros(1), a: { b: np.zeros(1) } }))
    assert.strictEqual(e._tag, "CheckpointKeyError")
    assert.include(e.message, `"a.b"`)
  })

  it("dtypes safetensors cannot hold and non-tensor leaves are typed errors", () => {
    assert.strictEqual(
      failure(Checkpoint.encode({ z: np.zeros(2, { dtype: "complex128" }) }))._tag,
      "UnsupportedDTypeError"
    )
    const e = failure(Checkpoint.encode({ n: 3 }))
    assert.strictEqual(e._tag, "CheckpointKeyError")
    assert.include(e.message, `["n"]`)
  })
})

describe("Checkpoint.decode: round trips validated by schemas", () => {
  const params = {
    dense: [{ w: np.array([[0.25, -1], [2, 3.5]]), b: np.array([0.125, 0]) }, {
      w: np.array([[1], [2]]),
      b: np.array([-4])
    }],
    scale: np.array(1.5, { dtype: "float64" })
  }

  it("parameters and an adam state come back equal (template tensors as the schema)", () => {
    const opt = optim.adam(0.1)
    const grads = {
      dense: [{ w: np.onesLike(params.dense[0]!.w), b: np.onesLike(params.dense[0]!.b) }, {
        w: np.onesLike(params.dense[1]!.w),
        b: np.onesLike(params.dense[1]!.b)
      }],
      scale: np.array(0.5, { dtype: "float64" })
    }
    const [, state] = opt.update(grads, opt.init(params))
    const tree = { params, state }
    const bytes = runSync(Checkpoint.encode(tree))
    const loaded = runSync(Checkpoint.decode(bytes, { params, state: opt.init(params) }))
    assert.deepStrictEqual(toJsSync(loaded), toJsSync(tree))
    assert.strictEqual(loaded.state[0].count.dtype, "int32")
    assert.strictEqual(loaded.params.scale.dtype, "float64")
  })

  it("a pytree of Tensor.schema leaves", () => {
    const bytes = runSync(Checkpoint.encode(params))
    const f32 = (shape: ReadonlyArray<number | null>) => Tensor.schema({ dtype: "float32", shape })
    const schema = {
      dense: [{ w: f32([2, 2]), b: f32([2]) }, { w: f32([null, 1]), b: f32([1]) }],
      scale: Tensor.schema({ dtype: "float64", shape: [] })
    }
    const loaded = runSync(Checkpoint.decode(bytes, schema))
    assert.deepStrictEqual(toJsSync(loaded.dense[1]!.w), [[1], [2]])
    assert.strictEqual(toJsSync(loaded.scale), 1.5)
  })

  it("an Effect Schema.Struct for a subtree", () => {
    const Dense = Schema.Struct({ w: Tensor.schema({ shape: [2, 2] }), b: Tensor.schema({ shape: [2] }) })
    const bytes = runSync(Checkpoint.encode({ dense: params.dense[0]! }))
    const loaded = runSync(Checkpoint.decode(bytes, { dense: Dense }))
    assert.deepStrictEqual(toJsSync(loaded.dense.b), [0.125, 0])
  })

  it("a shape mismatch is a CheckpointSchemaError naming the path and both types", () => {
    const bytes = runSync(Checkpoint.encode({ w: np.zeros([2, 4]) }))
    const e = failure(Checkpoint.decode(bytes, { w: Tensor.schema({ dtype: "float32", shape: [2, 3] }) }))
    assert.strictEqual(e._tag, "CheckpointSchemaError")
    assert.strictEqual(e.message, `Checkpoint tensor "w" (at ["w"]): expected f32[2,3], got f32[2,4]`)
  })

  it("a missing name and an unused name are CheckpointKeyErrors", () => {
    const bytes = runSync(Checkpoint.encode({ a: np.zeros(1), b: np.zeros(1) }))
    const missing = failure(Checkpoint.decode(bytes, { a: Tensor.schema(), c: Tensor.schema() }))
    assert.strictEqual(missing._tag, "CheckpointKeyError")
    assert.strictEqual(missing.message, `Checkpoint at ["c"]: the checkpoint has no tensor named "c"`)
    const extra = failure(Checkpoint.decode(bytes, { a: Tensor.schema() }))
    assert.strictEqual(extra.message, `Checkpoint: the checkpoint has tensors the schema does not name: "b"`)
  })

  it("malformed bytes are CheckpointFormatErrors", () => {
    const good = runSync(Checkpoint.encode({ w: np.array([1, 2]) }))
    const tag = (bytes: Uint8Array) => failure(Checkpoint.read(bytes))
    assert.include(tag(good.subarray(0, 4)).message, "shorter than the 8-byte header length")
    assert.include(tag(good.subarray(0, 20)).message, "exceeds")
    assert.include(tag(good.subarray(0, good.length - 1)).message, "outside the 7 data bytes")
    const badJson = good.slice()
    badJson[8] = 0x5b // "["
    assert.strictEqual(tag(badJson)._tag, "CheckpointFormatError")
    const f16 = new TextEncoder().encode(`{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`)
    const file = new Uint8Array(8 + f16.length + 2)
    new DataView(file.buffer).setBigUint64(0, BigInt(f16.length), true)
    file.set(f16, 8)
    assert.include(tag(file).message, `"x" has dtype "F16"`)
  })
})

describe("Checkpoint.save and load: files through the FileSystem service", () => {
  it.effect("round trip through a file", () =>
    Effect.gen(function*() {
      const path = join(mkdtempSync(join(tmpdir(), "diffect-")), "params.safetensors")
      const tree = { w: np.array([[1, 2], [3, 4]]), n: np.array(3, { dtype: "int32" }) }
      yield* Checkpoint.save(path, tree, { metadata: { step: "3" } })
      const loaded = yield* Checkpoint.load(path, {
        w: Tensor.schema({ shape: [2, 2] }),
        n: Tensor.schema({ dtype: "int32" })
      })
      assert.deepStrictEqual(toJsSync(loaded), { w: [[1, 2], [3, 4]], n: 3 })
      const error = yield* Effect.flip(Checkpoint.load(join(path, "missing"), {}))
      assert.strictEqual(error._tag, "PlatformError")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
