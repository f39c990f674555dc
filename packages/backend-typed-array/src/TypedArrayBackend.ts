/**
 * The typed-array (CPU) backend: buffers are typed arrays in diffect's storage
 * layout, elementwise kernels are JS loops generated from the kernel IR, and
 * the other primitives run structured kernels (blocked matmul, pairwise sums).
 *
 * @since 0.1.0
 */
import { Backend } from "@diffect/core"
import type { AbstractValue, BackendShape, DeviceBuffer, DType, FirstOrderPrimitive, Params } from "@diffect/core"
import { Effect, Layer } from "effect"
import { compileFusedLoop } from "./internal/fused.js"
import { kernels } from "./internal/kernels.js"

/**
 * A typed-array backend buffer: the data itself, in storage layout (complex
 * interleaved, bool as bytes). Buffers are never written after creation, so
 * views may share one array.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface TypedArrayBuffer extends DeviceBuffer {
  readonly data: DType.HostArray
}

class Buffer implements TypedArrayBuffer {
  constructor(readonly backend: BackendShape, readonly data: DType.HostArray) {}
}

/**
 * Makes a typed-array backend. It holds no resources: every buffer is an
 * ordinary garbage-collected typed array.
 *
 * @example
 * import { aval, makeTypedArrayBackend } from "diffect/extend"
 * const backend = makeTypedArrayBackend()
 * const x = backend.fromHost(new Float32Array([1, 2]), aval([2], "float32"))
 * const [y] = backend.execute("neg", [x], [aval([2], "float32")], {}, [aval([2], "float32")])
 * console.log(backend.readSync!(y!, aval([2], "float32"))) // Float32Array(2) [-1, -2]
 *
 * @category Backends
 * @since 0.1.0
 */
export const makeTypedArrayBackend = (): BackendShape => {
  const backend: BackendShape = {
    name: "typed-array",
    supportsDType: () => true,
    fromHost: (data) => new Buffer(backend, data),
    execute: <P extends FirstOrderPrimitive>(
      primitive: P,
      inputs: ReadonlyArray<DeviceBuffer>,
      inAvals: ReadonlyArray<AbstractValue>,
      params: Params<P>,
      outAvals: ReadonlyArray<AbstractValue>
    ): ReadonlyArray<DeviceBuffer> => {
      const data = new Array<DType.HostArray>(inputs.length)
      for (let i = 0; i < inputs.length; i++) data[i] = (inputs[i] as TypedArrayBuffer).data
      const outs = kernels[primitive](data, inAvals, params, outAvals)
      return outs.length === 1 ? [new Buffer(backend, outs[0]!)] : outs.map((o) => new Buffer(backend, o))
    },
    read: (buffer) => Effect.succeed((buffer as TypedArrayBuffer).data),
    readSync: (buffer) => (buffer as TypedArrayBuffer).data,
    compileFused: (spec) => {
      const { loop, source } = compileFusedLoop(spec)
      return {
        source,
        run: (inputs, outputs) => {
          const data = new Array<DType.HostArray>(inputs.length)
          for (let i = 0; i < inputs.length; i++) data[i] = (inputs[i] as TypedArrayBuffer).data
          const reuse = outputs?.map((o) => (o as TypedArrayBuffer | undefined)?.data)
          return loop(data, reuse).map((o, i) => {
            const given = outputs?.[i]
            return given !== undefined && (given as TypedArrayBuffer).data === o ? given : new Buffer(backend, o)
          })
        }
      }
    }
  }
  return backend
}

/**
 * The typed-array backend as a `Backend` layer.
 *
 * @example
 * import { Backend, TypedArrayBackend } from "diffect"
 * import { Effect } from "effect"
 * const name = Effect.gen(function*() {
 *   return (yield* Backend).name
 * }).pipe(Effect.provide(TypedArrayBackend.layer))
 * console.log(Effect.runSync(name)) // typed-array
 *
 * @category Backends
 * @since 0.1.0
 */
export const TypedArrayBackend: { readonly layer: Layer.Layer<Backend> } = {
  layer: Layer.succeed(Backend, Backend.of(makeTypedArrayBackend()))
}
