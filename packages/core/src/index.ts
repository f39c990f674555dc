/**
 * @diffect/core: tensors, dtypes, primitives, the handler stack, backends,
 * pytrees, schemas and the ops API.
 *
 * Shared file: append exports, keep one line per module.
 *
 * @since 0.1.0
 */
export * as AbstractEval from "./AbstractEval.js"
export * from "./AbstractValue.js"
export * as Approximation from "./Approximation.js"
export * from "./Backend.js"
export * as Checkpoint from "./Checkpoint.js"
export * as DType from "./DType.js"
export * from "./Eager.js"
export * from "./Errors.js"
export * from "./Handler.js"
export * as Kernel from "./Kernel.js"
export * as lax from "./lax.js"
export * as Lowering from "./Lowering.js"
export * as np from "./np.js"
export * from "./Primitive.js"
export * as Shape from "./Shape.js"
export * from "./Tensor.js"
export * as TensorSchema from "./TensorSchema.js"
export * from "./ToJs.js"
export * as Tree from "./Tree.js"
export * as View from "./View.js"
// Installs the chainable Tensor methods (x.add(y).sum()) and Tensor.schema; see internal/methods.ts.
import "./internal/methods.js"
