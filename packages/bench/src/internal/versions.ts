/**
 * Installed package versions, read from each package's package.json.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

const require = createRequire(import.meta.url)

/** The installed version of `pkg` (resolvable from the bench package). @since 0.1.0 */
export const versionOf = (pkg: string): string => {
  // Some packages do not export ./package.json, so find it from the main entry.
  let dir = path.dirname(require.resolve(pkg))
  for (;;) {
    try {
      const json = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string
        version?: string
      }
      if (json.name === pkg && json.version !== undefined) return json.version
    } catch {
      // no package.json here: keep walking up
    }
    const up = path.dirname(dir)
    if (up === dir) return "unknown"
    dir = up
  }
}

/** Resolves a file inside an installed package. @since 0.1.0 */
export const resolvePackageFile = (specifier: string): string => require.resolve(specifier)
