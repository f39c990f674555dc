/**
 * The installed runner of programs held by higher-order primitives (see
 * `ProgramRunner` in Program.ts). A module of its own so that the bottom of the
 * handler stack can reach it without importing Program.ts (which binds).
 */
import type { Program } from "../Program.js"
import type { Tensor } from "../Tensor.js"

export type ProgramRunner = (
  program: Program,
  inputs: ReadonlyArray<Tensor>,
  donated?: ReadonlyArray<boolean>,
  options?: RunOptions
) => ReadonlyArray<Tensor>

/** `compile`: run the program compiled now (one that library code stages once per signature). */
export interface RunOptions {
  readonly compile?: boolean | undefined
}

let runner: ProgramRunner | undefined

export const installRunner = (next: ProgramRunner | undefined): ProgramRunner | undefined => {
  const previous = runner
  runner = next
  return previous
}

export const currentRunner = (): ProgramRunner | undefined => runner
