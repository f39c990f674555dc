/**
 * `jax.debug`: see values inside transformed and compiled functions. A
 * callback is staged as a `debug_callback` equation and called, with the
 * values, each time the computation runs: eagerly at once, under `jit` on
 * every call of the compiled program (never while tracing), under `vmap` once
 * per batch index, under `grad` with the primal values.
 *
 * @since 0.1.0
 */
import { Effect, Fiber } from "effect"
import { isComplex, isInteger } from "./DType.js"
import { ArgumentError } from "./Errors.js"
import { bind } from "./Handler.js"
import { HostCallback, splitTensorLeaves } from "./HostCallback.js"
import { formatStr } from "./internal/format.js"
import { formatNumber, integerOnly, parseSpec } from "./internal/pyFormat.js"
import { ConcreteTensor, isTensor } from "./Tensor.js"

/** Stages `fn(...args)`: the tensor leaves of `args` are passed as values, the other leaves as they are. */
const stageCallback = (name: string, fn: (...args: Array<any>) => void, args: ReadonlyArray<unknown>): void => {
  const { rebuild, tensors } = splitTensorLeaves(args)
  const callback = new HostCallback(name, (values) => {
    fn(...rebuild(values))
    return []
  })
  bind("debug_callback", tensors, { callback })
}

/**
 * Calls `fn` with `args` each time the computation runs (JAX's
 * `jax.debug.callback`): the tensors among `args` (at any depth of a pytree)
 * arrive as host arrays with their values, the rest as given. Under `jit` the
 * call is part of the compiled program, so it happens on every call, not
 * while tracing; under `vmap` it happens once per batch index; under `grad`
 * and `jvp` it sees the primal values. `fn` returns nothing: values it
 * computes do not flow back into the computation (see `pureCallback` for that
 * in JAX).
 *
 * @example
 * import { Effect } from "effect"
 * import { debug, jit, np, toJsSync, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * const seen: Array<unknown> = []
 * const f = jit((x: Tensor) => {
 *   const y = np.sin(x)
 *   debug.callback((v) => seen.push(toJsSync(v)), y)
 *   return np.multiply(y, 2)
 * })
 * Effect.runSync(f(np.array([0, 0.5])).pipe(Effect.provide(TypedArrayBackend.layer)))
 * console.log(seen) // [ [ 0, 0.4794255495071411 ] ]
 *
 * @since 0.1.0
 */
export const callback = (fn: (...args: Array<any>) => void, ...args: ReadonlyArray<unknown>): void => {
  if (typeof fn !== "function") {
    throw new ArgumentError({
      operation: "debug.callback",
      argument: "callback",
      expected: "a function",
      got: fn === null ? "null" : typeof fn
    })
  }
  stageCallback(fn.name === "" ? "callback" : fn.name, fn, args)
}

/** Options of {@link print}. @since 0.1.0 */
export interface PrintOptions {
  /** Where each formatted line goes (`console.log` by default). */
  readonly log?: ((line: string) => void) | undefined
}

// Python's str() of a formatted value: a tensor as NumPy's str, containers with their items' reprs.
const strOf = (value: unknown): string => {
  if (typeof value === "string") return value
  if (value instanceof ConcreteTensor) {
    const host = value.host
    if (host !== undefined) return formatStr(host, value.aval.dtype, value.aval.shape)
  }
  return reprOf(value)
}

const reprOf = (value: unknown): string => {
  if (typeof value === "string") return `'${value}'`
  if (value === null || value === undefined) return "None"
  if (typeof value === "boolean") return value ? "True" : "False"
  if (Array.isArray(value)) return `[${value.map(reprOf).join(", ")}]`
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `'${k}': ${reprOf(v)}`).join(", ")}}`
  }
  return String(value)
}

/** One replacement field of a format string: `{}`, `{0}`, `{name}`, optionally with `!r` and a spec `:.3f`. */
interface Field {
  readonly key: number | string
  readonly spec: string
  readonly conversion: "s" | "r" | undefined
}

/** The literal pieces and fields of a Python format string (`{{` and `}}` are braces). */
const parseFormat = (fmt: string): { readonly pieces: Array<string>; readonly fields: Array<Field> } => {
  const bad = (detail: string) =>
    new ArgumentError({ operation: "debug.print", argument: "fmt", expected: "a Python format string", got: detail })
  const pieces: Array<string> = []
  const fields: Array<Field> = []
  let text = ""
  let auto = 0
  let numbering: "auto" | "manual" | undefined
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!
    if (c === "}") {
      if (fmt[i + 1] !== "}") throw bad(`a single '}' at ${i} in ${JSON.stringify(fmt)}`)
      text += "}"
      i++
      continue
    }
    if (c !== "{") {
      text += c
      continue
    }
    if (fmt[i + 1] === "{") {
      text += "{"
      i++
      continue
    }
    const end = fmt.indexOf("}", i)
    if (end < 0) throw bad(`an unclosed '{' at ${i} in ${JSON.stringify(fmt)}`)
    const body = fmt.slice(i + 1, end)
    const colon = body.indexOf(":")
    const head = colon < 0 ? body : body.slice(0, colon)
    const spec = colon < 0 ? "" : body.slice(colon + 1)
    // a conversion, `!s` or `!r`, after the name
    const bang = head.indexOf("!")
    const name = bang < 0 ? head : head.slice(0, bang)
    const conversion = bang < 0 ? undefined : head.slice(bang + 1)
    if (conversion !== undefined && conversion !== "s" && conversion !== "r") {
      throw bad(`the conversion !${conversion} in {${body}} (conversions are !s and !r)`)
    }
    let key: number | string
    if (name === "") {
      if (numbering === "manual") throw bad("automatic and manual field numbering mixed")
      numbering = "auto"
      key = auto++
    } else if (/^\d+$/.test(name)) {
      if (numbering === "auto") throw bad("automatic and manual field numbering mixed")
      numbering = "manual"
      key = Number(name)
    } else if (/^[A-Za-z_$][\w$]*$/.test(name)) key = name
    else throw bad(`the field {${body}} (fields are {}, {0} or {name})`)
    if (spec !== "" && parseSpec(spec) === undefined) {
      throw bad(`the format spec :${spec} (Python's [[fill]align][sign][z][#][0][width][grouping][.precision][type])`)
    }
    pieces.push(text)
    text = ""
    fields.push({ key, spec, conversion })
    i = end
  }
  pieces.push(text)
  return { pieces, fields }
}

// A number's value and whether Python would hold it as an int: a JS number, or a one-element tensor
const numberOf = (value: unknown): readonly [number, boolean] | undefined => {
  // (a JS -0 is a float's: Python's int has no negative zero)
  if (typeof value === "number") return [value, Number.isInteger(value) && !Object.is(value, -0)]
  if (typeof value === "boolean") return [value ? 1 : 0, true]
  if (
    value instanceof ConcreteTensor && value.host !== undefined && value.host.length === 1 && !isComplex(value.dtype)
  ) {
    return [Number(value.host[0]), isInteger(value.dtype) || value.dtype === "bool"]
  }
  return undefined
}

// A string under a spec (Python's format of a str: fill, alignment and width; left-aligned)
const padText = (text: string, specText: string): string => {
  const spec = specText === "" ? undefined : parseSpec(specText)
  if (spec === undefined || spec.width <= text.length) return text
  const pad = spec.width - text.length
  if (spec.align === ">") return spec.fill.repeat(pad) + text
  if (spec.align === "^") {
    return spec.fill.repeat(Math.floor(pad / 2)) + text + spec.fill.repeat(pad - Math.floor(pad / 2))
  }
  return text + spec.fill.repeat(pad)
}

// A field's value under its conversion and format spec (Python's mini-language on numbers and
// one-element tensors; a string's spec pads it)
const formatField = (value: unknown, field: Field): string => {
  // `!r`: Python's repr (an array's is JAX's `Array([1., 2.], dtype=float32)`), padded by the spec
  if (field.conversion === "r") return padText(reprOf(value), field.spec)
  if (field.spec === "") return strOf(value)
  if (typeof value === "string") return padText(value, field.spec)
  const spec = parseSpec(field.spec)!
  const n = numberOf(value)
  if (n === undefined) {
    throw new ArgumentError({
      operation: "debug.print",
      argument: "fmt",
      expected: "a format spec on a number or a one-element array",
      got: `:${field.spec} for ${strOf(value)}`
    })
  }
  return formatNumber(n[0], spec, n[1])
}

/**
 * Prints a formatted line each time the computation runs (JAX's
 * `jax.debug.print`): `fmt` is a Python format string whose fields are
 * `{}` (the next argument), `{0}` (by position) or `{name}` (a field of the
 * last argument, a plain record: `debug.print("x = {x}", { x })`), each
 * optionally with a conversion `!r` and a spec in Python's mini-language
 * (`:.3f`, `:8.2e`, `:,d`, `:.1%`, ...; ties round to even, as Python's).
 * Every argument must be used (JAX's check against an f-string passed by
 * mistake). Tensors print as NumPy's `str`
 * (`[1. 2.]`); they may sit anywhere in a pytree argument. Like
 * `debug.callback`, it prints on every call of a jitted function (not while
 * tracing), once per batch index under `vmap`, and the primal values under
 * `grad`.
 *
 * @example
 * import { Effect } from "effect"
 * import { debug, jit, np, toJsSync, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * // each call of f prints the line "x = [1.  2.5], sum = 3.50" first
 * const f = jit((x: Tensor) => {
 *   debug.print("x = {}, sum = {s:.2f}", x, { s: np.sum(x) })
 *   return np.square(x)
 * })
 * const y = Effect.runSync(f(np.array([1, 2.5])).pipe(Effect.provide(TypedArrayBackend.layer)))
 * console.log(toJsSync(y)) // [1, 6.25]
 *
 * @since 0.1.0
 */
export const print = (fmt: string, ...args: ReadonlyArray<unknown>): void => printWith(fmt, args, {})

/**
 * {@link print} with options: `log` receives each line (for tests, loggers).
 *
 * @example
 * import { debug, np } from "diffect"
 * const lines: Array<string> = []
 * debug.printWith("{} and {}", [np.array([1, 2], { dtype: "int32" }), 3], { log: (l) => lines.push(l) })
 * console.log(lines) // [ '[1 2] and 3' ]
 *
 * @since 0.1.0
 */
export const printWith = (fmt: string, args: ReadonlyArray<unknown>, options: PrintOptions): void => {
  if (typeof fmt !== "string") {
    throw new ArgumentError({ operation: "debug.print", argument: "fmt", expected: "a string", got: typeof fmt })
  }
  const { fields, pieces } = parseFormat(fmt)
  const named = fields.some((f) => typeof f.key === "string")
  const last = args[args.length - 1]
  const record = named && typeof last === "object" && last !== null && !Array.isArray(last) && !isTensor(last)
    ? last as Record<string, unknown>
    : undefined
  const positional = record === undefined ? args : args.slice(0, -1)
  // every field resolved now (a missing one is an error while tracing, as Python's at the call)
  for (const f of fields) {
    const ok = typeof f.key === "number" ? f.key < positional.length : record !== undefined && f.key in record
    const value = !ok ? undefined : typeof f.key === "number" ? positional[f.key] : record![f.key]
    // (Python's `d`, `b`, `o`, `x` take integers only)
    const integral = typeof value === "number" ? Number.isInteger(value) : isTensor(value) && isInteger(value.dtype)
    const parsed = f.spec === "" ? undefined : parseSpec(f.spec)
    if (ok && parsed !== undefined && integerOnly(parsed) && !integral) {
      throw new ArgumentError({
        operation: "debug.print",
        argument: "fmt",
        expected: `an integer for the format spec ${f.spec}`,
        got: `{${f.key}:${f.spec}} for ${isTensor(value) ? `a ${value.dtype} array` : String(value)}`
      })
    }
    // a string (or a `!r` repr) takes a width-and-alignment spec only, as Python's str does
    const textual = f.conversion === "r" || typeof value === "string"
    const textSpec = parsed !== undefined && parsed.type === "" && parsed.precision === undefined &&
      parsed.grouping === undefined && parsed.sign === "-" && !parsed.alt && !parsed.z
    if (ok && f.spec !== "" && textual && !textSpec) {
      throw new ArgumentError({
        operation: "debug.print",
        argument: "fmt",
        expected: "a fill, alignment and width spec for a string",
        got: `{${f.key}${f.conversion === undefined ? "" : `!${f.conversion}`}:${f.spec}}`
      })
    }
    if (ok && f.spec !== "" && !textual && !(typeof value === "number" || (isTensor(value) && value.size === 1))) {
      throw new ArgumentError({
        operation: "debug.print",
        argument: "fmt",
        expected: "a format spec on a number or a one-element array",
        got: `{${f.key}:${f.spec}} for ${
          isTensor(value) ? `an array of shape [${value.shape.join(", ")}]` : typeof value
        }`
      })
    }
    if (!ok) {
      throw new ArgumentError({
        operation: "debug.print",
        argument: "fmt",
        expected: typeof f.key === "number"
          ? `at most ${positional.length} positional field(s)`
          : "named fields given by a plain record as the last argument",
        got: `the field {${f.key}} in ${JSON.stringify(fmt)}`
      })
    }
  }
  // JAX's _DebugPrintFormatChecker: every argument is used (an f-string passed by mistake has none)
  const usedPositions = new Set(fields.flatMap((f) => (typeof f.key === "number" ? [f.key] : [])))
  const unusedPositions = positional.flatMap((_, i) => (usedPositions.has(i) ? [] : [i]))
  if (unusedPositions.length > 0) {
    throw new ArgumentError({
      operation: "debug.print",
      argument: "args",
      expected: "every positional argument used by a field of fmt",
      got: `unused positional arguments to debug.print: [${
        unusedPositions.map((i) => strOf(positional[i])).join(", ")
      }]`
    })
  }
  const unusedNames = record === undefined
    ? []
    : Object.keys(record).filter((k) => !fields.some((f) => f.key === k))
  if (unusedNames.length > 0) {
    throw new ArgumentError({
      operation: "debug.print",
      argument: "args",
      expected: "every field of the last (record) argument used by a {name} field of fmt",
      got: `unused keyword arguments to debug.print: [${
        unusedNames.map((k) => `'${k}'`).join(", ")
      }]. You may be passing an f-string (i.e, \`f"{x}"\`) into debug.print instead of a regular string`
    })
  }
  const log = options.log ?? ((line: string) => console.log(line))
  const values = fields.map((f) => (typeof f.key === "number" ? positional[f.key] : record![f.key]))
  stageCallback("print", (...vs: Array<unknown>) => {
    let out = pieces[0]!
    fields.forEach((f, i) => (out += formatField(vs[i], f) + pieces[i + 1]!))
    log(out)
  }, values)
}

// One line at the Info level through the running fiber's loggers (the default logger outside a fiber).
const logInfo = (line: string): void => {
  const fiber = Fiber.getCurrent()
  const effect = Effect.logInfo(line)
  if (fiber === undefined) Effect.runSync(effect)
  else Effect.runSyncWith(fiber.context)(effect)
}

/**
 * {@link print} through Effect's logging (JAX's `jax.debug.log`, which logs
 * through Python's `logging` at the INFO level): each formatted line is an
 * `Effect.logInfo` with the running fiber's loggers, so a `Logger` layer the
 * program provides receives it, on every call of a jitted function.
 *
 * @example
 * import { Effect, Logger } from "effect"
 * import { debug, jit, np, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * const lines: Array<string> = []
 * const capture = Logger.make(({ message }) => lines.push([message].flat().join(" ")))
 * const f = jit((x: Tensor) => {
 *   debug.log("x = {}", x)
 *   return np.square(x)
 * })
 * const program = f(np.array([1, 2])).pipe(Effect.provide(TypedArrayBackend.layer))
 * Effect.runSync(program.pipe(Effect.provide(Logger.layer([capture]))))
 * console.log(lines) // [ 'x = [1. 2.]' ]
 *
 * @since 0.1.0
 */
export const log = (fmt: string, ...args: ReadonlyArray<unknown>): void => printWith(fmt, args, { log: logInfo })
