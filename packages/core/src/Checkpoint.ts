/**
 * Checkpoints: a pytree of tensors (parameters, an optimizer state) saved as a
 * safetensors file, the format Hugging Face, Flax and PyTorch read, and loaded
 * back validated by a pytree of `Tensor.schema`s.
 *
 * The file: 8 bytes, the header's length N as a little-endian u64; N bytes of
 * JSON, `{ "__metadata__": { ... }, "<name>": { "dtype", "shape", "data_offsets" } }`,
 * padded with spaces to a multiple of 8; then the tensors' raw little-endian
 * data, back to back, `data_offsets` counted from the data's start.
 *
 * Names: a leaf's tree path joined by `.` (`{ layers: [{ w }] }` saves
 * `layers.0.w`), the convention of PyTorch state dicts and Flax's
 * `flatten_dict(sep=".")`. Tensors are stored as the reference implementation
 * writes them: by dtype (widest first), then by name.
 *
 * `encode`/`decode` work on bytes (any platform); `save`/`load` add file I/O
 * through Effect's `FileSystem` service (in Node, `NodeFileSystem.layer` from
 * `@effect/platform-node`).
 *
 * @since 0.1.0
 */
import { Effect, FileSystem, Schema } from "effect"
import type { PlatformError } from "effect/PlatformError"
import { aval, formatAval } from "./AbstractValue.js"
import type { DType, HostArray } from "./DType.js"
import {
  ArgumentError,
  BackendError,
  CheckpointFormatError,
  CheckpointKeyError,
  CheckpointSchemaError,
  ConcretizationError,
  UnsupportedDTypeError
} from "./Errors.js"
import type { ReleasedTensorError } from "./Errors.js"
import { ConcreteTensor, Tensor, Tracer } from "./Tensor.js"
import { formatSpec, matches, specOf } from "./TensorSchema.js"
import * as Tree from "./Tree.js"
import { argumentError, describeValue } from "./Validate.js"

/**
 * The errors of encoding a tree.
 *
 * @since 0.1.0
 */
export type EncodeError =
  | ArgumentError
  | CheckpointKeyError
  | UnsupportedDTypeError
  | BackendError
  | ConcretizationError
  | ReleasedTensorError

/**
 * The errors of decoding bytes against a schema tree.
 *
 * @since 0.1.0
 */
export type DecodeError = CheckpointFormatError | CheckpointKeyError | CheckpointSchemaError

/**
 * Options of `encode` and `save`.
 *
 * @since 0.1.0
 */
export interface EncodeOptions {
  /** Free-form string pairs stored in the header's `__metadata__`. */
  readonly metadata?: { readonly [key: string]: string } | undefined
}

/**
 * What `decode` and `load` return for a schema tree: each `Tensor.schema` (or
 * template tensor) becomes a `Tensor`, each other schema its decoded type.
 *
 * @since 0.1.0
 */
export type Loaded<S> = S extends Tensor ? Tensor
  : S extends Schema.Top ? S["Type"]
  : S extends ReadonlyArray<unknown> ? { -readonly [K in keyof S]: Loaded<S[K]> }
  : S extends object ? { -readonly [K in keyof S]: Loaded<S[K]> }
  : S

// safetensors dtype names, and their order in the reference implementation's `Dtype` enum
// (BOOL, ..., I32, U32, F32, C64, F64, ...). uint32 is U32: PRNG keys are uint32 tensors.
// The spec has no complex128 and no float0.
const codes: { readonly [D in DType]?: string } = {
  bool: "BOOL",
  int32: "I32",
  uint32: "U32",
  float32: "F32",
  complex64: "C64",
  float64: "F64"
}
// Null-prototype tables: a name read from a file ("toString", "__proto__") finds nothing.
const table = <V>(entries: Record<string, V>): Readonly<Record<string, V>> =>
  Object.assign(Object.create(null) as Record<string, V>, entries)
const rank = table({ BOOL: 0, I32: 1, U32: 2, F32: 3, C64: 4, F64: 5 })
const fromCode = table<DType>({
  BOOL: "bool",
  I32: "int32",
  U32: "uint32",
  F32: "float32",
  C64: "complex64",
  F64: "float64"
})
const bytesPerElement = table({ BOOL: 1, I32: 4, U32: 4, F32: 4, C64: 8, F64: 8 })

// The header's key of the metadata: no tensor may have that name.
const METADATA = "__metadata__"

/**
 * The name a leaf at `path` gets in a checkpoint: the path's keys joined by `.`.
 *
 * @example
 * import { Checkpoint } from "diffect"
 * console.log(Checkpoint.keyOf(["layers", 0, "w"])) // layers.0.w
 *
 * @since 0.1.0
 */
export const keyOf = (path: Tree.KeyPath): string => {
  if (!Array.isArray(path) || !path.every((k) => typeof k === "string" || typeof k === "number")) {
    throw argumentError("Checkpoint.keyOf", "path", "a key path (an array of strings and numbers)", path)
  }
  return path.map(String).join(".")
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

// The host's bytes of `data` as little-endian bytes (a copy on big-endian hosts).
const toLittleEndian = (data: HostArray): Uint8Array => {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (littleEndian || data.BYTES_PER_ELEMENT === 1) return bytes
  const out = new Uint8Array(bytes)
  const w = data.BYTES_PER_ELEMENT
  for (let i = 0; i < out.length; i += w) out.subarray(i, i + w).reverse()
  return out
}

const concreteOf = (t: Tensor): ConcreteTensor | undefined => {
  let x: Tensor | undefined = t
  while (x instanceof Tracer) x = x.concreteValue()
  return x instanceof ConcreteTensor ? x : undefined
}

// The tensor's data in storage layout, read from its backend when it is not on the host.
const hostData = (
  path: string,
  t: Tensor
): Effect.Effect<HostArray, BackendError | ConcretizationError | ReleasedTensorError> => {
  const c = concreteOf(t)
  if (c === undefined) {
    return Effect.fail(
      new ConcretizationError({
        detail: `${
          String(t)
        } at ${path} cannot be saved while it is being traced; save the value the transformation returns`
      })
    )
  }
  const released = c.releasedError()
  if (released !== undefined) return Effect.fail(released)
  if (c.host !== undefined) return Effect.succeed(c.host)
  const buffer = c.buffer!
  return buffer.backend.read(buffer, c.aval)
}

const compareBytes = (a: string, b: string): number => {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

interface Entry {
  readonly name: string
  readonly path: string
  readonly tensor: Tensor
  readonly code: string
}

const entriesOf = (tree: unknown): Effect.Effect<Array<Entry>, CheckpointKeyError | UnsupportedDTypeError> =>
  Effect.suspend((): Effect.Effect<Array<Entry>, CheckpointKeyError | UnsupportedDTypeError> => {
    const [pairs] = Tree.flattenWithPath(tree)
    const seen = new Map<string, string>()
    const out: Array<Entry> = []
    for (const [p, leaf] of pairs) {
      const path = Tree.keystr(p)
      if (!(leaf instanceof Tensor)) {
        return Effect.fail(
          new CheckpointKeyError({ path, detail: `only tensors can be saved, got ${typeof leaf} ${String(leaf)}` })
        )
      }
      const name = keyOf(p)
      const other = seen.get(name)
      if (other !== undefined) {
        return Effect.fail(
          new CheckpointKeyError({
            path,
            detail: `its name "${name}" is also the name of ${other}; rename a key (names join the path with ".")`
          })
        )
      }
      if (name === METADATA) {
        return Effect.fail(
          new CheckpointKeyError({
            path,
            detail: `its name "${METADATA}" is the safetensors header's metadata entry; rename the key`
          })
        )
      }
      seen.set(name, path)
      const code = codes[leaf.dtype]
      if (code === undefined) {
        return Effect.fail(new UnsupportedDTypeError({ backend: "safetensors", dtype: leaf.dtype }))
      }
      out.push({ name, path, tensor: leaf, code })
    }
    return Effect.succeed(out)
  })

// The options' metadata, checked: the format stores string values only (a number would make a
// file that no reader, this one included, accepts).
const metadataOf = (
  options: EncodeOptions | undefined
): Effect.Effect<EncodeOptions["metadata"], ArgumentError> => {
  if (options === undefined) return Effect.succeed(undefined)
  if (typeof options !== "object" || options === null) {
    return Effect.fail(argumentError("Checkpoint.encode", "options", "an options object ({ metadata })", options))
  }
  const metadata = options.metadata
  if (metadata === undefined) return Effect.succeed(undefined)
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    return Effect.fail(
      argumentError("Checkpoint.encode", "metadata", "an object of string values", metadata)
    )
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      return Effect.fail(argumentError("Checkpoint.encode", `metadata[${JSON.stringify(k)}]`, "a string", v))
    }
  }
  return Effect.succeed(metadata)
}

/**
 * A pytree of tensors as the bytes of a safetensors file. Tensors on an
 * asynchronous backend are read back first, hence an Effect.
 *
 * @example
 * import { Checkpoint, np, runSync } from "diffect"
 * const bytes = runSync(Checkpoint.encode({ w: np.array([1, 2]) }))
 * // 8 bytes of header length, 56 of JSON header, 8 of data
 * console.log(bytes.length) // 72
 *
 * @since 0.1.0
 */
export const encode = (tree: unknown, options?: EncodeOptions): Effect.Effect<Uint8Array, EncodeError> =>
  Effect.gen(function*() {
    const metadata = yield* metadataOf(options)
    const entries = (yield* entriesOf(tree)).sort((a, b) =>
      rank[b.code]! - rank[a.code]! || compareBytes(a.name, b.name)
    )
    const datas = yield* Effect.forEach(entries, (e) => hostData(e.path, e.tensor), { concurrency: "unbounded" })
    const header: Record<string, unknown> = {}
    if (metadata !== undefined) {
      const sorted: Record<string, string> = {}
      for (const k of Object.keys(metadata).sort(compareBytes)) sorted[k] = metadata[k]!
      header["__metadata__"] = sorted
    }
    let offset = 0
    const chunks: Array<Uint8Array> = []
    entries.forEach((e, i) => {
      // float0 never reaches here; bool is stored one byte per element, as in storage.
      const bytes = toLittleEndian(datas[i]!)
      header[e.name] = { dtype: e.code, shape: [...e.tensor.shape], data_offsets: [offset, offset + bytes.length] }
      offset += bytes.length
      chunks.push(bytes)
    })
    const json = encoder.encode(JSON.stringify(header))
    const n = Math.ceil(json.length / 8) * 8
    const out = new Uint8Array(8 + n + offset)
    new DataView(out.buffer).setBigUint64(0, BigInt(n), true)
    out.set(json, 8)
    out.fill(0x20, 8 + json.length, 8 + n)
    let at = 8 + n
    for (const c of chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  })

/**
 * A safetensors file read without a schema: every tensor by name, and the metadata.
 *
 * @since 0.1.0
 */
export interface Contents {
  readonly tensors: { readonly [name: string]: Tensor }
  readonly metadata: { readonly [key: string]: string }
}

const formatError = (detail: string) => new CheckpointFormatError({ detail })

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const isDims = (u: unknown): u is Array<number> => Array.isArray(u) && u.every((d) => Number.isInteger(d) && d >= 0)

// The element count of a shape read from a file, or undefined when a running product of its
// dimensions (zeros included, as the reference's checked multiplication) leaves the safe integers
// or a dimension is more than a JS array may hold (toJs builds one array per dimension).
const countOf = (shape: ReadonlyArray<number>): number | undefined => {
  let n = 1
  for (const d of shape) {
    n *= d
    if (d > MAX_DIM || n > Number.MAX_SAFE_INTEGER) return undefined
  }
  return n
}
const MAX_DIM = 2 ** 32 - 1

const tensorFrom = (data: Uint8Array, dtype: DType, shape: ReadonlyArray<number>): Tensor => {
  const copy = new Uint8Array(data) // a copy: aligned, and owned by the tensor (Buffer.slice would share)
  const w = dtype === "bool" ? 1 : dtype === "float64" || dtype === "complex64" ? 8 : 4
  if (!littleEndian && w > 1) {
    const lane = dtype === "complex64" ? 4 : w
    for (let i = 0; i < copy.length; i += lane) copy.subarray(i, i + lane).reverse()
  }
  const host: HostArray = dtype === "bool"
    ? copy
    : dtype === "int32"
    ? new Int32Array(copy.buffer)
    : dtype === "uint32"
    ? new Uint32Array(copy.buffer)
    : dtype === "float64"
    ? new Float64Array(copy.buffer)
    : new Float32Array(copy.buffer)
  return new ConcreteTensor(aval(shape, dtype), host, undefined)
}

/**
 * Parses safetensors bytes into named tensors (host data) and metadata.
 * Malformed bytes fail with `CheckpointFormatError`.
 *
 * @example
 * import { Checkpoint, np, runSync, toJsSync } from "diffect"
 * const { tensors } = runSync(Checkpoint.read(runSync(Checkpoint.encode({ a: { b: np.array([1, 2]) } }))))
 * console.log(toJsSync(tensors["a.b"])) // [1, 2]
 *
 * @since 0.1.0
 */
export const read = (bytes: Uint8Array): Effect.Effect<Contents, CheckpointFormatError> =>
  Effect.suspend((): Effect.Effect<Contents, CheckpointFormatError> => {
    if (!(bytes instanceof Uint8Array)) {
      return Effect.fail(formatError(`a checkpoint is a Uint8Array of safetensors bytes, got ${describeValue(bytes)}`))
    }
    if (bytes.length < 8) {
      return Effect.fail(formatError(`${bytes.length} bytes is shorter than the 8-byte header length`))
    }
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
    if (n > BigInt(bytes.length - 8)) {
      return Effect.fail(formatError(`the header length ${n} exceeds the ${bytes.length - 8} bytes after it`))
    }
    const start = 8 + Number(n)
    let header: unknown
    try {
      header = JSON.parse(decoder.decode(bytes.subarray(8, start)))
    } catch (e) {
      return Effect.fail(formatError(`the header is not UTF-8 JSON (${(e as Error).message})`))
    }
    if (!isRecord(header)) return Effect.fail(formatError("the header is not a JSON object"))
    const data = bytes.subarray(start)
    // null prototypes: a tensor named "__proto__" is an entry like any other, and a lookup of
    // "toString" finds nothing
    const tensors: Record<string, Tensor> = Object.create(null)
    let metadata: Record<string, string> = Object.create(null)
    const spans: Array<[number, number, string]> = []
    for (const [name, info] of Object.entries(header)) {
      if (name === METADATA) {
        if (!isRecord(info) || !Object.values(info).every((v) => typeof v === "string")) {
          return Effect.fail(formatError("__metadata__ must map strings to strings"))
        }
        metadata = Object.assign(Object.create(null), info) as Record<string, string>
        continue
      }
      if (!isRecord(info)) return Effect.fail(formatError(`the entry of "${name}" is not an object`))
      const { data_offsets: offsets, dtype: code, shape } = info
      const dtype = typeof code === "string" ? fromCode[code] : undefined
      if (dtype === undefined) {
        return Effect.fail(
          formatError(`"${name}" has dtype ${JSON.stringify(code)}; diffect reads ${Object.keys(fromCode).join(", ")}`)
        )
      }
      if (!isDims(shape)) return Effect.fail(formatError(`"${name}" has an invalid shape ${JSON.stringify(shape)}`))
      if (!isDims(offsets) || offsets.length !== 2 || offsets[0]! > offsets[1]! || offsets[1]! > data.length) {
        return Effect.fail(
          formatError(`"${name}" has data_offsets ${JSON.stringify(offsets)} outside the ${data.length} data bytes`)
        )
      }
      const [begin, end] = offsets as [number, number]
      const count = countOf(shape)
      if (count === undefined) {
        return Effect.fail(
          formatError(
            `"${name}" has shape ${
              JSON.stringify(shape)
            }: its element count overflows, or a dimension exceeds ${MAX_DIM}`
          )
        )
      }
      const expected = count * bytesPerElement[code as string]!
      if (end - begin !== expected) {
        return Effect.fail(
          formatError(
            `"${name}" (${formatAval(aval(shape, dtype))}) needs ${expected} bytes, its data_offsets span ${
              end - begin
            }`
          )
        )
      }
      if (dtype === "bool") {
        const bad = data.subarray(begin, end).findIndex((b) => b > 1)
        if (bad >= 0) {
          return Effect.fail(
            formatError(`"${name}" is BOOL but its element ${bad} is the byte ${data[begin + bad]}, not 0 or 1`)
          )
        }
      }
      spans.push([begin, end, name])
      tensors[name] = tensorFrom(data.subarray(begin, end), dtype, shape)
    }
    // As the reference implementation: the tensors tile the data exactly, without holes or overlaps.
    spans.sort((a, b) => a[0] - b[0])
    let at = 0
    for (const [begin, end, name] of spans) {
      if (begin !== at) {
        return Effect.fail(formatError(`"${name}" starts at byte ${begin}, expected ${at} (a hole or an overlap)`))
      }
      at = end
    }
    if (at !== data.length) return Effect.fail(formatError(`the tensors cover ${at} of the ${data.length} data bytes`))
    return Effect.succeed({ tensors, metadata })
  })

// A nested value from the names under `prefix`: records, or arrays where the keys are 0..n-1.
const nest = (names: ReadonlyArray<string>, prefix: string, tensors: Contents["tensors"]): unknown => {
  if (names.length === 1 && names[0] === prefix) return tensors[prefix]
  const groups = new Map<string, Array<string>>()
  const cut = prefix === "" ? 0 : prefix.length + 1
  for (const name of names) {
    const rest = name.slice(cut)
    const head = rest.split(".", 1)[0]!
    const list = groups.get(head) ?? []
    list.push(name)
    groups.set(head, list)
  }
  const keys = [...groups.keys()]
  const child = (k: string) => nest(groups.get(k)!, prefix === "" ? k : `${prefix}.${k}`, tensors)
  const isArray = keys.every((k) => /^(0|[1-9]\d*)$/.test(k)) && keys.length > 0 &&
    keys.map(Number).sort((a, b) => a - b).every((k, i) => k === i)
  if (isArray) return keys.map(Number).sort((a, b) => a - b).map((i) => child(String(i)))
  return Object.fromEntries(keys.map((k) => [k, child(k)]))
}

// A name that is also a node of another ("a" and "a.b"): a tree cannot hold both.
const nodeClash = (names: ReadonlyArray<string>): readonly [string, string] | undefined => {
  const all = new Set(names)
  for (const name of names) {
    for (let at = name.indexOf("."); at >= 0; at = name.indexOf(".", at + 1)) {
      const head = name.slice(0, at)
      if (all.has(head)) return [head, name]
    }
  }
  return undefined
}

const under = (name: string, prefix: string): boolean =>
  prefix === "" || name === prefix || name.startsWith(`${prefix}.`)

const isSchemaLeaf = (u: unknown): boolean => Schema.isSchema(u)

/**
 * Reads safetensors bytes into the tree described by `schema`: a pytree whose
 * leaves are `Tensor.schema`s (or tensors, as templates of their dtype and
 * shape, such as a fresh `opt.init(params)`), or any Effect schema of a subtree
 * (`Schema.Struct` of tensor schemas). Every leaf is looked up by its name,
 * checked, and every tensor of the file must be used: a missing or extra name
 * fails with `CheckpointKeyError`, a tensor of another dtype or shape with
 * `CheckpointSchemaError`, both naming the path.
 *
 * @example
 * import { Checkpoint, np, runSync, Tensor, toJsSync } from "diffect"
 * const bytes = runSync(Checkpoint.encode({ w: np.array([[1, 2]]) }))
 * const loaded = runSync(Checkpoint.decode(bytes, { w: Tensor.schema({ dtype: "float32", shape: [1, 2] }) }))
 * console.log(toJsSync(loaded.w)) // [[1, 2]]
 *
 * @since 0.1.0
 */
export const decode = <S>(bytes: Uint8Array, schema: S): Effect.Effect<Loaded<S>, DecodeError> =>
  Effect.gen(function*() {
    const { tensors } = yield* read(bytes)
    const names = Object.keys(tensors)
    const used = new Set<string>()
    const [pairs, def] = Tree.flattenWithPath(schema, { isLeaf: (u) => u instanceof Tensor || isSchemaLeaf(u) })
    const out: Array<unknown> = []
    for (const [p, leaf] of pairs) {
      const path = Tree.keystr(p)
      const key = keyOf(p)
      const spec = leaf instanceof Tensor
        ? { dtype: leaf.dtype, shape: leaf.shape }
        : isSchemaLeaf(leaf)
        ? specOf(leaf as Schema.Top)
        : undefined
      if (spec !== undefined) {
        const t = tensors[key]
        if (t === undefined) {
          return yield* new CheckpointKeyError({ path, detail: `the checkpoint has no tensor named "${key}"` })
        }
        if (!matches(spec, t)) {
          return yield* new CheckpointSchemaError({
            path,
            key,
            detail: `expected ${formatSpec(spec)}, got ${formatAval(t.aval)}`
          })
        }
        used.add(key)
        out.push(t)
        continue
      }
      if (!isSchemaLeaf(leaf)) {
        return yield* new CheckpointKeyError({
          path,
          detail: `the schema tree's leaves must be tensor schemas, schemas or template tensors, got ${typeof leaf} ${
            String(leaf)
          }`
        })
      }
      const mine = names.filter((n) => under(n, key))
      if (mine.length === 0) {
        return yield* new CheckpointKeyError({
          path,
          detail: `the checkpoint has no tensor named "${key}" or under it`
        })
      }
      const clash = nodeClash(mine)
      if (clash !== undefined) {
        return yield* new CheckpointSchemaError({
          path,
          key,
          detail: `the checkpoint has both "${clash[0]}" and "${
            clash[1]
          }": one name cannot be a tensor and a node of the tree`
        })
      }
      const value = nest(mine, key, tensors)
      const decoded = yield* Schema.decodeUnknownEffect(leaf as Schema.Codec<unknown, unknown>)(value).pipe(
        Effect.mapError((e) => new CheckpointSchemaError({ path, key, detail: e.message }))
      )
      for (const n of mine) used.add(n)
      out.push(decoded)
    }
    const extra = names.filter((n) => !used.has(n))
    if (extra.length > 0) {
      return yield* new CheckpointKeyError({
        path: "",
        detail: `the checkpoint has tensors the schema does not name: ${extra.map((n) => `"${n}"`).join(", ")}`
      })
    }
    return Tree.unflatten<Loaded<S>>(def, out)
  })

/**
 * Writes `tree` to a safetensors file at `path` with the `FileSystem` service.
 *
 * @example
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Checkpoint, np } from "diffect"
 * import { Effect } from "effect"
 * import { readFileSync } from "node:fs"
 * const program = Checkpoint.save("/tmp/params.safetensors", { w: np.array([1, 2]) })
 * await Effect.runPromise(program.pipe(Effect.provide(NodeFileSystem.layer)))
 * console.log(readFileSync("/tmp/params.safetensors").length) // 72
 *
 * @since 0.1.0
 */
export const save = (
  path: string,
  tree: unknown,
  options?: EncodeOptions
): Effect.Effect<void, EncodeError | PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const bytes = yield* encode(tree, options)
    yield* fs.writeFile(path, bytes)
  })

/**
 * Reads the safetensors file at `path` into the tree described by `schema`
 * (see `decode`) with the `FileSystem` service.
 *
 * @example
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Checkpoint, np, Tensor, toJsSync } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   yield* Checkpoint.save("/tmp/w.safetensors", { w: np.array([1, 2]) })
 *   return yield* Checkpoint.load("/tmp/w.safetensors", { w: Tensor.schema({ shape: [2] }) })
 * })
 * const { w } = await Effect.runPromise(program.pipe(Effect.provide(NodeFileSystem.layer)))
 * console.log(toJsSync(w)) // [1, 2]
 *
 * @since 0.1.0
 */
export const load = <S>(
  path: string,
  schema: S
): Effect.Effect<Loaded<S>, DecodeError | PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const bytes = yield* fs.readFile(path)
    return yield* decode(bytes, schema)
  })
