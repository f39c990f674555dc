/**
 * The `lax` namespace: the primitives as functions (lax.ts) and the
 * compositions and special functions built on them (internal/lax/), re-exported
 * as one namespace so that those modules can use lax.ts without an import cycle.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.clamp(0, np.array([-1, 2]), 1))) // [0, 1]
 *
 * @since 0.1.0
 */
export * from "./internal/lax/special.js"
export * from "./lax.js"
