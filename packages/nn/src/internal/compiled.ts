/**
 * Samplers compiled when they run eagerly, as JAX's `jax.random` functions are
 * jitted: run op by op, a draw of a million values is some hundred primitives
 * over the whole array (Threefry's twenty rounds, the float conversion, the
 * inverse error function), each a pass over memory; staged once per signature
 * and compiled, it is one fused kernel. Traced (under `jit`, `vmap`, `grad` of
 * the key's function) the sampler is simply staged into the caller's program.
 *
 * @internal
 */
import { makeProgramFlat, runCompiled } from "@diffect/ad"
import type { Program } from "@diffect/ad"
import { bind, ConcreteTensor, currentDynamicHandler, formatAval } from "@diffect/core"
import type { Tensor } from "@diffect/core"

/**
 * From this many output elements a signature is compiled on its first eager
 * call; smaller ones go through the program runner, which interprets a
 * program's first run and compiles it when it runs again (a one-off draw of a
 * few values costs less interpreted than compiled).
 */
const COMPILE_AT_ONCE = 1024

/** Staged programs by sampler, static arguments and input avals; the least recently used beyond this go. */
const CACHE_MAX = 128
const programs = new Map<string, Program>()

const programFor = (
  key: string,
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  inputs: ReadonlyArray<ConcreteTensor>
): Program => {
  let program = programs.get(key)
  if (program === undefined) {
    program = makeProgramFlat(f, inputs.map((t) => t.aval))
    if (programs.size >= CACHE_MAX) programs.delete(programs.keys().next().value!)
  } else {
    programs.delete(key)
  }
  programs.set(key, program)
  return program
}

/**
 * `f(inputs)`, compiled when it runs eagerly (every input concrete, no staging
 * handler active): `name` and `statics` (the static arguments as text: shapes,
 * dtypes, the Threefry stream) and the inputs' avals key the staged program;
 * `size` is the number of output elements.
 */
export const compiledWhenEager = (
  name: string,
  statics: string,
  size: number,
  inputs: ReadonlyArray<Tensor>,
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
): ReadonlyArray<Tensor> => {
  if (currentDynamicHandler() !== undefined || !inputs.every((t) => t instanceof ConcreteTensor)) return f(inputs)
  const concrete = inputs as ReadonlyArray<ConcreteTensor>
  const avals = concrete.map((t) => `${formatAval(t.aval)}${t.aval.weakType ? "~" : ""}`).join(",")
  const program = programFor(`${name}|${statics}|${avals}`, f, concrete)
  return size >= COMPILE_AT_ONCE ? runCompiled(program, inputs) : bind("jit_call", inputs, { name, program })
}
