/**
 * The staging handler lives in the core (`@diffect/core/Staging`): `lax`'s
 * control flow stages its branches with it. Re-exported for the ad internals.
 *
 * @since 0.1.0
 */
export { makeProgramFlat, StagingHandler, StagingTracer } from "@diffect/core/Staging"
