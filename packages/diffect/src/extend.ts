/**
 * diffect/extend: the machinery for extending diffect, for people who add a
 * primitive, a transformation or a backend (docs/extending.md). Programs import
 * from "diffect"; nothing here is needed to write one.
 *
 * Shared file: append one block per module or topic.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * import { bind1 } from "diffect/extend"
 * // bind1 applies a primitive to its operands, as lax's functions do
 * console.log(toJsSync(bind1("neg", [np.array([1, 2])], {}))) // [-1, -2]
 *
 * @module diffect/extend
 * @since 0.1.0
 */

// The handler stack: applying primitives and interpreting them
export {
  bind,
  bind1,
  currentDynamicHandler,
  evalPrimitive,
  liftInto,
  newLevel,
  topHandler,
  withDynamicHandler
} from "@diffect/core"
export type { Handler } from "@diffect/core"

// Values: concrete tensors, tracers, abstract values
export { aval, ConcreteTensor, describeShape, formatAval, hostToJs, Tracer } from "@diffect/core"

// Primitives and the core's rule tables (abstract evaluation, elementwise lowering, kernel IR)
export {
  binaryPrimitives,
  fromKinds,
  isElementwise,
  primitiveKinds,
  primitivesOfKind,
  unaryPrimitives
} from "@diffect/core"
/** @category Primitives */
export { AbstractEval } from "@diffect/core"
/** @category Primitives */
export { Lowering } from "@diffect/core"
/** @category Primitives */
export { Kernel } from "@diffect/core"
/** @category Primitives */
export { Approximation } from "@diffect/core"
/** @category Primitives */
export { View } from "@diffect/core"
/** @category Primitives */
export { Convolution } from "@diffect/core"
/** @category Primitives */
export { Window } from "@diffect/core"
/** @category Primitives */
export { HostCallback, splitTensorLeaves } from "@diffect/core"
export type {
  BinaryPrimitive,
  ElementwisePrimitive,
  KindOf,
  Params,
  Primitive,
  PrimitiveKind,
  PrimitiveOfKind,
  PrimitiveParams,
  RuleTable,
  StructuredPrimitive,
  UnaryPrimitive
} from "@diffect/core"

// Backends: the service's interface and which backend evaluates now
export { makeTypedArrayBackend } from "@diffect/backend-typed-array"
export type { TypedArrayBuffer } from "@diffect/backend-typed-array"
export { activeBackend, setDefaultBackend, withBackend } from "@diffect/core"
export type { BackendShape, DeviceBuffer } from "@diffect/core"
export { defaultBackend } from "./Run.js"

// The transformations' handlers and their flat (array-of-tensors) forms
export { checkTangent, jvpFlat, JvpHandler, JvpTracer, unzipOutputs } from "@diffect/ad"
export { linearizeFlat } from "@diffect/ad"
export { backwardPass, linearTransposeFlat, vjpFlat } from "@diffect/ad"
export { makeProgramFlat, StagingHandler, StagingTracer } from "@diffect/ad"
export { evalHigherOrder } from "@diffect/ad"
export type { HigherOrderContext } from "@diffect/ad"
export { vmapFlat, vmapSpmd, vmapTrace } from "@diffect/ad"
export type { SpmdAxis, SpmdReduction } from "@diffect/ad"
export { customJvpCall, customLin, customVjpCall } from "@diffect/ad"
export type { CustomJvpCallee, CustomRuleHandler, CustomVjpCallee } from "@diffect/ad"
export { runSyncOn } from "@diffect/ad"
export {
  currentNameStack,
  transformNameStack,
  withEquationNameStack,
  withEquationNameStackSteps,
  withNameStack,
  withNameStackSteps
} from "@diffect/core"
