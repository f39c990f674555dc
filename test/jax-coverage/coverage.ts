/**
 * docs/jax-coverage.md, generated: for each JAX module (its names listed in
 * test/jax-coverage/names/, from JAX's API reference), whether diffect exports the
 * function, found by inspecting the exported namespaces at run time. Never
 * edited by hand: `pnpm coverage:jax` rewrites it and coverage.test.ts fails
 * when it is stale.
 */
import * as parallel from "@diffect/parallel"
import * as diffect from "diffect"
import { readFileSync } from "node:fs"

/** A JAX module, the diffect namespace its functions live in, and how the doc names it. */
interface Module {
  readonly jax: string
  readonly diffect: string
  readonly namespace: () => unknown
  /** Names missing from the namespace may be diffect's top-level exports. */
  readonly alsoTopLevel?: boolean
}

const get = (obj: unknown, key: string): unknown =>
  obj !== null && (typeof obj === "object" || typeof obj === "function")
    ? (obj as Record<string, unknown>)[key]
    : undefined

const modules: ReadonlyArray<Module> = [
  // the transformations and the top-level functions beside them
  { jax: "jax", diffect: "diffect", namespace: () => diffect },
  { jax: "jax.numpy", diffect: "np", namespace: () => diffect.np },
  { jax: "jax.numpy.fft", diffect: "np.fft", namespace: () => get(diffect.np, "fft") },
  {
    jax: "jax.numpy.linalg",
    diffect: "np.linalg",
    namespace: () => get(diffect.np, "linalg") ?? get(diffect, "linalg")
  },
  // the collectives (psum, allGather, ppermute, axisIndex, ...) and stopGradient are top-level
  // exports of diffect, where the transformations live
  { jax: "jax.lax", diffect: "lax", namespace: () => diffect.lax, alsoTopLevel: true },
  { jax: "jax.nn", diffect: "nn", namespace: () => diffect.nn },
  { jax: "jax.random", diffect: "random", namespace: () => diffect.random },
  { jax: "jax.scipy.linalg", diffect: "linalg", namespace: () => get(diffect, "linalg") },
  { jax: "jax.scipy.optimize", diffect: "optimize", namespace: () => get(diffect, "optimize") },
  {
    jax: "jax.scipy.sparse.linalg",
    diffect: "sparse.linalg",
    namespace: () => get(get(diffect, "sparse"), "linalg")
  },
  {
    jax: "jax.scipy.special",
    diffect: "special",
    namespace: () => get(diffect, "special") ?? get(get(diffect, "scipy"), "special")
  },
  // a distribution's functions are listed as module.function (norm.logpdf: stats.norm.logpdf)
  { jax: "jax.scipy.stats", diffect: "stats", namespace: () => get(diffect, "stats") },
  // jax.scipy.fft is the top-level `fft` (the DCT); jax.numpy.fft is np.fft
  { jax: "jax.scipy.fft", diffect: "fft", namespace: () => get(diffect, "fft") },
  { jax: "jax.scipy.signal", diffect: "signal", namespace: () => get(diffect, "signal") },
  { jax: "jax.scipy.ndimage", diffect: "ndimage", namespace: () => get(diffect, "ndimage") },
  { jax: "jax.scipy.integrate", diffect: "integrate", namespace: () => get(diffect, "integrate") },
  { jax: "jax.scipy.interpolate", diffect: "interpolate", namespace: () => get(diffect, "interpolate") },
  {
    jax: "jax.scipy.spatial.transform",
    diffect: "spatial.transform",
    namespace: () => get(get(diffect, "spatial"), "transform")
  },
  { jax: "jax.scipy.cluster.vq", diffect: "cluster.vq", namespace: () => get(get(diffect, "cluster"), "vq") },
  { jax: "jax.ops", diffect: "ops", namespace: () => get(diffect, "ops") },
  { jax: "jax.experimental.ode", diffect: "ode", namespace: () => get(diffect, "ode") },
  { jax: "jax.image", diffect: "image", namespace: () => get(diffect, "image") },
  { jax: "jax.debug", diffect: "debug", namespace: () => get(diffect, "debug") }
]

// Names that are not functions in diffect by design, with the reason shown in the table.
const dtypeNames = new Set([
  "bool_",
  "cdouble",
  "character",
  "complex_",
  "complex128",
  "complex64",
  "complexfloating",
  "csingle",
  "double",
  "flexible",
  "float_",
  "float16",
  "float32",
  "float64",
  "floating",
  "generic",
  "inexact",
  "int_",
  "int16",
  "int32",
  "int64",
  "int8",
  "integer",
  "number",
  "object_",
  "signedinteger",
  "single",
  "uint",
  "uint16",
  "uint32",
  "uint64",
  "uint8",
  "unsignedinteger"
])
// Top-level JAX names that diffect spells otherwise.
const renamed: { readonly [module: string]: { readonly [name: string]: string } } = {
  jax: {
    make_jaxpr: "makeProgram",
    "numpy.vectorize": "np.vectorize",
    "custom_batching.custom_vmap": "customVmap",
    "custom_batching.sequential_vmap": "sequentialVmap"
  }
}

// Top-level JAX names that have no counterpart by design, with the reason.
const topLevelNotApplicable = (name: string): string | undefined => {
  if (["default_device", "device_put", "device_get", "default_backend", "devices", "local_devices"].includes(name)) {
    return "devices: a `Backend` layer decides where arrays live"
  }
  if (["process_index", "device_count", "local_device_count", "process_count"].includes(name)) {
    return "devices and processes: `pmap` over a `Mesh` of workers splits work"
  }
  if (name === "shard_map") return "sharding (diffect's arrays are not sharded: `pmap` and `Mesh` split work)"
  if (name === "block_until_ready") return "an Effect completes when its values are ready"
  if (name === "enable_x64") return "a configuration flag: float64 is always available, dtypes are explicit"
  if (name === "default_matmul_precision") return "a configuration flag: `dot_general`'s `precision` option"
  if (["default_prng_impl", "enable_custom_prng"].includes(name)) {
    return "a configuration flag: `random.key` takes `impl`"
  }
  if (["check_tracer_leaks", "checking_leaks"].includes(name)) {
    return "a configuration flag: an escaped tracer is always an `EscapedTracerError`"
  }
  if (
    ["config", "enable_checks", "log_compiles", "no_tracing", "numpy_rank_promotion", "transfer_guard"].includes(name)
  ) {
    return "a configuration flag"
  }
  return undefined
}

const notApplicable = (jaxModule: string, name: string): string | undefined => {
  if (jaxModule === "jax") return topLevelNotApplicable(name)
  if (jaxModule === "jax.scipy.optimize" && name === "OptimizeResults") {
    return "a result type (the `OptimizeResults` interface)"
  }
  if (jaxModule === "jax.debug") {
    if (name.endsWith("Effect")) return "an effect class (a `debug_callback` equation is an effect by its primitive)"
    if (name.includes("sharding")) return "sharding (diffect's arrays are not sharded: `pmap` and `Mesh` split work)"
    if (name === "breakpoint") return "Python's interactive debugger"
  }
  if (jaxModule !== "jax.numpy") return undefined
  if (dtypeNames.has(name)) return "dtypes are names (`DType`), not classes"
  if (["ndarray", "dtype", "ufunc", "ComplexWarning"].includes(name)) return "a Python class"
  if (["c_", "r_", "s_", "mgrid", "ogrid", "index_exp"].includes(name)) return "Python indexing syntax"
  if (["load", "save", "savez", "fromfile", "frombuffer", "fromstring", "fromiter", "from_dlpack"].includes(name)) {
    return "file and buffer I/O (see `Checkpoint`)"
  }
  if (["get_printoptions", "set_printoptions", "printoptions", "array_repr", "array_str"].includes(name)) {
    return "printing (a tensor's `toString`)"
  }
  return undefined
}

/** JAX's snake_case name as diffect's camelCase one (`atleast_1d` -> `atleast1d`, `nan_to_num` -> `nanToNum`). */
export const camelCase = (name: string): string =>
  name.replace(/_+$/, "").replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

const names = (jaxModule: string): ReadonlyArray<string> =>
  readFileSync(new URL(`./names/${jaxModule}.txt`, import.meta.url), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))

interface Row {
  readonly jax: string
  readonly diffect: string
  readonly status: "yes" | "no" | "n/a"
  readonly note: string
}

const rowsOf = (m: Module): ReadonlyArray<Row> => {
  const ns = m.namespace()
  return names(m.jax).map((name): Row => {
    const camel = renamed[m.jax]?.[name] ?? camelCase(name)
    const na = notApplicable(m.jax, name)
    if (na !== undefined) return { jax: name, diffect: "", status: "n/a", note: na }
    // a dotted name (norm.logpdf) is a path through nested namespaces
    if (m.jax === "jax" && name === "pmap" && typeof parallel.pmap === "function") {
      return { jax: name, diffect: "pmap (@diffect/parallel)", status: "yes", note: "" }
    }
    const value = camel.split(".").reduce<unknown>((o, k) => get(o, k), ns)
    const found = typeof value === "function" || (typeof value === "object" && value !== null)
    if (!found && m.alsoTopLevel === true && typeof get(diffect, camel) === "function") {
      return { jax: name, diffect: camel, status: "yes", note: "" }
    }
    const shown = m.jax === "jax" ? camel : `${m.diffect}.${camel}`
    return { jax: name, diffect: found ? shown : "", status: found ? "yes" : "no", note: "" }
  })
}

/** The whole page. */
export const render = (): string => {
  const tables = modules.map((m) => ({ m, rows: rowsOf(m) }))
  const lines: Array<string> = [
    "<!-- Generated by `pnpm coverage:jax` (test/jax-coverage/); do not edit. test/jax-coverage/coverage.test.ts fails when it is stale. -->",
    "",
    "# JAX API coverage",
    "",
    "Which names of JAX's API reference diffect exports, found by inspecting diffect's namespaces",
    "(`np`, `lax`, `nn`, `random`, ...). JAX's snake_case names are camelCase here (`nan_to_num` is",
    "`np.nanToNum`). A name counts when the namespace exports it; its semantics are JAX's unless",
    "docs/jax-differences.md says otherwise. The name lists are in test/jax-coverage/names/.",
    "",
    "| JAX module | diffect | exported | of | n/a |",
    "| --- | --- | --- | --- | --- |"
  ]
  for (const { m, rows } of tables) {
    const yes = rows.filter((r) => r.status === "yes").length
    const na = rows.filter((r) => r.status === "n/a").length
    lines.push(`| \`${m.jax}\` | \`${m.diffect}\` | ${yes} | ${rows.length - na} | ${na} |`)
  }
  for (const { m, rows } of tables) {
    lines.push("", `## ${m.jax}`, "", "| JAX | diffect | |", "| --- | --- | --- |")
    for (const r of rows) {
      const mark = r.status === "yes" ? "yes" : r.status === "n/a" ? `n/a: ${r.note}` : "missing"
      lines.push(`| \`${r.jax}\` | ${r.diffect === "" ? "" : `\`${r.diffect}\``} | ${mark} |`)
    }
  }
  return lines.join("\n") + "\n"
}
