/**
 * The vitest setup file of every project (vitest.config.ts): eager operations in tests
 * run on the CPU backend, as they do in scripts that import the diffect facade, and
 * fast-check draws from a fixed seed.
 *
 * @since 0.1.0
 */
import fc from "fast-check"
import { prepareWebGpu, useCpuByDefault } from "./Backends.js"

useCpuByDefault()
prepareWebGpu()

/**
 * The seed of every property that names none: fixed, so that a run of the suite (CI's too) draws
 * the cases the last one drew and a landing never hangs on a first-time draw; `DIFFECT_FC_SEED`
 * set to `random` draws new ones (the sweeps before a landing), or to an integer, that seed
 * (docs/architecture.md, "Tests").
 */
const FIXED_SEED = 20261207

const seedOf = (setting: string | undefined): number | undefined => {
  if (setting === undefined || setting === "") return FIXED_SEED
  if (setting === "random") return undefined
  const seed = Number(setting)
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`DIFFECT_FC_SEED must be "random" or an integer, got ${JSON.stringify(setting)}`)
  }
  return seed
}

const seed = seedOf(process.env["DIFFECT_FC_SEED"])
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed })
