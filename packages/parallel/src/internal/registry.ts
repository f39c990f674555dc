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

/**
 * The function `name` of the module at `module`, importing the module first;
 * fails with a message when the import fails or the module declares no such function.
 *
 * @internal
 */
export const lookup = (module: string, name: string): Effect.Effect<Declared["f"], string> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () => import(/* @vite-ignore */ module),
      catch: (cause) => `cannot import ${module}: ${cause instanceof Error ? cause.message : String(cause)}`
    }),
    () => {
      const found = registries.get(module)?.get(name)
      if (found !== undefined) return Effect.succeed(found.f)
      const known = [...(registries.get(module)?.keys() ?? [])].map((n) => `'${n}'`).join(", ")
      return Effect.fail(`${module} declares no remote function '${name}' (it declares: [${known}])`)
    }
  )
