/**
 * The vitest setup file of every project (vitest.config.ts): eager operations in tests
 * run on the CPU backend, as they do in scripts that import the diffect facade.
 *
 * @since 0.1.0
 */
import { prepareWebGpu, useCpuByDefault } from "./Backends.js"

useCpuByDefault()
prepareWebGpu()
