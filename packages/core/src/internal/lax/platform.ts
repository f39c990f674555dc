/**
 * JAX's `lax.platform_dependent`: a branch per platform, chosen for the
 * platform of the active backend. JAX stages every branch and resolves the
 * choice at lowering; diffect's programs run on the backend they are traced
 * for, so the choice is made when the call runs (at trace time under jit,
 * vmap or grad), and only the chosen branch is traced.
 *
 * @since 0.1.0
 */
import { activeBackend } from "../../Backend.js"
import { ControlFlowError } from "../../Errors.js"
import { argumentError } from "../../Validate.js"

const op = "platform_dependent"

// A backend's platform in JAX's vocabulary: the typed-array backend runs on the CPU, WebGPU
// on the GPU; another backend is its own platform.
const platformOf = (name: string): string => name === "typed-array" ? "cpu" : name === "webgpu" ? "gpu" : name

/**
 * The platform diffect is running on now: `"cpu"` for the typed-array backend,
 * `"gpu"` for WebGPU (another backend's name otherwise), `undefined` with no
 * backend installed.
 *
 * @example
 * import { lax } from "diffect"
 * console.log(lax.currentPlatform()) // cpu
 *
 * @since 0.1.0
 */
export const currentPlatform = (): string | undefined => {
  const backend = activeBackend()
  return backend === undefined ? undefined : platformOf(backend.name)
}

/**
 * Calls the branch for the current platform with `args` (JAX's
 * `lax.platform_dependent`): the last argument is the options object of
 * branches keyed by platform (`cpu`, `gpu`), and `default` for any other
 * platform. Fails with `ControlFlowError` when there is neither a branch for
 * the platform nor a default, and with `ArgumentError` when a branch is not a
 * function. The choice is static, so it composes with jit, vmap and grad.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const y = lax.platformDependent(np.array([1, 2]), {
 *   cpu: (x) => np.multiply(x, 10),
 *   default: (x) => x
 * })
 * console.log(toJsSync(y)) // [10, 20]
 *
 * @since 0.1.0
 */
export const platformDependent = <R>(
  ...argsAndBranches: [...args: Array<any>, branches: PlatformBranches<R>]
): R => {
  const branches = argsAndBranches[argsAndBranches.length - 1] as unknown
  if (typeof branches !== "object" || branches === null || Array.isArray(branches)) {
    throw argumentError(op, "branches", "an object of branches by platform (the last argument)", branches)
  }
  const table = branches as Record<string, unknown>
  for (const [name, branch] of Object.entries(table)) {
    if (branch !== undefined && typeof branch !== "function") {
      throw argumentError(op, `branches.${name}`, "a function", branch)
    }
  }
  const args = argsAndBranches.slice(0, -1)
  const platform = currentPlatform()
  const chosen = (platform !== undefined && platform !== "default" ? table[platform] : undefined) ?? table.default
  if (chosen === undefined) {
    const given = Object.keys(table).filter((k) => table[k] !== undefined)
    throw new ControlFlowError({
      operation: op,
      detail: `no branch for platform ${platform ?? "(no backend installed)"} and no default branch (branches given: ${
        given.length === 0 ? "none" : given.join(", ")
      })`
    })
  }
  return (chosen as (...xs: Array<any>) => R)(...args)
}

/**
 * The branches of `platformDependent`: one per platform name, and `default`.
 *
 * @since 0.1.0
 */
export interface PlatformBranches<R> {
  readonly default?: ((...args: Array<any>) => R) | undefined
  readonly cpu?: ((...args: Array<any>) => R) | undefined
  readonly gpu?: ((...args: Array<any>) => R) | undefined
  readonly [platform: string]: ((...args: Array<any>) => R) | undefined
}
