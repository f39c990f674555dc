/**
 * The functions declared with `Remote.make` in this thread, by module and name:
 * a worker imports a module and finds the function to run here.
 *
 * @internal
 */
import { Effect } from "effect"

/** @internal */
export const TypeId = "~@diffect/parallel/Remote"

interface Declared {
  readonly module: string
  readonly name: string
  readonly f: (...args: ReadonlyArray<any>) => any
}

const registries = new Map<string, Map<string, Declared>>()

/** Records a declaration. @internal */
export const register = (remote: Declared): void => {
  let byName = registries.get(remote.module)
  if (byName === undefined) registries.set(remote.module, byName = new Map())
  byName.set(remote.name, remote)
}

// Modules imported already: a later call skips `import()`, which is not free even for a loaded
// module (under a loader's customization hooks, as tsx's, every call resolves the specifier again
// on the hooks thread: about 0.2 ms and a third busy thread per call, measured on a mesh worker).
const imported = new Set<string>()

/**
 * The function `name` of the module at `module`, importing the module first
 * (once per thread); fails with a message when the import fails or the module
 * declares no such function.
 *
 * @internal
 */
export const lookup = (module: string, name: string): Effect.Effect<Declared["f"], string> => {
  const find = (): Effect.Effect<Declared["f"], string> => {
    const found = registries.get(module)?.get(name)
    if (found !== undefined) return Effect.succeed(found.f)
    const known = [...(registries.get(module)?.keys() ?? [])].map((n) => `'${n}'`).join(", ")
    return Effect.fail(`${module} declares no remote function '${name}' (it declares: [${known}])`)
  }
  if (imported.has(module)) return find()
  return Effect.flatMap(
    Effect.tryPromise({
      try: () => import(/* @vite-ignore */ module),
      catch: (cause) => `cannot import ${module}: ${cause instanceof Error ? cause.message : String(cause)}`
    }),
    () => {
      imported.add(module)
      return find()
    }
  )
}
