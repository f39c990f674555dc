/**
 * A minimal WebAssembly binary emitter: just enough to build one module that
 * imports its memory (`env.memory`) and exports functions whose parameters and
 * locals are `i32` or `v128`. Bodies are plain byte arrays written with the
 * opcode table `op` (see the WebAssembly core spec, "Binary format", and the
 * SIMD proposal's opcode table for the `0xfd`-prefixed instructions).
 *
 * Layout of a module: magic `\0asm`, version 1, then sections, each
 * `id, size (LEB128), body`: type (1), import (2), function (3), export (7),
 * code (10). Vectors are `count (LEB128), items`.
 */

/** Value types. */
export const i32 = 0x7f
export const v128 = 0x7b

/** Unsigned LEB128 (sizes, counts, indices, memory offsets). */
export const uleb = (n: number): Array<number> => {
  const out: Array<number> = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

/** Signed LEB128 (the immediate of `i32.const`). */
export const sleb = (n: number): Array<number> => {
  const out: Array<number> = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

const vec = (items: ReadonlyArray<ReadonlyArray<number>>): Array<number> => [...uleb(items.length), ...items.flat()]
const name = (s: string): Array<number> => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]
const section = (id: number, body: ReadonlyArray<number>): Array<number> => [id, ...uleb(body.length), ...body]

/** A SIMD instruction: prefix `0xfd`, then its LEB128 sub-opcode. */
const simd = (code: number): Array<number> => [0xfd, ...uleb(code)]
/** A memory access immediate: alignment (log2 bytes) and a constant byte offset. */
const memarg = (align: number, offset: number): Array<number> => [...uleb(align), ...uleb(offset)]

/** The instructions the kernels use; each returns its bytes. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32ShrU: [0x76],
  /** `v128.load` with a byte offset (16-byte aligned hint). */
  v128Load: (offset: number) => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset: number) => [...simd(0x0b), ...memarg(4, offset)],
  /** Stores lane `lane` (0 or 1) of a vector's two 64-bit lanes (`v128.store64_lane`). */
  v128Store64Lane: (offset: number, lane: number) => [...simd(0x5b), ...memarg(3, offset), lane],
  /** Loads one f32 and splats it into all four lanes. */
  v128Load32Splat: (offset: number) => [...simd(0x09), ...memarg(2, offset)],
  /** Loads one f64 and splats it into both lanes. */
  v128Load64Splat: (offset: number) => [...simd(0x0a), ...memarg(3, offset)],
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  /** Relaxed SIMD: `a * b + c`, fused or not as the engine decides (feature-probed before use). */
  f32x4RelaxedMadd: simd(0x105),
  f64x2RelaxedMadd: simd(0x107),
  /** Calls function `index` of the module (its position in `moduleBytes`'s list). */
  call: (index: number) => [0x10, ...uleb(index)],
  /** `select`: `(a, b, cond) => cond ? a : b`. */
  select: [0x1b],
  i32LtU: [0x49],
  i32GtU: [0x4b],
  /** `if` with no result (`ifVoid ... else_ ... end`). */
  ifVoid: [0x04, 0x40],
  else_: [0x05],
  /** `v128.const` of sixteen zero bytes. */
  v128Zero: [...simd(0x0c), ...Array<number>(16).fill(0)],
  /** `i8x16.shuffle` selecting f32 lanes (0-3: first operand, 4-7: second) into a new vector. */
  f32x4Shuffle: (lanes: readonly [number, number, number, number]) => [
    ...simd(0x0d),
    ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])
  ]
} as const

/** One exported function: parameter types, extra locals, and its body (without the final `end`). */
export interface Func {
  readonly name: string
  readonly params: ReadonlyArray<number>
  readonly locals: ReadonlyArray<number>
  readonly body: ReadonlyArray<number>
}

/** A shared memory import (threads): its maximum size in 64 KiB pages, which shared memories must declare. */
export interface SharedMemoryImport {
  readonly maxPages: number
}

/**
 * A module importing `env.memory` (at least `minPages` 64 KiB pages; shared, with
 * a maximum, when `shared` is given) and exporting `funcs` (no results). Imported
 * `(f64) -> f64` functions (`mathImports`) come before the memory: they take
 * type 0 and the first function indices (`call(i)` for the i-th import).
 */
export const moduleBytes = (
  funcs: ReadonlyArray<Func>,
  minPages = 1,
  shared?: SharedMemoryImport,
  mathImports: ReadonlyArray<MathImport> = []
): Uint8Array<ArrayBuffer> => {
  const importTypes = mathImports.length === 0 ? [] : [[0x60, ...vec([[f64]]), ...vec([[f64]])]]
  const funcTypes = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])])
  const types = section(1, vec([...importTypes, ...funcTypes]))
  // limits: 0x00 min, or 0x03 min max shared
  const limits = shared === undefined ? [0x00, ...uleb(minPages)] : [0x03, ...uleb(minPages), ...uleb(shared.maxPages)]
  const imports = section(
    2,
    vec([
      ...mathImports.map((m) => [...name("env"), ...name(m.name), 0x00, 0x00]),
      [...name("env"), ...name("memory"), 0x02, ...limits]
    ])
  )
  const functions = section(3, vec(funcs.map((_, i) => uleb(i + importTypes.length))))
  const exports = section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i + mathImports.length)])))
  // The code section is assembled from parts (a fused group's body can be megabytes: spreading it
  // into new arrays, once per enclosing level, cost more than emitting it)
  const code: Array<ArrayLike<number>> = []
  let codeBytes = 0
  for (const f of funcs) {
    // locals are declared as runs of (count, type)
    const runs: Array<Array<number>> = []
    let i = 0
    while (i < f.locals.length) {
      let j = i
      while (j < f.locals.length && f.locals[j] === f.locals[i]) j++
      runs.push([...uleb(j - i), f.locals[i]!])
      i = j
    }
    const locals = vec(runs)
    const size = locals.length + f.body.length + op.end.length
    const head = [...uleb(size), ...locals]
    code.push(head, f.body, op.end)
    codeBytes += head.length + size - locals.length
  }
  const countBytes = uleb(funcs.length)
  return concatBytes([
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    types,
    imports,
    functions,
    exports,
    [10, ...uleb(countBytes.length + codeBytes), ...countBytes],
    ...code
  ])
}

/** The parts one after another in a new byte array. */
const concatBytes = (parts: ReadonlyArray<ArrayLike<number>>): Uint8Array<ArrayBuffer> => {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * Elementwise SIMD instructions (the fused-kernel compiler, `simd.ts`): float
 * arithmetic and comparisons on f32x4 / f64x2, masks, and the integer lane
 * steps of `ldexp` and `exponent`. Opcodes: the SIMD proposal's table.
 */
export const simdOp = {
  i32LtU: [0x49],
  v128Const: (bytes: ReadonlyArray<number>) => [...simd(0x0c), ...bytes],
  f32x4Splat: simd(0x13),
  f64x2Splat: simd(0x14),
  v128Not: simd(0x4d),
  v128And: simd(0x4e),
  v128AndNot: simd(0x4f),
  v128Or: simd(0x50),
  v128Xor: simd(0x51),
  v128Bitselect: simd(0x52),
  /**
   * Relaxed SIMD's lane select: `v128.bitselect` where every mask lane is all ones or all zeros (a
   * comparison's), one blend instruction on x86 where `bitselect` takes three.
   */
  i32x4RelaxedLaneselect: simd(0x10b),
  i32x4Shl: simd(0xab),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i64x2Add: simd(0xce),
  i32x4Splat: simd(0x11),
  i64x2Splat: simd(0x12),
  i32x4Sub: simd(0xb1),
  i32x4TruncSatF32x4S: simd(0xf8),
  /**
   * Relaxed SIMD's truncation: `i32x4.trunc_sat_f32x4_s` for lanes in the int32 range (NaN and
   * out-of-range lanes are the engine's choice), one instruction on x86 where the saturating one
   * takes five.
   */
  i32x4RelaxedTruncF32x4S: simd(0x101),
  i32x4AllTrue: simd(0xa3),
  /** Scalar steps of the pairwise-sum leaves (`leafSums` in simd.ts). */
  br: (depth: number) => [0x0c, ...uleb(depth)],
  i32GeU: [0x4f],
  i32GtS: [0x4a],
  i32And: [0x71],
  i32Shl: [0x74],
  i32Load: [0x28, ...memarg(2, 0)],
  f32Load: [0x2a, ...memarg(2, 0)],
  f64Load: [0x2b, ...memarg(3, 0)],
  f64Store: [0x39, ...memarg(3, 0)],
  f64Add: [0xa0],
  f64PromoteF32: [0xbb],
  f64x2ExtractLane: (lane: number) => [...simd(0x21), lane],
  f64x2PromoteLowF32x4: simd(0x5f),
  /** The high two f32 lanes moved low (`i8x16.shuffle` of bytes 8..15 twice). */
  highF32Pair: [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15],
  /** Per-lane calls of an imported f64 -> f64 function (simd.ts's native fallback). */
  call: (func: number) => [0x10, ...uleb(func)],
  f32DemoteF64: [0xb6],
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f32x4ReplaceLane: (lane: number) => [...simd(0x20), lane],
  /** `if` with a v128 result (block type 0x7b), its `else`; closed by `op.end`. */
  ifV128: [0x04, 0x7b],
  else: [0x05],
  f32x4ConvertI32x4S: simd(0xfa),
  f32: {
    eq: simd(0x41),
    ne: simd(0x42),
    lt: simd(0x43),
    gt: simd(0x44),
    le: simd(0x45),
    ge: simd(0x46),
    ceil: simd(0x67),
    floor: simd(0x68),
    trunc: simd(0x69),
    nearest: simd(0x6a),
    abs: simd(0xe0),
    neg: simd(0xe1),
    sqrt: simd(0xe3),
    add: simd(0xe4),
    sub: simd(0xe5),
    mul: simd(0xe6),
    div: simd(0xe7),
    min: simd(0xe8),
    max: simd(0xe9),
    /** `b < a ? b : a`: the first operand on ties and unordered pairs. */
    pmin: simd(0xea),
    /** `a < b ? b : a`: the first operand on ties and unordered pairs. */
    pmax: simd(0xeb)
  },
  f64: {
    eq: simd(0x47),
    ne: simd(0x48),
    lt: simd(0x49),
    gt: simd(0x4a),
    le: simd(0x4b),
    ge: simd(0x4c),
    ceil: simd(0x74),
    floor: simd(0x75),
    trunc: simd(0x7a),
    nearest: simd(0x94),
    abs: simd(0xec),
    neg: simd(0xed),
    sqrt: simd(0xef),
    add: simd(0xf0),
    sub: simd(0xf1),
    mul: simd(0xf2),
    div: simd(0xf3),
    min: simd(0xf4),
    max: simd(0xf5),
    pmin: simd(0xf6),
    pmax: simd(0xf7)
  },
  /**
   * 32-bit integer lanes (int32 and uint32 values of a float32-lane kernel): wrapping arithmetic,
   * comparisons signed and unsigned, shifts by a scalar count (taken mod 32), conversions.
   */
  i32x4: {
    eq: simd(0x37),
    ne: simd(0x38),
    ltS: simd(0x39),
    ltU: simd(0x3a),
    gtS: simd(0x3b),
    gtU: simd(0x3c),
    leS: simd(0x3d),
    leU: simd(0x3e),
    geS: simd(0x3f),
    geU: simd(0x40),
    abs: simd(0xa0),
    neg: simd(0xa1),
    shl: simd(0xab),
    shrS: simd(0xac),
    shrU: simd(0xad),
    add: simd(0xae),
    sub: simd(0xb1),
    mul: simd(0xb5),
    minS: simd(0xb6),
    minU: simd(0xb7),
    maxS: simd(0xb8),
    maxU: simd(0xb9),
    extractLane: (lane: number) => [...simd(0x1b), lane],
    truncSatF32x4S: simd(0xf8),
    truncSatF32x4U: simd(0xf9),
    /** `f32x4.convert_i32x4_s` and `_u`: each lane rounded to nearest (as `Math.fround`). */
    toF32S: simd(0xfa),
    toF32U: simd(0xfb)
  }
} as const

/** A module instantiated over a memory of its own (one page at first): its memory and its exports. */
export interface OwnMemoryModule<Name extends string> {
  readonly memory: WebAssembly.Memory
  readonly exports: Record<Name, (...args: Array<number>) => void>
}

/**
 * A getter of the module exporting `funcs()` over a memory of its own, compiled on first use;
 * `null` where WebAssembly or its SIMD extension is unavailable (the caller runs its JS path).
 */
export const lazyModule = <Name extends string>(
  funcs: () => ReadonlyArray<Func>
): () => OwnMemoryModule<Name> | null => {
  let module: OwnMemoryModule<Name> | null | undefined
  return () => {
    if (module !== undefined) return module
    try {
      const memory = new WebAssembly.Memory({ initial: 1 })
      const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(funcs())), { env: { memory } })
      module = { memory, exports: instance.exports as unknown as OwnMemoryModule<Name>["exports"] }
    } catch {
      module = null
    }
    return module
  }
}

/**
 * Compiles `bytes` over a new memory importing as `env.memory` (shared, with `maxPages`, when
 * `shared`); `null` where the engine rejects the module (no SIMD, or no relaxed SIMD).
 */
export const instantiateOwn = (
  bytes: Uint8Array<ArrayBuffer>,
  shared: boolean,
  maxPages: number
):
  | { readonly module: WebAssembly.Module; readonly memory: WebAssembly.Memory; readonly exports: WebAssembly.Exports }
  | null =>
{
  if (!WebAssembly.validate(bytes)) return null
  const memory = shared
    ? new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true })
    : new WebAssembly.Memory({ initial: 1 })
  const module = new WebAssembly.Module(bytes)
  return { module, memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports }
}

/** Grows `memory` to at least `bytes` bytes; gives its buffer. */
export const reserveBytes = (memory: WebAssembly.Memory, bytes: number): ArrayBuffer => {
  const have = memory.buffer.byteLength
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536))
  return memory.buffer
}

/** `while (ptr < end) { body }` over two i32 locals (unsigned; `body` advances `ptr`). */
export const whileBelow = (ptr: number, end: number, body: ReadonlyArray<number>): Array<number> => [
  ...op.block,
  ...op.loop,
  ...op.get(ptr),
  ...op.get(end),
  ...simdOp.i32GeU,
  ...op.brIf(1),
  ...body,
  ...simdOp.br(0),
  ...op.end,
  ...op.end
]

/** `local += delta` for an i32 local (`delta`: instructions leaving an i32). */
export const addTo = (local: number, delta: ReadonlyArray<number>): Array<number> => [
  ...op.get(local),
  ...delta,
  ...op.i32Add,
  ...op.set(local)
]

/** The f64 value type (locals of the pairwise-sum leaves). */
export const f64 = 0x7c

/** An imported function `env.<name>` of type (f64) -> f64 (a JS `Math` function). */
export interface MathImport {
  readonly name: string
}
