/**
 * diffect: composable, effect-based automatic differentiation.
 *
 * The facade users import: every name here is something programs are written
 * with. The machinery for extending diffect (`bind`, handlers, rule tables,
 * backend internals) is in `diffect/extend` (extend.ts).
 *
 * Shared file: append one block per module or topic (a new transformation, a
 * new namespace such as `optim`); a name only extensions need goes in extend.ts.
 *
 * @module diffect
 * @since 0.1.0
 */

// Tensors and the ops API (a namespace's @category is written on its export)
export { isShapeDtypeStruct, isTensor, ShapeDtypeStruct, Tensor } from "@diffect/core"
export type { AbstractValue } from "@diffect/core"
/** @category Tensors */
export { DType } from "@diffect/core"
/** @category Tensors */
export { Shape } from "@diffect/core"
/** @category Ops */
export * as np from "./np.js"
/** @category Ops */
export { lax } from "@diffect/core"
/** @category Ops */
export { linalg } from "@diffect/core"
/** @category Ops */
export { special } from "@diffect/core"
/** @category Ops */
export { stats } from "@diffect/core"
// jax.scipy.fft (the DCT), signal, ndimage, integrate, interpolate, spatial.transform and cluster.vq;
// jax.ops (the segment reductions) and jax.image
/** @category Ops */
export { cluster, fft, image, integrate, interpolate, ndimage, ops, signal, spatial } from "@diffect/core"
// jax.debug: callbacks and prints inside transformed and compiled functions
/** @category Transformations */
export { debug, ioCallback, pureCallback } from "@diffect/core"
export type { IoCallbackOptions, PureCallbackOptions, PureCallbackResults, VmapMethod } from "@diffect/core"

// Pytrees and tensor schemas
/** @category Pytrees and schemas */
export { Tree } from "@diffect/core"
/** @category Pytrees and schemas */
export { TensorSchema } from "@diffect/core"
// jax.flatten_util
/** @category Pytrees and schemas */
export { flattenUtil } from "@diffect/core"

// Running programs and reading values
export { item, itemSync, toJs, toJsSync } from "@diffect/core"
export type { JsValue, Numbers, Rank, ToJs, ToJsOptions } from "@diffect/core"
export { eager } from "@diffect/core"
/** @category Memory */
export { Memory } from "@diffect/core"
export { runSync } from "./Run.js"
/** @category Reading values */
export { Checkpoint } from "@diffect/core"

// Transformations
export { grad, valueAndGrad } from "@diffect/ad"
export type { GradOptions } from "@diffect/ad"
export { fwdAndBwd, jvp, linearize, linearTranspose, vjp } from "@diffect/ad"
export type {
  AuxOptions,
  BwdFunction,
  FwdAndBwdOptions,
  FwdFunction,
  JvpFn,
  OutputOf,
  Residuals,
  VjpFn,
  VjpOptions
} from "@diffect/ad"
export { hessian, jacfwd, jacobian, jacrev } from "@diffect/ad"
export type { HessianResult, JacobianOptions, JacrevOptions } from "@diffect/ad"
export { vmap } from "@diffect/ad"
export type { AxisSpec, VmapOptions, VmapResult } from "@diffect/ad"
export {
  allGather,
  allToAll,
  axisIndex,
  axisIsBound,
  axisSize,
  isBatchedAlong,
  pbroadcast,
  pmax,
  pmean,
  pmin,
  ppermute,
  pshuffle,
  psum,
  psumScatter,
  pswapaxes,
  raggedAllToAll
} from "@diffect/ad"
export type { AllGatherOptions, AllToAllOptions, CollectiveResult, PsumScatterOptions } from "@diffect/ad"
export {
  closureConvert,
  customGradient,
  customJvp,
  customVjp,
  customVmap,
  sequentialVmap,
  stopGradient
} from "@diffect/ad"
export type { CustomVmapFunction, VmapRule } from "@diffect/ad"
export { customLinearSolve, customRoot } from "@diffect/ad"
// Iterative solvers (jax.scipy.sparse.linalg), minimization (jax.scipy.optimize) and ODEs
// (jax.experimental.ode)
export { ode, optimize, sparse } from "@diffect/ad"
export type { CustomLinearSolveOptions, CustomRootOptions } from "@diffect/ad"
export type { CustomJvpFunction, CustomVjpFunction, DefJvpOptions, DefVjpOptions } from "@diffect/ad"
export type {
  CustomJvpNondiffFunction,
  CustomRuleOptions,
  CustomVjpNondiffFunction,
  JvpOfArgument,
  RuleResult
} from "@diffect/ad"
/** @category Transformations */
export { Types } from "@diffect/ad"

// Compilation
export { clearCaches, disableJit, ensureCompileTimeEval, jit, JitDisabled } from "@diffect/ad"
// debugging: NaN and infinity checks (JAX's jax_debug_nans, jax_debug_infs)
/** @category Compilation */
export { debugInfs, debugNans, FloatChecks } from "@diffect/core"
// Rematerialization (jax.checkpoint)
export { checkpoint, checkpointName, checkpointPolicies, remat } from "@diffect/ad"
export type { CheckpointOptions, CustomPolicy } from "@diffect/ad"
export type {
  AsTextOptions,
  Compiled,
  CostAnalysis,
  JitCacheInfo,
  JitOptions,
  Jitted,
  Lowered,
  MemoryAnalysis,
  Stage,
  Traced
} from "@diffect/ad"

// Staged programs
export { evalProgram, evalShape, makeProgram, printProgram, Program, Var } from "@diffect/ad"
export type { CustomEquation, Equation, PrimitiveEquation, ProgramPrintOptions } from "@diffect/ad"
// Name stacks: jax.named_scope and jax.named_call (the scopes a staged equation was made in)
export { namedCall, namedScope, NameStack } from "@diffect/core"
export type { NameStackEntry } from "@diffect/core"

// Neural networks (jax.nn and its initializers), losses (optax's) and random numbers (jax.random)
/** @category Neural networks */
export { nn } from "@diffect/nn"
/** @category Neural networks */
export { losses } from "@diffect/nn"
/** @category Random numbers */
export { random } from "@diffect/nn"

// Optimizers (optax's gradient transformations and schedules)
/** @category Optimizers */
export * as optim from "@diffect/optim"

// Backends and their layers
export { TypedArrayBackend } from "@diffect/backend-typed-array"
export { WebGpu, WebGpuBackend } from "@diffect/backend-webgpu"
export type { WebGpuShape, WebGpuSource, WebGpuStats } from "@diffect/backend-webgpu"
export { Backend } from "@diffect/core"
export type { BackendFailure } from "@diffect/core"

// Errors: every tagged error, from each package's Errors module
export * from "@diffect/ad/Errors"
export * from "@diffect/backend-webgpu/Errors"
export { isCoreError } from "@diffect/core"
export * from "@diffect/core/Errors"
