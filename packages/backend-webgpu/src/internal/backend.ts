/**
 * The WebGPU `BackendShape`: a kernel table over every primitive, typed so that
 * a new primitive is a compile error here until it has a kernel.
 */
import type {
  AbstractValue,
  BackendShape,
  DeviceBuffer,
  ElementwisePrimitive,
  FirstOrderPrimitive,
  Params,
  Primitive
} from "@diffect/core"
import { BackendError, DType, fromKinds, Shape } from "@diffect/core"
import { Effect } from "effect"
import {
  fromDeviceLayout,
  requireDType,
  supportsDType,
  toDeviceLayout,
  WebGpuBuffer,
  wordsPerElement
} from "./buffer.js"
import { convGeneralDilated } from "./kernels/conv.js"
import { dotGeneral } from "./kernels/dot.js"
import { elementwise } from "./kernels/elementwise.js"
import { fft } from "./kernels/fft.js"
import { compileFused } from "./kernels/fused.js"
import { compileFusedDot } from "./kernels/fusedDot.js"
import { gather, iota, scatter, scatterAdd } from "./kernels/gather.js"
import * as linalg from "./kernels/linalg.js"
import { argReduce, cumulative, reduce } from "./kernels/reduce.js"
import { broadcastInDim, concatenate, pad, rev, slice, transpose } from "./kernels/shape.js"
import { sort, topK } from "./kernels/sort.js"
import { reduceWindow, selectAndGatherAdd, selectAndScatterAdd } from "./kernels/window.js"
import type { Runtime, Storage } from "./runtime.js"

/** A kernel: one output storage per output aval (multi-output primitives such as `split` included). */
type KernelRule<P extends Primitive> = (
  runtime: Runtime,
  inputs: ReadonlyArray<Storage>,
  inAvals: ReadonlyArray<AbstractValue>,
  params: Params<P>,
  outAvals: ReadonlyArray<AbstractValue>
) => ReadonlyArray<Storage>

/** A kernel of a single-output primitive. */
type SingleKernelRule<P extends Primitive> = (
  runtime: Runtime,
  inputs: ReadonlyArray<Storage>,
  inAvals: ReadonlyArray<AbstractValue>,
  params: Params<P>,
  outAval: AbstractValue
) => Storage

const single =
  <P extends Primitive>(rule: SingleKernelRule<P>): KernelRule<P> => (runtime, inputs, inAvals, params, outAvals) => [
    rule(runtime, inputs, inAvals, params, outAvals[0]!)
  ]

const elementwiseKernel =
  <P extends ElementwisePrimitive>(primitive: P): SingleKernelRule<P> => (runtime, inputs, inAvals, params, out) =>
    elementwise(
      runtime,
      primitive,
      inputs.map((s) => runtime.bind(s)),
      inAvals.map((a) => a.dtype),
      out.dtype,
      params,
      Shape.sizeOf(out.shape)
    )

const ew = <P extends ElementwisePrimitive>(primitive: P): KernelRule<P> => single(elementwiseKernel(primitive))

// Buffers are immutable, so a primitive that keeps the data as it is shares it.
const share: KernelRule<Primitive> = (_runtime, inputs) => [inputs[0]!]

// One strided copy per piece, each a slice of the operand along `axis`.
const split: KernelRule<"split"> = (runtime, [x], [xa], { axis }, outAvals) => {
  let start = 0
  return outAvals.map((oa) => {
    const startIndices = xa!.shape.map((_, d) => (d === axis ? start : 0))
    start += oa.shape[axis]!
    const limitIndices = xa!.shape.map((n, d) => (d === axis ? start : n))
    return slice(runtime, x!, xa!, { startIndices, limitIndices, strides: null }, oa)
  })
}

const collective = (name: string): KernelRule<Primitive> => () => {
  throw new Error(`internal: ${name} reached the WebGPU backend; collectives are handled by vmap and never executed`)
}

/**
 * Every primitive's kernel: elementwise primitives compile their kernel-IR
 * lowering (`ew`, derived from the kind table), except the two that can keep
 * their input's data; the others are listed (a missing entry is a compile error).
 */
const kernels: { readonly [P in FirstOrderPrimitive]: KernelRule<P> } = fromKinds<
  { readonly [P in FirstOrderPrimitive]: KernelRule<P> }
>(
  ew,
  {
    reduce_sum: single((runtime, [x], [xa], params, out) => reduce(runtime, "sum", x!, xa!, params.axes, out)),
    reduce_max: single((runtime, [x], [xa], params, out) => reduce(runtime, "max", x!, xa!, params.axes, out)),
    reduce_min: single((runtime, [x], [xa], params, out) => reduce(runtime, "min", x!, xa!, params.axes, out)),
    reduce_prod: single((runtime, [x], [xa], params, out) => reduce(runtime, "prod", x!, xa!, params.axes, out)),
    argmax: single((runtime, [x], [xa], params, out) => argReduce(runtime, "max", x!, xa!, params.axis, out)),
    argmin: single((runtime, [x], [xa], params, out) => argReduce(runtime, "min", x!, xa!, params.axis, out)),
    cumsum: single((runtime, [x], [xa], params, out) => cumulative(runtime, "sum", x!, xa!, params, out)),
    cumprod: single((runtime, [x], [xa], params, out) => cumulative(runtime, "prod", x!, xa!, params, out)),
    cummax: single((runtime, [x], [xa], params, out) => cumulative(runtime, "max", x!, xa!, params, out)),
    cummin: single((runtime, [x], [xa], params, out) => cumulative(runtime, "min", x!, xa!, params, out)),
    cumlogsumexp: single((runtime, [x], [xa], params, out) => cumulative(runtime, "logsumexp", x!, xa!, params, out)),
    sort: (runtime, xs, xas, params) => sort(runtime, xs, xas, params),
    top_k: (runtime, [x], [xa], params) => topK(runtime, x!, xa!, params),
    broadcast_in_dim: single((runtime, [x], [xa], params, out) => broadcastInDim(runtime, x!, xa!, params, out)),
    reshape: share,
    // storage is 32-bit words: a bitcast between 32-bit dtypes keeps them
    bitcast_convert_type: share,
    checkpoint_name: share,
    squeeze: share,
    expand_dims: share,
    transpose: single((runtime, [x], [xa], params, out) => transpose(runtime, x!, xa!, params, out)),
    rev: single((runtime, [x], [xa], params, out) => rev(runtime, x!, xa!, params, out)),
    slice: single((runtime, [x], [xa], params, out) => slice(runtime, x!, xa!, params, out)),
    pad: single((runtime, [x, v], [xa], params, out) => pad(runtime, x!, v!, xa!, params, out)),
    concatenate: single((runtime, xs, xas, params, out) => concatenate(runtime, xs, xas, params, out)),
    split,
    gather: single((runtime, [x, i], [xa, ia], params, out) => gather(runtime, x!, i!, xa!, ia!, params, out)),
    scatter_add: single((runtime, [x, i, u], [xa, ia], params, out) =>
      scatterAdd(runtime, x!, i!, u!, xa!, ia!, params, out)
    ),
    scatter: single((runtime, [x, i, u], [xa, ia], params, out) => scatter(runtime, x!, i!, u!, xa!, ia!, params, out)),
    dot_general: single((runtime, [l, r], [la, ra], params, out) => dotGeneral(runtime, l!, r!, la!, ra!, params, out)),
    conv_general_dilated: single((runtime, [l, r], [la, ra], params, out) =>
      convGeneralDilated(runtime, l!, r!, la!, ra!, params, out)
    ),
    reduce_window_sum: single((runtime, [x], [xa], params, out) => reduceWindow(runtime, "sum", x!, xa!, params, out)),
    reduce_window_max: single((runtime, [x], [xa], params, out) => reduceWindow(runtime, "max", x!, xa!, params, out)),
    reduce_window_min: single((runtime, [x], [xa], params, out) => reduceWindow(runtime, "min", x!, xa!, params, out)),
    select_and_gather_add: single((runtime, [t, x], [ta, xa], params, out) =>
      selectAndGatherAdd(runtime, t!, x!, ta!, xa!, params, out)
    ),
    select_and_scatter_add: single((runtime, [s, x], [sa, xa], params) =>
      selectAndScatterAdd(runtime, s!, x!, sa!, xa!, params)
    ),
    fft: single((runtime, [x], [xa], params, out) => fft(runtime, x!, xa!, params, out)),
    iota: single((runtime, _inputs, _inAvals, params, out) => iota(runtime, params, out)),
    cholesky: (runtime, [x], [xa], _params, [out]) => linalg.cholesky(runtime, x!, xa!, out!),
    triangular_solve: single((runtime, [a, b], [aa, ba], params, out) =>
      linalg.triangularSolve(runtime, a!, b!, aa!, ba!, params, out)
    ),
    lu: (runtime, [x], [xa], _params, outs) => linalg.lu(runtime, x!, xa!, outs),
    qr: (runtime, [x], [xa], params, outs) => linalg.qr(runtime, x!, xa!, params, outs),
    eigh: (runtime, [x], [xa], params, outs) => linalg.eigh(runtime, x!, xa!, params, outs),
    svd: (runtime, [x], [xa], params, outs) => linalg.svd(runtime, x!, xa!, params, outs),
    // JAX's eig is a CPU (LAPACK geev) operation too
    eig: () => {
      throw new BackendError({
        backend: "webgpu",
        detail: "eig (the general eigendecomposition) has no WebGPU kernel; run it on the typed-array backend"
      })
    },
    // as JAX's, the Schur decomposition and the Hessenberg reduction are CPU (LAPACK) operations
    schur: () => {
      throw new BackendError({
        backend: "webgpu",
        detail: "schur (the Schur decomposition) has no WebGPU kernel; run it on the typed-array backend"
      })
    },
    hessenberg: () => {
      throw new BackendError({
        backend: "webgpu",
        detail: "hessenberg (the Hessenberg reduction) has no WebGPU kernel; run it on the typed-array backend"
      })
    },
    psum: collective("psum"),
    pmax: collective("pmax"),
    pmin: collective("pmin"),
    axis_index: collective("axis_index"),
    all_gather: collective("all_gather"),
    psum_scatter: collective("psum_scatter"),
    ppermute: collective("ppermute"),
    all_to_all: collective("all_to_all")
  },
  {
    convert_element_type: single((runtime, inputs, inAvals, params, out) =>
      inAvals[0]!.dtype === out.dtype
        ? inputs[0]!
        : elementwiseKernel("convert_element_type")(runtime, inputs, inAvals, params, out)
    ),
    stop_gradient: share
  }
)

const READ_TIMEOUT = "60 seconds"

const toBackendError = (cause: unknown): BackendError =>
  cause instanceof BackendError
    ? cause
    : new BackendError({ backend: "webgpu", detail: `readback failed: ${String(cause)}` })

/** The backend over a runtime. */
export const makeBackend = (runtime: Runtime): BackendShape => {
  const storageOf = (buffer: DeviceBuffer): Storage => {
    if (!(buffer instanceof WebGpuBuffer) || buffer.backend !== backend) {
      throw new BackendError({
        backend: "webgpu",
        detail: "a buffer of another backend or device was passed to this one"
      })
    }
    return buffer.storage
  }
  const backend: BackendShape = {
    name: "webgpu",
    supportsDType,
    fromHost: (data, aval) => {
      requireDType(aval.dtype)
      return new WebGpuBuffer(backend, runtime.upload(toDeviceLayout(data, aval.dtype)))
    },
    execute: (primitive, inputs, inAvals, params, outAvals) => {
      for (const a of inAvals) requireDType(a.dtype)
      for (const a of outAvals) requireDType(a.dtype)
      runtime.check()
      const storages = inputs.map(storageOf)
      const rule = kernels[primitive] as KernelRule<typeof primitive>
      // float0 values carry no data whatever the primitive.
      if (outAvals.every((a) => a.dtype === "float0")) {
        return outAvals.map(() => new WebGpuBuffer(backend, runtime.allocate(0)))
      }
      return rule(runtime, storages, inAvals, params, outAvals).map((s) => new WebGpuBuffer(backend, s))
    },
    release: (buffer) => {
      const b = buffer as WebGpuBuffer
      if (b.released) return
      b.released = true
      runtime.unref(b.storage)
    },
    alias: (buffer) => new WebGpuBuffer(backend, storageOf(buffer)),
    // one reference to storage with data: no alias, reshape or upload cache shares it
    exclusive: (buffer) => {
      const b = buffer as WebGpuBuffer
      return b instanceof WebGpuBuffer && b.backend === backend && !b.released && b.storage.refs === 1 &&
        b.storage.gpu !== undefined
    },
    // a fused shader reads a donated input through the output's binding at the element it writes
    fusedInPlace: true,
    // a product heads its group: its tiles go through the epilogue in registers (kernels/fusedDot.ts)
    fusedDot: true,
    // jit bounds a group's decomposed depth by the sines the shaders build
    trigReduction: runtime.trigReduction,
    compileFused: (spec) => {
      const group = spec.dot === undefined ? compileFused(runtime, spec) : compileFusedDot(runtime, spec)
      return {
        source: group.source,
        run: (inputs, outputs) => {
          runtime.check()
          // the product's own input is computed by the group: no buffer is passed for it
          const storages = inputs.map((b, k) => (k === spec.dot?.input ? undefined! : storageOf(b)))
          const given = spec.outputs.map((_, j) => {
            const o = outputs?.[j]
            return o === undefined ? undefined : storageOf(o)
          })
          const made = group.run(storages, given)
          return made.map((s, j) => (s === given[j] ? outputs![j]! : new WebGpuBuffer(backend, s)))
        }
      }
    },
    unavailable: () => runtime.unavailable(),
    read: (buffer, aval) =>
      Effect.suspend(() => {
        const storage = storageOf(buffer)
        const size = Shape.sizeOf(aval.shape)
        const bytes = size * wordsPerElement(aval.dtype) * 4
        if (bytes === 0 || storage.gpu === undefined) return Effect.succeed(DType.allocHost(aval.dtype, 0))
        return Effect.tryPromise({ try: () => runtime.readBytes(storage.gpu!, bytes), catch: toBackendError }).pipe(
          Effect.timeoutOrElse({
            duration: READ_TIMEOUT,
            orElse: () =>
              Effect.fail(
                new BackendError({ backend: "webgpu", detail: `readback did not complete within ${READ_TIMEOUT}` })
              )
          }),
          Effect.flatMap((data) => {
            const errors = runtime.takeErrors()
            if (errors.length > 0) {
              return Effect.fail(new BackendError({ backend: "webgpu", detail: `device error: ${errors.join("; ")}` }))
            }
            return Effect.try({
              try: () => fromDeviceLayout(data, aval.dtype, size),
              catch: toBackendError
            })
          })
        )
      })
  }
  return backend
}
