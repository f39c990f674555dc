/**
 * @diffect/core: tensors, dtypes, primitives, the handler stack, backends,
 * pytrees, schemas and the ops API.
 *
 * Shared file: append exports, keep one line per module.
 *
 * @since 0.1.0
 */
/** @category Primitives */
export * as AbstractEval from "./AbstractEval.js"
export * from "./AbstractValue.js"
/** @category Primitives */
export * as Approximation from "./Approximation.js"
export * from "./Backend.js"
/** @category Reading values */
export * as Checkpoint from "./Checkpoint.js"
/** @category Ops */
export * as cluster from "./cluster.js"
/** @category Primitives */
export * as Convolution from "./Convolution.js"
/** @category Transformations */
export * as debug from "./debug.js"
export * from "./DebugNans.js"
/** @category Tensors */
export * as DType from "./DType.js"
export * from "./Eager.js"
export * from "./Errors.js"
/** @category Primitives */
export * as Fft from "./Fft.js"
/** @category Pytrees and schemas */
export * as flattenUtil from "./flattenUtil.js"
/** JAX's `jax.scipy.fft` (the DCT); `np.fft` is `jax.numpy.fft`. */
export * from "./Handler.js"
/** @category Ops */
export * as image from "./image.js"
export * as integrate from "./integrate.js"
export * as interpolate from "./interpolate.js"
export * as fft from "./scipyFft.js"
/** @category Primitives */
export * as Kernel from "./Kernel.js"
/** @category Ops */
export * as lax from "./laxNamespace.js"
export * as linalg from "./scipyLinalg.js"
/** @category Primitives */
export * as Lowering from "./Lowering.js"
/** @category Primitives */
export { HostCallback, hostCallbackPrimitives, splitTensorLeaves } from "./HostCallback.js"
/** @category Transformations */
export * from "./callbacks.js"
/** @category Memory */
export * as Memory from "./Memory.js"
/** @category Name stacks */
export * from "./NameStack.js"
/** @category Ops */
export * as ndimage from "./ndimage.js"
/** @category Ops */
export * as np from "./numpy.js"
/** @category Ops */
export * as ops from "./ops.js"
export * from "./Primitive.js"
/** @category Tensors */
export * as Shape from "./Shape.js"
export * from "./ShapeDtypeStruct.js"
export * as signal from "./signal.js"
/** @category Ops */
export * as spatial from "./spatial.js"
export * as special from "./special.js"
export * as stats from "./stats.js"
/** For `@diffect/nn`, whose `random` `stats.gaussianKde`'s `resample` draws with. */
export { installKdeSampler } from "./internal/stats/gaussianKde.js"
export * from "./Tensor.js"
/** @category Pytrees and schemas */
export * as TensorSchema from "./TensorSchema.js"
export * from "./ToJs.js"
/** @category Pytrees and schemas */
export * as Tree from "./Tree.js"
/** @category Primitives */
export * as View from "./View.js"
/** @category Primitives */
export * as Window from "./Window.js"
// Installs the chainable Tensor methods (x.add(y).sum()) and Tensor.schema; see internal/methods.ts.
import "./internal/methods.js"
