// Tensor.ts and TensorSchema.ts import each other (Tensor.schema delegates to TensorSchema).
// This file loads TensorSchema.ts first (dynamic imports keep the order from the import
// sorter); schema.test.ts and tree.test.ts load Tensor.ts first. Both orders must evaluate
// without touching a binding before it exists.
import { assert, it } from "@effect/vitest"
import { Schema } from "effect"

it("TensorSchema.ts loaded before Tensor.ts works", async () => {
  const TensorSchema = await import("../src/TensorSchema.js")
  const { aval, ConcreteTensor, Tensor } = await import("../src/Tensor.js")
  const x = new ConcreteTensor(aval([2], "float32"), new Float32Array(2), undefined)
  assert.strictEqual(Schema.decodeUnknownSync(Tensor.schema({ dtype: "float32", shape: [2] }))(x), x)
  assert.strictEqual(Schema.decodeUnknownSync(TensorSchema.fromJs({ shape: [2] }))([1, 2]).dtype, "float32")
})
