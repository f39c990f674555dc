/**
 * Checkpoints under hostile use: every dtype the format holds (uint32 PRNG keys
 * included) round trips exactly, and bytes that are corrupted, crafted or
 * truncated are typed errors naming what is wrong, never a crash, a hang or a
 * silently wrong value.
 */
import { assert, describe, it } from "@effect/vitest"
import { Checkpoint, np, random, runSync, Tensor, toJsSync } from "diffect"
import { Effect, Schema } from "effect"

// The error a failed Effect carries (runSync throws the tagged error itself).
const failure = (effect: Effect.Effect<unknown, unknown, never>): { _tag: string; message: string } => {
  try {
    runSync(effect)
  } catch (e) {
    return e as { _tag: string; message: string }
  }
  throw new Error("expected a failure")
}

// A safetensors file from a header written by hand (JSON text or a value) and its data bytes.
const file = (header: unknown, data: ArrayLike<number> = []): Uint8Array => {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header))
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}

const headerOf = (bytes: Uint8Array): Record<string, { dtype: string; data_offsets: [number, number] }> => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)))
}

describe("every dtype the format holds round trips exactly", () => {
  it("uint32 is U32, stored between I32 and F32 as the reference orders its dtypes", () => {
    const tree = {
      a: np.array([1.5], { dtype: "float32" }),
      b: np.array([0, 1, 4294967295], { dtype: "uint32" }),
      c: np.array([-7], { dtype: "int32" })
    }
    const bytes = runSync(Checkpoint.encode(tree))
    const header = headerOf(bytes)
    // widest first: F32 (rank 3), U32 (2), I32 (1); before, uint32 was an UnsupportedDTypeError
    assert.deepStrictEqual(
      [header["a"]!.dtype, header["b"]!.dtype, header["c"]!.dtype],
      ["F32", "U32", "I32"]
    )
    assert.deepStrictEqual(header["a"]!.data_offsets, [0, 4])
    assert.deepStrictEqual(header["b"]!.data_offsets, [4, 16])
    assert.deepStrictEqual(header["c"]!.data_offsets, [16, 20])
    const loaded = runSync(Checkpoint.decode(bytes, tree))
    assert.strictEqual(loaded.b.dtype, "uint32")
    assert.deepStrictEqual(toJsSync(loaded), { a: [1.5], b: [0, 1, 4294967295], c: [-7] })
  })

  it("a PRNG key saved with the parameters draws the same numbers after loading", () => {
    const key = random.key(42)
    const bytes = runSync(Checkpoint.encode({ key, w: np.ones([2]) }))
    const loaded = runSync(
      Checkpoint.decode(bytes, { key: Tensor.schema({ dtype: "uint32", shape: [2] }), w: np.ones([2]) })
    )
    assert.deepStrictEqual(toJsSync(loaded.key), toJsSync(key))
    assert.deepStrictEqual(toJsSync(random.normal(loaded.key, [3])), toJsSync(random.normal(key, [3])))
  })

  it("bool, int32, float32, float64 and complex64 of empty, scalar and nested shapes", () => {
    const tree = {
      flags: np.array([true, false, true]),
      none: np.zeros([2, 0, 3], { dtype: "int32" }),
      scalar: np.array(-2.5, { dtype: "float64" }),
      z: np.array([{ re: 1, im: -2 }, { re: 0.5, im: 3 }], { dtype: "complex64" }),
      nested: [{ w: np.array([[NaN, Infinity], [-0, -Infinity]]) }, [np.array(true)]]
    }
    const bytes = runSync(Checkpoint.encode(tree))
    const schema = {
      flags: Tensor.schema({ dtype: "bool", shape: [3] }),
      none: Tensor.schema({ dtype: "int32", shape: [2, 0, 3] }),
      scalar: Tensor.schema({ dtype: "float64", shape: [] }),
      z: Tensor.schema({ dtype: "complex64", shape: [2] }),
      nested: Schema.Tuple([
        Schema.Struct({ w: Tensor.schema({ dtype: "float32", shape: [2, 2] }) }),
        Schema.Tuple([Tensor.schema({ dtype: "bool", shape: [] })])
      ])
    }
    const loaded = runSync(Checkpoint.decode(bytes, schema))
    const w = toJsSync(loaded.nested[0].w) as Array<Array<number>>
    assert.isTrue(Number.isNaN(w[0]![0]))
    assert.deepStrictEqual([w[0]![1], w[1]![1]], [Infinity, -Infinity])
    assert.isTrue(Object.is(w[1]![0], -0))
    assert.deepStrictEqual(toJsSync(loaded.flags), [true, false, true])
    assert.deepStrictEqual(loaded.none.shape, [2, 0, 3])
    assert.strictEqual(toJsSync(loaded.scalar), -2.5)
    assert.deepStrictEqual(toJsSync(loaded.z), [{ re: 1, im: -2 }, { re: 0.5, im: 3 }])
    assert.strictEqual(toJsSync(loaded.nested[1][0]), true)
  })
})

describe("what cannot be written is refused at encode", () => {
  it("a tensor named __metadata__ (it would replace the header's metadata and the file could not be read)", () => {
    const e = failure(Checkpoint.encode({ __metadata__: np.ones(1) }))
    assert.strictEqual(e._tag, "CheckpointKeyError")
    assert.include(e.message, `Checkpoint at ["__metadata__"]: its name "__metadata__" is the safetensors header's`)
  })

  it("metadata that is not string pairs is an ArgumentError (a number made a file no reader accepts)", () => {
    const e = failure(Checkpoint.encode({ w: np.ones(1) }, { metadata: { step: 3 as unknown as string } }))
    assert.strictEqual(e._tag, "ArgumentError")
    assert.strictEqual(e.message, `Checkpoint.encode: metadata["step"] must be a string, got the number 3`)
    // null was a plain TypeError thrown from Object.keys
    const n = failure(Checkpoint.encode({ w: np.ones(1) }, { metadata: null as unknown as { a: string } }))
    assert.strictEqual(n._tag, "ArgumentError")
  })

  it("float0 and complex128 have no safetensors dtype", () => {
    assert.strictEqual(
      failure(Checkpoint.encode({ t: np.zeros([2], { dtype: "float0" }) }))._tag,
      "UnsupportedDTypeError"
    )
  })
})

describe("crafted and corrupted files are CheckpointFormatErrors", () => {
  const f32 = (shape: ReadonlyArray<number>, bytes: number) => ({ dtype: "F32", shape, data_offsets: [0, bytes] })

  it("a dtype named like an Object property is an unknown dtype (it was an ArgumentError from deep inside)", () => {
    for (const dtype of ["toString", "__proto__", "constructor"]) {
      const e = failure(Checkpoint.read(file({ w: { dtype, shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0])))
      assert.strictEqual(e._tag, "CheckpointFormatError")
      assert.strictEqual(
        e.message,
        `Invalid safetensors data: "w" has dtype "${dtype}"; diffect reads BOOL, I32, U32, F32, C64, F64`
      )
    }
  })

  it("shapes whose element count overflows are refused (a RangeError escaped before)", () => {
    for (const shape of [[2 ** 53, 2 ** 53, 0], [1e300, 0], [2 ** 32, 0], [2 ** 31, 2 ** 31, 4]]) {
      const e = failure(Checkpoint.read(file({ w: f32(shape, 0) })))
      assert.strictEqual(e._tag, "CheckpointFormatError", JSON.stringify(shape))
      assert.include(e.message, "its element count overflows, or a dimension exceeds 4294967295")
    }
  })

  it("BOOL bytes other than 0 and 1 (read as true, then summed as 2 or 255)", () => {
    const e = failure(Checkpoint.read(file({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, [1, 0, 2])))
    assert.strictEqual(e.message, `Invalid safetensors data: "m" is BOOL but its element 2 is the byte 2, not 0 or 1`)
  })

  it("a tensor named __proto__ is an entry like any other (it replaced the prototype of the result)", () => {
    const { tensors } = runSync(Checkpoint.read(file(`{"__proto__":${JSON.stringify(f32([1], 4))}}`, [0, 0, 128, 63])))
    assert.deepStrictEqual(Object.keys(tensors), ["__proto__"])
    assert.deepStrictEqual(toJsSync(tensors["__proto__"]!), [1])
  })

  it("a schema key named like an Object property is looked up in the file only", () => {
    const bytes = runSync(Checkpoint.encode({ w: np.ones(1) }))
    const e = failure(Checkpoint.decode(bytes, { w: Tensor.schema(), toString: Tensor.schema() }))
    assert.strictEqual(e._tag, "CheckpointKeyError")
    assert.strictEqual(e.message, `Checkpoint at ["toString"]: the checkpoint has no tensor named "toString"`)
  })

  it("names that make one key both a tensor and a node are a CheckpointSchemaError (the stack overflowed)", () => {
    const bytes = file({ a: f32([1], 4), "a.b": { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8))
    const e = failure(Checkpoint.decode(bytes, { a: Schema.Struct({ b: Tensor.schema({ shape: [1] }) }) }))
    assert.strictEqual(e._tag, "CheckpointSchemaError")
    assert.include(e.message, `the checkpoint has both "a" and "a.b"`)
    const root = file({ "": f32([1], 4), ".b": { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8))
    assert.strictEqual(failure(Checkpoint.decode(root, Schema.Struct({}))).message.includes(`both "" and ".b"`), true)
  })
})
