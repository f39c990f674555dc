/**
 * `Program`: diffect's staged intermediate representation (JAX's jaxpr). It
 * lives in the core (`@diffect/core/Program`) so that the core can declare
 * higher-order primitives whose parameters hold programs; re-exported here.
 *
 * @since 0.1.0
 */
export {
  equationHasEffect,
  evalHigherOrder,
  evalProgram,
  formatEquationHead,
  formatNameStack,
  hoistConsts,
  installProgramRunner,
  printProgram,
  Program,
  programHasEffects,
  pruneEquationOutputs,
  pruneProgram,
  runProgram,
  Var
} from "@diffect/core/Program"
export type {
  CustomEquation,
  Equation,
  HigherOrderContext,
  PrimitiveEquation,
  ProgramPrintOptions,
  ProgramRunner
} from "@diffect/core/Program"
