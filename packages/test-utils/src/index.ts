/**
 * Shared by the test suites of every package (a private workspace package, never a
 * dependency of a published one): closeness, backends, thrown errors.
 *
 * @since 0.1.0
 */
export * as Backends from "./Backends.js"
export * as Close from "./Close.js"
export * from "./Thrown.js"
