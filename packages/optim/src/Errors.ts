/**
 * Typed failures of the optimizers: a bad argument to a constructor or a
 * schedule, a tree that is not made of tensors, a transformation that needs the
 * parameters called without them. The classes live in the core's error set
 * (`coreErrors`), so that one thrown inside a transformation or `eager` is a
 * typed failure rather than a defect; they are re-exported here for
 * `optim.OptimizerArgumentError` / `optim.MissingParamsError`.
 *
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  MissingParamsError,
  /**
   * @since 0.1.0
   */
  OptimizerArgumentError
} from "@diffect/core/Errors"
