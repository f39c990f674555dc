/**
 * @diffect/backend-typed-array: the CPU backend.
 *
 * @since 0.1.0
 */
export * from "./TypedArrayBackend.js"
