/**
 * @diffect/backend-webgpu: the WebGPU backend Layer.
 *
 * @since 0.1.0
 */
export * from "./Errors.js"
export * from "./WebGpuBackend.js"
