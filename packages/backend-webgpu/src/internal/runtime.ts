/**
 * The device runtime: buffer allocation and accounting, command batching,
 * per-dispatch parameters, pipeline caching and the device's health.
 *
 * Dispatches are recorded into one compute pass and submitted together: at the
 * end of the current synchronous section (a microtask), before a readback, or
 * when the batch's parameter slots run out. Buffers whose tensors were garbage
 * collected are destroyed after the batch that may still use them is submitted
 * (WebGPU defers freeing memory until submitted work completes).
 */
import { Approximation, BackendError, MemoryLimitError } from "@diffect/core"

// WebGPU's flag values (spelled out so that Node needs no globals installed).
/** @internal */
export const Usage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const
const MAP_READ_MODE = 0x1
const COMPUTE_STAGE = 0x4

/** Bytes of parameters each dispatch may use (64 u32 words). */
export const PARAM_BYTES = 256
/** Words of parameters each dispatch may use. */
export const PARAM_WORDS = PARAM_BYTES / 4
const PARAM_SLOTS = 256
/** Bytes of released buffers that may wait for the current batch's submission. */
const DOOMED_BYTES = 16 * 2 ** 20
/** Bytes of free buffers the pool keeps for reuse (beyond them, released buffers are destroyed). */
const POOL_BYTES = 256 * 2 ** 20
/** Bytes of readback (mappable) buffers kept for reuse. */
const STAGING_BYTES = 64 * 2 ** 20
/** Bind groups the cache keeps (beyond them it starts over). */
const BIND_GROUPS = 4096

/**
 * The size class of a buffer of `bytes` bytes: 16-byte steps up to 256 bytes,
 * then four classes per power of two (at most a quarter of a buffer unused), so
 * that a released buffer serves later requests of similar sizes.
 */
export const sizeClass = (bytes: number): number => {
  if (bytes <= 256) return Math.max(16, Math.ceil(bytes / 16) * 16)
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2)
  return Math.ceil(bytes / step) * step
}

/**
 * GPU memory shared by the buffers of one or more tensors (reshape shares its
 * input's storage). Registered with the runtime's FinalizationRegistry: when no
 * tensor references it any more, its GPU buffer is destroyed.
 */
export class Storage {
  /** Buffers (tensors' references) not yet released; at zero the GPU buffer is destroyed. */
  refs = 0
  constructor(
    /** `undefined` for tensors without data (size 0, float0). */
    readonly gpu: GPUBuffer | undefined,
    readonly bytes: number
  ) {}
}

/** A compiled kernel: its pipeline and the numbers of storage inputs and outputs it binds. */
export interface Kernel {
  readonly pipeline: GPUComputePipeline
  readonly inputs: number
  readonly outputs: number
}

/** What `Runtime.stats` reports. */
export interface RuntimeStats {
  readonly dispatches: number
  readonly submits: number
  readonly buffersCreated: number
  readonly bindGroupsCreated: number
  readonly pooledBuffers: number
  readonly pooledBytes: number
}

const backendName = "webgpu"

/**
 * The default reduction for an adapter (its vendor, architecture and description): Cody and Waite's
 * on SwiftShader, Chromium's software adapter, where one Payne-Hanek sine took 60 s to compile
 * (session 35, docs/architecture.md); Payne and Hanek's everywhere else (Dawn on llvmpipe compiles
 * it at once), so that `sin(1e8)` is right by default.
 */
export const trigReductionFor = (description: string): Approximation.TrigReduction =>
  /swiftshader/i.test(description) ? "codyWaite" : "payneHanek"
let layers = 0

/**
 * One device's state for the backend: every buffer it allocated, the batch of
 * recorded dispatches, the compiled kernels, and whether the device was lost.
 */
export class Runtime {
  readonly device: GPUDevice
  readonly limits: GPUSupportedLimits
  /** Threads per workgroup of 1-D kernels (256 where the device allows). */
  readonly workgroupSize: number
  readonly maxGroupsPerDim: number

  // buffers held by storages (in use), and their requested bytes
  #live = new Set<GPUBuffer>()
  #liveBytes = 0
  #sizes = new WeakMap<GPUBuffer, number>()
  // every buffer's size class, and the bytes of all buffers alive on the device (in use, free, doomed)
  #capacity = new WeakMap<GPUBuffer, number>()
  #deviceBytes = 0
  #registry: FinalizationRegistry<GPUBuffer>
  // the pool: free buffers by size class; `dirty` ones were released while the open batch was
  // recorded (its commands may still read them: only its later dispatches may write them)
  #free = new Map<number, Array<GPUBuffer>>()
  #dirty = new Map<number, Array<GPUBuffer>>()
  // mappable buffers for readbacks, unmapped, by size class
  #staging = new Map<number, Array<GPUBuffer>>()
  #stagingBytes = 0
  #freeBuffers = 0
  #freeBytes = 0
  #doomed: Array<GPUBuffer> = []
  #doomedBytes = 0
  // bind groups by layout and buffers, and the keys naming each buffer (dropped when it is destroyed)
  #bindGroups = new Map<string, GPUBindGroup>()
  #groupsOf = new Map<GPUBuffer, Array<string>>()
  #bufferIds = new WeakMap<GPUBuffer, number>()
  #nextBufferId = 0

  #encoder: GPUCommandEncoder | undefined
  #pass: GPUComputePassEncoder | undefined
  #params = new Uint32Array((PARAM_SLOTS * PARAM_BYTES) / 4)
  #paramSlot = 0
  #paramBuffer: GPUBuffer
  // Bound in place of the (absent) buffer of an empty operand.
  #placeholder: GPUBuffer
  #flushScheduled = false

  #layouts = new Map<string, GPUBindGroupLayout>()
  #pipelineLayouts = new Map<string, GPUPipelineLayout>()
  #kernels = new Map<string, Kernel>()

  #stats = { dispatches: 0, submits: 0, buffersCreated: 0, bindGroupsCreated: 0 }

  #lost: string | undefined
  #errors: Array<string> = []
  #closed = false
  readonly #onError = (event: Event): void => {
    const error = (event as GPUUncapturedErrorEvent).error
    if (this.#errors.length < 8) this.#errors.push(error.message)
  }

  /** The most bytes live buffers may hold (`memoryLimit`; Infinity without one). */
  readonly memoryLimit: number
  /** Names this runtime in errors (the layer's scope). */
  readonly label: string
  /**
   * The adapter is a software rasterizer (Mesa's llvmpipe or lavapipe,
   * SwiftShader): its shaders stop every loop after 65535 iterations, which
   * kernels with long per-invocation loops must respect.
   */
  readonly software: boolean
  /**
   * How sines, cosines and tangents past |x| = 8192 are reduced (`WebGpuOptions.trigReduction`):
   * Payne and Hanek's method, exact over all float32, unless the layer asked for Cody and Waite's or
   * the adapter is SwiftShader, whose shader compiler took 60 s over one such sine (`trigReductionFor`).
   */
  readonly trigReduction: Approximation.TrigReduction
  /** The transcendental ops' decompositions the shaders compute (wgsl.ts), with that reduction. */
  readonly transcendentals: Approximation.Support

  constructor(
    device: GPUDevice,
    memoryLimit = Infinity,
    description = "",
    trigReduction?: Approximation.TrigReduction
  ) {
    this.device = device
    this.software = /llvmpipe|lavapipe|softpipe|swiftshader/i.test(description)
    this.trigReduction = trigReduction ?? trigReductionFor(description)
    // spelled as jit's fusion planner spells it (the depth it bounds groups by)
    this.transcendentals = { ...Approximation.allDecomposed, trigReduction: this.trigReduction }
    this.memoryLimit = memoryLimit
    this.label = `WebGPU layer #${++layers}`
    this.limits = device.limits
    // A power of two (tree reductions halve it), at most 256.
    const threads = Math.min(
      256,
      device.limits.maxComputeInvocationsPerWorkgroup,
      device.limits.maxComputeWorkgroupSizeX
    )
    this.workgroupSize = 2 ** Math.floor(Math.log2(threads))
    this.maxGroupsPerDim = device.limits.maxComputeWorkgroupsPerDimension
    this.#registry = new FinalizationRegistry((gpu) => this.#release(gpu))
    this.#paramBuffer = device.createBuffer({ size: this.#params.byteLength, usage: Usage.UNIFORM | Usage.COPY_DST })
    this.#placeholder = device.createBuffer({ size: 16, usage: Usage.STORAGE })
    // Weakly: a pooled device outlives its runtimes, and its `lost` promise must not keep them.
    const self = new WeakRef(this)
    void device.lost.then((info) => {
      const runtime = self.deref()
      if (runtime !== undefined) runtime.#deviceLost(`device lost (${info.reason}): ${info.message}`)
    })
    // A device passed in by the caller outlives this runtime: the listener is removed at close.
    device.addEventListener("uncapturederror", this.#onError)
  }

  /**
   * Counters since the runtime was made (shader dispatches recorded, command
   * buffers submitted, storage buffers and bind groups created), and the pool's
   * free buffers now.
   */
  stats(): RuntimeStats {
    return { ...this.#stats, pooledBuffers: this.#freeBuffers, pooledBytes: this.#freeBytes }
  }

  /** Number and total bytes of GPU buffers alive now (parameter buffer excluded). */
  memory(): { readonly buffers: number; readonly bytes: number } {
    return { buffers: this.#live.size, bytes: this.#liveBytes }
  }

  #deviceLost(reason: string): void {
    if (!this.#closed) this.#lost = reason
  }

  /** Why the backend cannot be used (device lost, scope closed), or `undefined`. */
  unavailable(): string | undefined {
    if (this.#lost !== undefined) return this.#lost
    if (this.#closed) {
      return `${this.label}'s scope is closed: its tensors' data is gone (read what you need with toJs before the scope closes)`
    }
    return undefined
  }

  /** Fails with a `BackendError` if the device is lost or the backend closed. */
  check(): void {
    if (this.#lost !== undefined) throw new BackendError({ backend: backendName, detail: this.#lost })
    if (this.#closed) {
      throw new BackendError({
        backend: backendName,
        detail:
          `${this.label}'s scope is closed: its tensors' data is gone (read what you need with toJs before the scope closes)`
      })
    }
  }

  /** The first validation/out-of-memory errors the device reported since the last call. */
  takeErrors(): ReadonlyArray<string> {
    const errors = this.#errors
    this.#errors = []
    return errors
  }

  /** A new storage buffer of `bytes` bytes (`undefined` storage when empty). */
  allocate(bytes: number): Storage {
    this.check()
    if (bytes === 0) return new Storage(undefined, 0)
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new BackendError({
        backend: backendName,
        detail:
          `a buffer of ${bytes} bytes exceeds this device's maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize} bytes)`
      })
    }
    const gpu = this.#take(sizeClass(bytes)) ?? this.#create(sizeClass(bytes), false)
    return this.#track(gpu, bytes)
  }

  /** The GPU buffer to bind for `storage` (a placeholder when it has none). */
  bind(storage: Storage): GPUBuffer {
    return storage.gpu ?? this.#placeholder
  }

  /**
   * Releases scratch storage (partial reductions, canonicalized operands) after
   * its last dispatch was recorded: destroyed once that batch is submitted.
   */
  retire(storage: Storage): void {
    if (storage.gpu === undefined) return
    this.#registry.unregister(storage)
    this.#release(storage.gpu)
  }

  /** A storage buffer holding `data` (written through a mapping at creation). */
  upload(data: ArrayBufferView): Storage {
    this.check()
    const bytes = data.byteLength
    if (bytes === 0) return new Storage(undefined, 0)
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new BackendError({
        backend: backendName,
        detail:
          `an array of ${bytes} bytes exceeds this device's maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize} bytes)`
      })
    }
    const size = sizeClass(bytes)
    // A pooled buffer is written on the queue, which runs before the unsubmitted batch: a
    // buffer the batch may still read (dirty) is written only after the batch is submitted.
    let pooled = this.#pop(this.#free, size)
    if (pooled === undefined && this.#dirty.get(size)?.length) {
      this.flush()
      pooled = this.#pop(this.#free, size)
    }
    if (pooled !== undefined) {
      this.device.queue.writeBuffer(pooled, 0, data.buffer, data.byteOffset, bytes)
      return this.#track(pooled, bytes)
    }
    const gpu = this.#create(size, true)
    new Uint8Array(gpu.getMappedRange(0, bytes)).set(new Uint8Array(data.buffer, data.byteOffset, bytes))
    gpu.unmap()
    return this.#track(gpu, bytes)
  }

  // A free buffer of size class `size` for a kernel to write (the most recently released first).
  #take(size: number): GPUBuffer | undefined {
    return this.#pop(this.#dirty, size) ?? this.#pop(this.#free, size)
  }

  #pop(lists: Map<number, Array<GPUBuffer>>, size: number): GPUBuffer | undefined {
    const gpu = lists.get(size)?.pop()
    if (gpu !== undefined) {
      this.#freeBuffers--
      this.#freeBytes -= size
    }
    return gpu
  }

  #push(lists: Map<number, Array<GPUBuffer>>, size: number, gpu: GPUBuffer): void {
    const list = lists.get(size)
    if (list === undefined) lists.set(size, [gpu])
    else list.push(gpu)
  }

  // A new storage buffer of `size` bytes (a size class), within the memory budget.
  #create(size: number, mapped: boolean): GPUBuffer {
    this.#reserve(size)
    const gpu = this.device.createBuffer({
      size,
      usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST,
      mappedAtCreation: mapped
    })
    this.#stats.buffersCreated++
    this.#capacity.set(gpu, size)
    this.#deviceBytes += size
    return gpu
  }

  // Fails with MemoryLimitError when `bytes` more would exceed the budget (after
  // destroying the buffers released since the last submit, which still count).
  // The pool's free buffers count too: they are dropped first.
  #reserve(bytes: number): void {
    if (this.#deviceBytes + bytes <= this.memoryLimit) return
    this.#trimPool()
    if (this.#doomed.length > 0) this.flush()
    if (this.#deviceBytes + bytes <= this.memoryLimit) return
    throw new MemoryLimitError({
      backend: backendName,
      requested: bytes,
      live: this.#deviceBytes,
      limit: this.memoryLimit
    })
  }

  /** Drops one buffer's reference to `storage`; the last one destroys it (after its batch is submitted). */
  unref(storage: Storage): void {
    if (--storage.refs === 0 && storage.gpu !== undefined) {
      // the buffer may serve another storage next: this one's collection must not release it
      this.#registry.unregister(storage)
      this.#release(storage.gpu)
    }
  }

  #track(gpu: GPUBuffer, bytes: number): Storage {
    const storage = new Storage(gpu, bytes)
    this.#live.add(gpu)
    this.#sizes.set(gpu, bytes)
    this.#liveBytes += bytes
    this.#registry.register(storage, gpu, storage)
    return storage
  }

  // The storage's last reference is gone (released, or collected: the FinalizationRegistry).
  // The buffer goes back to the pool: a later dispatch of this batch may write it, since
  // commands run in the order recorded. Past POOL_BYTES of free buffers it is destroyed
  // instead: at once, or, if the unsubmitted batch may use it, once that is submitted (past
  // DOOMED_BYTES of such buffers the batch is submitted now, so memory waits for no microtask).
  #release(gpu: GPUBuffer): void {
    if (!this.#live.delete(gpu)) return
    this.#liveBytes -= this.#sizes.get(gpu) ?? 0
    const size = this.#capacity.get(gpu)!
    if (this.#freeBytes + size <= Math.min(POOL_BYTES, this.memoryLimit / 2)) {
      this.#push(this.#encoder === undefined ? this.#free : this.#dirty, size, gpu)
      this.#freeBuffers++
      this.#freeBytes += size
      return
    }
    if (this.#encoder === undefined) return this.#destroy(gpu)
    this.#doomed.push(gpu)
    this.#doomedBytes += size
    if (this.#doomedBytes > DOOMED_BYTES) this.flush()
  }

  // Destroys the pool's free buffers (after the open batch, which may use them, is submitted).
  #trimPool(): void {
    if (this.#freeBuffers === 0) return
    // clean buffers no recorded command uses: destroyed now; dirty ones once the batch is submitted
    for (const list of this.#free.values()) for (const gpu of list) this.#destroy(gpu)
    for (const list of this.#dirty.values()) {
      for (const gpu of list) {
        this.#doomed.push(gpu)
        this.#doomedBytes += this.#capacity.get(gpu)!
      }
    }
    this.#free.clear()
    this.#dirty.clear()
    this.#freeBuffers = 0
    this.#freeBytes = 0
  }

  #destroy(gpu: GPUBuffer): void {
    this.#deviceBytes -= this.#capacity.get(gpu) ?? 0
    const keys = this.#groupsOf.get(gpu)
    if (keys !== undefined) {
      for (const key of keys) this.#bindGroups.delete(key)
      this.#groupsOf.delete(gpu)
    }
    gpu.destroy()
  }

  #idOf(gpu: GPUBuffer): number {
    let id = this.#bufferIds.get(gpu)
    if (id === undefined) {
      id = this.#nextBufferId++
      this.#bufferIds.set(gpu, id)
    }
    return id
  }

  // The bind group of `kernel` over these buffers, made once while they live.
  #bindGroup(kernel: Kernel, inputs: ReadonlyArray<GPUBuffer>, outputs: ReadonlyArray<GPUBuffer>): GPUBindGroup {
    const layoutKey = `${kernel.inputs}:${kernel.outputs}`
    let key = layoutKey
    for (let i = 0; i < inputs.length; i++) key += `,${this.#idOf(inputs[i]!)}`
    key += ";"
    for (let o = 0; o < outputs.length; o++) key += `,${this.#idOf(outputs[o]!)}`
    const known = this.#bindGroups.get(key)
    if (known !== undefined) return known
    const entries: Array<GPUBindGroupEntry> = []
    for (let i = 0; i < inputs.length; i++) entries.push({ binding: i, resource: { buffer: inputs[i]! } })
    for (let o = 0; o < outputs.length; o++) {
      entries.push({ binding: inputs.length + o, resource: { buffer: outputs[o]! } })
    }
    entries.push({
      binding: inputs.length + outputs.length,
      resource: { buffer: this.#paramBuffer, size: PARAM_BYTES }
    })
    const group = this.device.createBindGroup({ layout: this.#layouts.get(layoutKey)!, entries })
    this.#stats.bindGroupsCreated++
    if (this.#bindGroups.size >= BIND_GROUPS) {
      this.#bindGroups.clear()
      this.#groupsOf.clear()
    }
    this.#bindGroups.set(key, group)
    for (const gpu of [...inputs, ...outputs]) {
      const keys = this.#groupsOf.get(gpu)
      if (keys === undefined) this.#groupsOf.set(gpu, [key])
      else keys.push(key)
    }
    return group
  }

  #layout(inputs: number, outputs: number): GPUPipelineLayout {
    const key = `${inputs}:${outputs}`
    let layout = this.#pipelineLayouts.get(key)
    if (layout !== undefined) return layout
    const entries: Array<GPUBindGroupLayoutEntry> = []
    for (let i = 0; i < inputs; i++) {
      entries.push({ binding: i, visibility: COMPUTE_STAGE, buffer: { type: "read-only-storage" } })
    }
    for (let o = 0; o < outputs; o++) {
      entries.push({ binding: inputs + o, visibility: COMPUTE_STAGE, buffer: { type: "storage" } })
    }
    entries.push({
      binding: inputs + outputs,
      visibility: COMPUTE_STAGE,
      buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: PARAM_BYTES }
    })
    const group = this.device.createBindGroupLayout({ entries })
    this.#layouts.set(key, group)
    layout = this.device.createPipelineLayout({ bindGroupLayouts: [group] })
    this.#pipelineLayouts.set(key, layout)
    return layout
  }

  /**
   * The kernel for `key`, compiling `source()` once. Shaders bind inputs at
   * 0..inputs-1 (read-only storage), the outputs at `inputs..inputs+outputs-1`
   * and the parameter block after them.
   */
  kernel(key: string, inputs: number, source: () => string, outputs = 1): Kernel {
    let kernel = this.#kernels.get(key)
    if (kernel === undefined) {
      const module = this.device.createShaderModule({ code: source(), label: key })
      const pipeline = this.device.createComputePipeline({
        layout: this.#layout(inputs, outputs),
        compute: { module, entryPoint: "main" },
        label: key
      })
      kernel = { pipeline, inputs, outputs }
      this.#kernels.set(key, kernel)
    }
    return kernel
  }

  /**
   * Splits `groups` workgroups into a grid within the per-dimension limit;
   * shaders rebuild the linear index as `x + y * gridX`.
   */
  grid(groups: number): readonly [number, number] {
    if (groups <= this.maxGroupsPerDim) return [Math.max(groups, 1), 1]
    const y = Math.ceil(groups / this.maxGroupsPerDim)
    return [Math.ceil(groups / y), y]
  }

  /**
   * Records a dispatch of `kernel` over `groups` workgroups with `params`
   * (at most 64 words; words 0 and 1 are set here to the grid's x extent in
   * groups and in threads).
   */
  dispatch(
    kernel: Kernel,
    inputs: ReadonlyArray<GPUBuffer>,
    output: GPUBuffer | ReadonlyArray<GPUBuffer>,
    params: ArrayLike<number>,
    groups: number,
    threadsPerGroup: number = this.workgroupSize
  ): void {
    this.check()
    if (this.#paramSlot === PARAM_SLOTS) this.flush()
    this.#stats.dispatches++
    if (this.#pass === undefined) this.#pass = this.#encoderNow().beginComputePass()
    const [gx, gy] = this.grid(groups)
    const slot = this.#paramSlot++
    const base = slot * PARAM_WORDS
    const words = this.#params
    words[base] = gx
    words[base + 1] = gx * threadsPerGroup
    for (let i = 2; i < params.length; i++) words[base + i] = params[i]!
    const outputs = Array.isArray(output) ? output as ReadonlyArray<GPUBuffer> : [output as GPUBuffer]
    const bindGroup = this.#bindGroup(kernel, inputs, outputs)
    const pass = this.#pass!
    pass.setPipeline(kernel.pipeline)
    pass.setBindGroup(0, bindGroup, [slot * PARAM_BYTES])
    pass.dispatchWorkgroups(gx, gy)
  }

  // The batch's command encoder (a new batch submits at the end of this synchronous section).
  #encoderNow(): GPUCommandEncoder {
    if (this.#encoder !== undefined) return this.#encoder
    this.#encoder = this.device.createCommandEncoder()
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => {
        this.#flushScheduled = false
        if (!this.#closed && this.#lost === undefined) this.flush()
      })
    }
    return this.#encoder
  }

  /**
   * Records a copy of `bytes` bytes between storage buffers in the current
   * batch, in order with its dispatches (the compute pass is ended around it).
   */
  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, bytes: number): void {
    this.check()
    if (bytes === 0) return
    const encoder = this.#encoderNow()
    if (this.#pass !== undefined) {
      this.#pass.end()
      this.#pass = undefined
    }
    encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes)
  }

  /** Submits the recorded dispatches, then destroys buffers collected meanwhile. */
  flush(): void {
    const encoder = this.#encoder
    if (encoder === undefined) return
    this.#pass?.end()
    this.#stats.submits++
    this.#encoder = undefined
    this.#pass = undefined
    const used = this.#paramSlot * PARAM_BYTES
    this.#paramSlot = 0
    // Queue operations run in order: this write lands after earlier batches ran.
    this.device.queue.writeBuffer(this.#paramBuffer, 0, this.#params.buffer, 0, used)
    this.device.queue.submit([encoder.finish()])
    // the batch is submitted: later queue writes run after it
    for (const [size, list] of this.#dirty) for (const gpu of list) this.#push(this.#free, size, gpu)
    this.#dirty.clear()
    const doomed = this.#doomed
    this.#doomed = []
    this.#doomedBytes = 0
    for (const gpu of doomed) this.#destroy(gpu)
  }

  /** Copies `bytes` bytes of `source` into a mappable buffer and maps it. */
  async readBytes(source: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.check()
    this.flush()
    // mappable buffers are pooled by size class too (one per concurrent read)
    const size = sizeClass(bytes)
    let staging = this.#staging.get(size)?.pop()
    if (staging === undefined) {
      staging = this.device.createBuffer({ size, usage: Usage.MAP_READ | Usage.COPY_DST })
      this.#stats.buffersCreated++
    } else this.#stagingBytes -= size
    let reusable = false
    try {
      const encoder = this.device.createCommandEncoder()
      encoder.copyBufferToBuffer(source, 0, staging, 0, bytes)
      this.device.queue.submit([encoder.finish()])
      await staging.mapAsync(MAP_READ_MODE, 0, bytes)
      // Unmapping detaches the mapped range: copy it out first.
      const data = staging.getMappedRange(0, bytes).slice(0)
      staging.unmap()
      reusable = true
      return data
    } finally {
      // back to the pool unless the layer closed meanwhile (close destroyed the pool) or it failed
      if (reusable && !this.#closed && this.#stagingBytes + size <= STAGING_BYTES) {
        this.#push(this.#staging, size, staging)
        this.#stagingBytes += size
      } else staging.destroy()
    }
  }

  /** Destroys every buffer and, when `owned`, the device. Idempotent. */
  close(destroyDevice: boolean): void {
    if (this.#closed) return
    if (this.#lost === undefined) {
      try {
        this.flush()
      } catch {
        // A failing submit must not keep the scope from releasing memory.
      }
    }
    this.#closed = true
    this.#encoder = undefined
    this.#pass = undefined
    for (const gpu of this.#live) gpu.destroy()
    for (const list of this.#free.values()) for (const gpu of list) gpu.destroy()
    for (const list of this.#dirty.values()) for (const gpu of list) gpu.destroy()
    for (const list of this.#staging.values()) for (const gpu of list) gpu.destroy()
    this.#staging.clear()
    this.#stagingBytes = 0
    for (const gpu of this.#doomed) gpu.destroy()
    this.#live.clear()
    this.#liveBytes = 0
    this.#free.clear()
    this.#dirty.clear()
    this.#freeBuffers = 0
    this.#freeBytes = 0
    this.#deviceBytes = 0
    this.#doomed = []
    this.#doomedBytes = 0
    this.#bindGroups.clear()
    this.#groupsOf.clear()
    this.#paramBuffer.destroy()
    this.#placeholder.destroy()
    this.#kernels.clear()
    this.device.removeEventListener("uncapturederror", this.#onError)
    if (destroyDevice) this.device.destroy()
  }
}
