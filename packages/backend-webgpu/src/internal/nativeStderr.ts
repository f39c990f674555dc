/**
 * Keeping Dawn's noise out of the user's console. Dawn's native code prints some
 * warnings with `fprintf(stderr)` (for Mesa's OpenGL ES adapter, every adapter
 * request prints that two `maxDynamic...` limits were "artificially reduced"):
 * JavaScript never sees those bytes, so `console.warn` hooks cannot filter them.
 * Instead, for the duration of one synchronous native call, file descriptor 2
 * points at a temporary file; afterwards the descriptor is restored and every
 * captured line except the known noise is written back to stderr.
 */

/** Dawn's warnings about limits it lowers for its own bookkeeping (nothing the user can act on). */
export const dawnNoise: ReadonlyArray<RegExp> = [
  /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/
]

/** The captured text without the lines that match `noise` (each kept line ends with a newline). */
export const withoutNoise = (text: string, noise: ReadonlyArray<RegExp>): string =>
  text
    .split("\n")
    .filter((line, i, lines) => !(i === lines.length - 1 && line === ""))
    .filter((line) => !noise.some((re) => re.test(line)))
    .map((line) => `${line}\n`)
    .join("")

type Fs = typeof import("node:fs")

const fsInFlight = (): boolean =>
  typeof process !== "undefined" && typeof process.getActiveResourcesInfo === "function" &&
  process.getActiveResourcesInfo().some((r) => r.startsWith("FSReq"))

/**
 * Resolves once no asynchronous fs call is in flight (or after `timeoutMs`), so
 * that `filterNativeStderr` can swap: a program's start (module loading, a
 * loader's cache writes) briefly has some.
 */
export const fsIdle = async (timeoutMs = 250): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (fsInFlight() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
}

// Node's own modules without an import statement, so that browser bundles of this
// package do not try to resolve them (this code only runs in Node).
const nodeModules = ():
  | { fs: Fs; os: typeof import("node:os"); path: typeof import("node:path"); isMainThread: boolean }
  | undefined =>
{
  const get = typeof process === "undefined" ? undefined : process.getBuiltinModule
  if (typeof get !== "function") return undefined
  return {
    fs: get("node:fs"),
    os: get("node:os"),
    path: get("node:path"),
    isMainThread: get("node:worker_threads").isMainThread
  }
}

/**
 * Runs the synchronous `f` with the native writes to stderr captured, then writes
 * back what does not match `noise`. Where the swap of descriptor 2 cannot be made
 * safely it simply runs `f`: outside Linux and macOS, with stdin or stdout closed,
 * and when stderr is a regular file (reopened by path it would get its own offset
 * and overwrite output) or a socket (a Node parent's `stdio: "pipe"`; sockets
 * cannot be reopened by path). Only terminals and shell pipes are swapped.
 *
 * The swap relies on descriptor numbers being reused lowest first: a file opened
 * by another thread between the close and the open would take 2 instead. So it
 * is skipped while an asynchronous fs call is in flight (libuv's thread pool opens
 * files) and off the main thread (workers share the descriptor table); what
 * remains is a native addon's own thread, or a worker opening a file while the
 * main thread requests an adapter, in a window two system calls long.
 */
export const filterNativeStderr = <A>(f: () => A, noise: ReadonlyArray<RegExp> = dawnNoise): A => {
  const node = nodeModules()
  if (node === undefined || (process.platform !== "linux" && process.platform !== "darwin")) return f()
  const { fs, os, path } = node
  // Another thread opening a file between the close and the open would take descriptor 2.
  // Node's asynchronous fs calls run on libuv's thread pool: none may be in flight. Worker
  // threads share the descriptor table with threads this one cannot see: swap on the main
  // thread only.
  if (fsInFlight() || !node.isMainThread) return f()
  const fdDir = process.platform === "linux" ? "/proc/self/fd" : "/dev/fd"
  let original: number
  try {
    // With 0 and 1 open, closing 2 makes it the lowest free descriptor: the next open gets it.
    fs.fstatSync(0)
    fs.fstatSync(1)
    const stat = fs.fstatSync(2)
    if (!stat.isCharacterDevice() && !stat.isFIFO()) return f()
    // A second descriptor on the same terminal or pipe, to point 2 back at it afterwards.
    original = fs.openSync(`${fdDir}/2`, "w")
  } catch {
    return f()
  }
  const pointStderrBack = (): void => {
    fs.openSync(`${fdDir}/${original}`, "w") // 2, the lowest free descriptor
    fs.closeSync(original)
  }
  const capturePath = path.join(os.tmpdir(), `diffect-stderr-${process.pid}-${Date.now()}.txt`)
  let capture: number
  fs.closeSync(2)
  try {
    capture = fs.openSync(capturePath, "w+") // 2
  } catch {
    pointStderrBack()
    return f()
  }
  try {
    return f()
  } finally {
    fs.closeSync(capture)
    pointStderrBack()
    let captured = ""
    try {
      captured = fs.readFileSync(capturePath, "utf8")
      fs.rmSync(capturePath, { force: true })
    } catch {
      // Nothing captured to write back.
    }
    const kept = withoutNoise(captured, noise)
    if (kept !== "") fs.writeSync(2, kept)
  }
}
