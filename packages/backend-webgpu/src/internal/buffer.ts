/**
 * The WebGPU backend's buffers and the conversion between diffect's host
 * storage layout and the layout in GPU memory.
 *
 * GPU layout: float32 and complex64 as f32 words (complex interleaved), int32 as
 * i32, uint32 as u32, bool as one u32 per element (WGSL has no 8-bit storage type), float0 and
 * empty tensors without any GPU buffer.
 */
import type { BackendShape, DeviceBuffer } from "@diffect/core"
import { UnsupportedDTypeError } from "@diffect/core"
import type { DType as D } from "@diffect/core"
import type { Storage } from "./runtime.js"

/**
 * A tensor's data on the device: one reference to (possibly shared) storage.
 * Storage is destroyed when its last buffer is released (or, as a backstop,
 * when it is garbage collected).
 */
export class WebGpuBuffer implements DeviceBuffer {
  released = false
  constructor(
    readonly backend: BackendShape,
    readonly storage: Storage
  ) {
    storage.refs++
  }
  /** The GPU buffer (`undefined` for tensors without data). */
  get gpu(): GPUBuffer | undefined {
    return this.storage.gpu
  }
}

/** Whether WebGPU can hold `dtype` (WGSL has no f64). */
export const supportsDType = (dtype: D.DType): boolean => dtype !== "float64" && dtype !== "complex128"

/** Throws `UnsupportedDTypeError` for float64 and complex128. */
export const requireDType = (dtype: D.DType): void => {
  if (!supportsDType(dtype)) throw new UnsupportedDTypeError({ backend: "webgpu", dtype })
}

/** 32-bit words per element in GPU memory. */
export const wordsPerElement = (dtype: D.DType): number => dtype === "complex64" ? 2 : dtype === "float0" ? 0 : 1

/** Host data in GPU layout (bool bytes widened to u32 words; others as is). */
export const toDeviceLayout = (data: D.HostArray, dtype: D.DType): ArrayBufferView => {
  if (dtype !== "bool") return data
  const words = new Uint32Array(data.length)
  for (let i = 0; i < data.length; i++) words[i] = data[i]! === 0 ? 0 : 1
  return words
}

/** GPU bytes back in host storage layout. */
export const fromDeviceLayout = (bytes: ArrayBuffer, dtype: D.DType, size: number): D.HostArray => {
  switch (dtype) {
    case "float32":
      return new Float32Array(bytes, 0, size)
    case "complex64":
      return new Float32Array(bytes, 0, 2 * size)
    case "int32":
      return new Int32Array(bytes, 0, size)
    case "uint32":
      return new Uint32Array(bytes, 0, size)
    case "bool": {
      const words = new Uint32Array(bytes, 0, size)
      const out = new Uint8Array(size)
      for (let i = 0; i < size; i++) out[i] = words[i]! === 0 ? 0 : 1
      return out
    }
    case "float0":
      return new Uint8Array(0)
    case "float64":
    case "complex128":
      throw new UnsupportedDTypeError({ backend: "webgpu", dtype })
  }
}
