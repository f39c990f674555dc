/**
 * The WebAssembly SIMD kernels (src/internal/simd.ts) compute the same bits as
 * the JS code generator's float32 `"strict"` loops (and, on float64, its
 * float64 loops): on the float32 approximations' sweep (so the bounds measured
 * on the JS loops, docs/numerics.md, hold for the SIMD kernels), on the
 * specials, on eager primitives large enough to take the SIMD path, and on
 * fused groups with broadcast, strided and scalar inputs.
 */
import { Approximation, DType, Kernel } from "@diffect/core"
import type { FusedKernelSpec } from "@diffect/core"
import { lowerElementwise } from "@diffect/core/Lowering"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { compileElementwise } from "../src/internal/codegen.js"
import { compileFusedJs, compileFusedLoop } from "../src/internal/fused.js"
import {
  compileSimd,
  kernelLocals,
  pairedKernel,
  relaxedKernels,
  setRelaxedKernels,
  simdAvailable,
  simdMin
} from "../src/internal/simd.js"
import { decomposedLoop, subjects, sweep } from "./approximationSweep.js"
import { arr, run, sumOfSquares4M } from "./helpers.js"

/** Bit-for-bit equality (NaN equals NaN, -0 differs from 0); the first difference is reported. */
const sameBits = (got: ArrayLike<number>, want: ArrayLike<number>, what: string, inputs?: ArrayLike<number>): void => {
  assert.strictEqual(got.length, want.length, `${what}: length`)
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      assert.fail(`${what}: element ${i} (input ${inputs?.[i]}) is ${got[i]}, the JS loop gives ${want[i]}`)
    }
  }
}

const specials = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  2 ** -149,
  -(2 ** -149),
  2 ** -126,
  -(2 ** -126),
  2 ** -127,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1,
  -1,
  0.5,
  88.72283935546875,
  -103.97207,
  89.5,
  -104,
  9,
  -9,
  0.625
]

describe.skipIf(!simdAvailable())("WebAssembly SIMD kernels", () => {
  // With relaxed SIMD (where the engine has it) and without.
  const selects = relaxedKernels() ? [true, false] : [false]
  describe.each(selects)(
    "the float32 decompositions give the JS strict loop's bits (relaxed SIMD: %s)",
    (relaxed) => {
      for (const s of subjects) {
        it(`${s.name}`, () => {
          const ins = s.arity === 1 ? (["float32"] as const) : (["float32", "float32"] as const)
          const lanes = Approximation.decompose(
            lowerElementwise(s.primitive, ins, "float32", {} as never),
            Approximation.allDecomposed
          )
          assert.strictEqual(setRelaxedKernels(relaxed), relaxed)
          let simd: ReturnType<typeof compileSimd>
          try {
            simd = compileSimd("f32", [], ins.map(() => ({ kind: "flat" as const })), lanes)
          } finally {
            setRelaxedKernels(true)
          }
          if (simd === undefined) {
            // pow's and erf's lowerings use ops without a SIMD form (rem, integer casts)
            assert.include(["pow", "erf"], s.name, `${s.name} should compile to SIMD`)
            return
          }
          const xs = new Float32Array([...sweep(16, 50_000, s.dense, 1), ...specials])
          const ys = s.arity === 2 ? new Float32Array([...sweep(16, 50_000, s.dense, 7), ...specials]) : undefined
          const operands = ys === undefined ? [xs] : [xs, ys]
          const want = new Float32Array(xs.length)
          decomposedLoop(s)(want, operands, xs.length)
          const got = new Float32Array(xs.length)
          simd(operands, [got], xs.length)
          sameBits(got, want, s.name, xs)
        })
      }
    }
  )

  it("a heavy kernel (two vectors per iteration) gives the JS loop's bits at every length: odd vector counts, tails, chunk edges", () => {
    const lanes = Approximation.decompose(
      lowerElementwise("tanh", ["float32"], "float32", {} as never),
      Approximation.allDecomposed
    )
    assert.isTrue(pairedKernel(lanes))
    assert.isFalse(pairedKernel([Kernel.neg(Kernel.input(0, "f32"))]))
    const simd = compileSimd("f32", [], [{ kind: "flat" }], lanes)!
    const tanh = subjects.find((s) => s.name === "tanh")!
    const lengths = [
      ...Array.from({ length: 40 }, (_, i) => i + 1),
      2044,
      2047,
      2048,
      2049,
      2052,
      2056,
      4100,
      6143
    ]
    for (const n of lengths) {
      const xs = new Float32Array(n).map((_, i) => specials[i % specials.length]! + Math.sin(i) * (i % 7))
      const want = new Float32Array(n)
      decomposedLoop(tanh)(want, [xs], n)
      // a sentinel past the end: nothing is written there
      const got = new Float32Array(n + 8).fill(42)
      simd([xs], [got.subarray(0, n)], n)
      sameBits(got.subarray(0, n), want, `tanh[${n}]`, xs)
      assert.deepStrictEqual([...got.subarray(n)], Array(8).fill(42), `tanh[${n}]: past the end`)
    }
  })

  it("a fused chain of 200 decomposed sines (46,000 nodes) reuses the locals of dead values and gives the JS loop's bits", () => {
    const sin = Approximation.decompose(
      lowerElementwise("sin", ["float32"], "float32", {} as never),
      Approximation.allDecomposed
    )[0]!
    // sin(sin(...sin(x))): each step's input node replaced by the step before
    const substitute = (e: Kernel.Expr, x: Kernel.Expr, memo: Map<Kernel.Expr, Kernel.Expr>): Kernel.Expr => {
      let r = memo.get(e)
      if (r !== undefined) return r
      switch (e.kind) {
        case "input":
          r = x
          break
        case "const":
          r = e
          break
        case "unary":
        case "cast":
          r = { ...e, x: substitute(e.x, x, memo) }
          break
        case "binary":
          r = { ...e, x: substitute(e.x, x, memo), y: substitute(e.y, x, memo) }
          break
        case "select":
          r = {
            ...e,
            cond: substitute(e.cond, x, memo),
            onTrue: substitute(e.onTrue, x, memo),
            onFalse: substitute(e.onFalse, x, memo)
          }
          break
      }
      memo.set(e, r)
      return r
    }
    let chain: Kernel.Expr = Kernel.input(0, "f32")
    for (let t = 0; t < 200; t++) chain = substitute(sin, chain, new Map())
    const ins = [{ kind: "flat" as const }]
    // one local per named value would be thousands; the values live at once are a few hundred
    assert.isBelow(kernelLocals("f32", ins, [chain]), 400)
    const n = 37
    const xs = new Float32Array(n).map((_, i) => specials[i % specials.length]! + i / 3)
    const simd = compileSimd("f32", [], ins, [chain])!
    const got = new Float32Array(n)
    simd([xs], [got], n)
    const want = new Float32Array(n)
    compileElementwise([chain], [1], { float32: "strict", transcendentals: Approximation.allDecomposed }).loop(
      want,
      [xs],
      n
    )
    sameBits(got, want, "sin chain", xs)
  })

  // float64 kernels compile arithmetic only (no float64 transcendentals in SIMD)
  it.each(["f32", "f64"] as const)(
    "random %s expression DAGs (shared nodes, selects, transcendentals; 1-3 outputs): the JS loop's bits at every length",
    (float) => {
      // a node: an op over earlier nodes (so values are shared and read far from where they are made)
      const unary = float === "f64" ? { neg: Kernel.neg, abs: Kernel.abs, sqrt: Kernel.sqrt } : {
        neg: Kernel.neg,
        abs: Kernel.abs,
        sqrt: Kernel.sqrt,
        exp: Kernel.exp,
        tanh: Kernel.tanh,
        sin: Kernel.sin,
        log: Kernel.log
      }
      const binary = {
        add: Kernel.add,
        sub: Kernel.sub,
        mul: Kernel.mul,
        div: Kernel.div,
        min: Kernel.min,
        max: Kernel.max
      }
      const unaryOps = Object.keys(unary) as Array<keyof typeof unary>
      const binaryOps = Object.keys(binary) as Array<keyof typeof binary>
      const node = fc.oneof(
        fc.record({ op: fc.constantFrom(...unaryOps), a: fc.nat() }),
        fc.record({ op: fc.constantFrom(...binaryOps), a: fc.nat(), b: fc.nat() }),
        fc.record({ op: fc.constant("select" as const), a: fc.nat(), b: fc.nat(), c: fc.nat(), d: fc.nat() }),
        fc.record({ op: fc.constant("const" as const), value: fc.double({ noDefaultInfinity: true, noNaN: true }) })
      )
      const round = float === "f32" ? Math.fround : (x: number) => x
      const Array_ = float === "f32" ? Float32Array : Float64Array
      let compiled = 0
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3 }),
          fc.array(node, { minLength: 1, maxLength: 60 }),
          fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 1, max: 70 }),
          fc.integer(),
          (arity, nodes, picks, n, seed) => {
            const made: Array<Kernel.Expr> = Array.from({ length: arity }, (_, k) => Kernel.input(k, float))
            const at = (i: number) => made[i % made.length]!
            for (const d of nodes) {
              if (d.op === "const") made.push(Kernel.constant(round(d.value), float))
              else if (d.op === "select") made.push(Kernel.select(Kernel.lt(at(d.a), at(d.b)), at(d.c), at(d.d)))
              else if ("b" in d) made.push(binary[d.op](at(d.a), at(d.b)))
              else made.push((unary as Record<string, (x: Kernel.Expr) => Kernel.Expr>)[d.op]!(at(d.a)))
            }
            const outs = picks.map((p) => made[arity + (p % (made.length - arity))] ?? made[0]!)
            const lanes = Approximation.decompose(outs, Approximation.allDecomposed)
            const simd = compileSimd(float, [], Array.from({ length: arity }, () => ({ kind: "flat" as const })), lanes)
            if (simd === undefined) return
            compiled++
            let r = seed
            const next = () => {
              r = (Math.imul(r, 1103515245) + 12345) | 0
              return r
            }
            const ins = Array.from({ length: arity }, () =>
              new Array_(n).map(() => {
                const v = next()
                return (v & 7) === 0 ? specials[(v >>> 3) % specials.length]! : (v / 2 ** 31) * 2 ** ((v >>> 20) % 12)
              }))
            const got = lanes.map(() => new Array_(n))
            simd(ins, got, n)
            lanes.forEach((e, o) => {
              const want = new Array_(n)
              compileElementwise([e], ins.map(() => 1), {
                float32: "strict",
                transcendentals: Approximation.allDecomposed
              }).loop(want, ins, n)
              sameBits(got[o]!, want, `output ${o}`)
            })
          }
        ),
        { numRuns: 150, seed: 20261205 }
      )
      // (every case compiles: these ops all have a SIMD form)
      assert.strictEqual(compiled, 150)
    }
  )

  // Every float primitive the backend runs in SIMD, eagerly, on an array past simdMin
  // (with the specials), against its JS loop on the same inputs.
  const unary = [
    "neg",
    "abs",
    "sqrt",
    "rsqrt",
    "floor",
    "ceil",
    "round",
    "sign",
    "exp",
    "expm1",
    "log",
    "log1p",
    "tanh",
    "sinh",
    "cosh",
    "logistic",
    "sin",
    "cos"
  ] as const
  const binary = ["add", "sub", "mul", "div", "max", "min"] as const
  for (const dtype of ["float32", "float64"] as const) {
    const n = 3000
    const values = Array.from(
      { length: n },
      (_, i) => i < specials.length ? specials[i]! : Math.fround(Math.sin(i * 12.9898) * 10 ** ((i % 13) - 6))
    )
    const shifted = values.map((_, i) => values[(i * 7 + 3) % n]!)
    for (const p of [...unary, ...binary]) {
      it(`eager ${p} on ${dtype}[${n}] equals its JS loop`, () => {
        assert.isAbove(n, simdMin([Kernel.input(0, "f32")]))
        const isBinary = (binary as ReadonlyArray<string>).includes(p)
        const operands = isBinary ? [arr(dtype, [n], values), arr(dtype, [n], shifted)] : [arr(dtype, [n], values)]
        const prim = p as "add"
        const got = run(prim, operands, {} as never, [n], dtype)
        const ins = operands.map((o) => o.dtype)
        const want = DType.allocHost(dtype, n)
        compileElementwise(lowerElementwise(prim, ins, dtype, {} as never), ins.map(DType.lanes)).loop(
          want,
          operands.map((o) => o.data),
          n
        )
        sameBits(got, want, `${p} ${dtype}`, values)
      })
    }
  }

  it("float32 sin and cos: decomposed up to |x| = 8192, Math.sin/cos rounded beyond (per lane), NaN for non-finite", () => {
    const xs = [0.5, -3, 8191.5, 8192, -8192.5, 1e5, -3e38, 2 ** -140, -0, NaN, Infinity, -Infinity, 1, 2, 3, 4]
    for (const [p, f] of [["sin", Math.sin], ["cos", Math.cos]] as const) {
      const got = run(p, [arr("float32", [xs.length], xs)], {} as never, [xs.length], "float32")
      xs.forEach((x, i) => {
        if (Math.abs(x) > 8192 || !Number.isFinite(x)) {
          sameBits([got[i]!], [Math.fround(f(Math.fround(x)))], `${p}(${x})`)
        } else {
          const want = f(Math.fround(x))
          const ulp = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(want), 2 ** -126))) - 23)
          assert.isAtMost(Math.abs(got[i]! - want) / ulp, 1, `${p}(${x})`)
        }
      })
      sameBits([got[8]!], [p === "sin" ? -0 : 1], `${p}(-0)`)
    }
  })

  it("a fused group with scalar, broadcast and transposed inputs equals its JS loop", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const t = dtype === "float32" ? "f32" : "f64"
      const shape = [37, 29]
      const n = 37 * 29
      // in0: contiguous; in1: a row broadcast down the columns; in2: a column broadcast;
      // in3: a scalar; in4: a transposed [29, 37] array
      const strides = [[29, 1], [0, 1], [1, 0], [0, 0], [1, 37]]
      const x = Kernel.input(0, t)
      const row = Kernel.input(1, t)
      const col = Kernel.input(2, t)
      const s = Kernel.input(3, t)
      const tr = Kernel.input(4, t)
      const y = Kernel.add(Kernel.mul(Kernel.tanh(x), row), Kernel.div(col, s))
      const z = Kernel.select(Kernel.lt(tr, y), Kernel.exp(Kernel.neg(tr)), Kernel.max(y, tr))
      const spec: FusedKernelSpec = {
        shape,
        inputs: strides.map((st) => ({ dtype, strides: st })),
        outputs: [{ dtype, lanes: [y] }, { dtype, lanes: [z] }],
        rounded: new Set()
      }
      const data = (k: number, len: number) => {
        const a = DType.allocHost(dtype, len)
        for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.7 + k) * (k + 1)
        return a
      }
      const ins = [data(0, n), data(1, 29), data(2, 37), data(3, 1), data(4, n)]
      const { loop, source } = compileFusedLoop(spec)
      if (dtype === "float64") {
        // float64 tanh and exp are native (Math.*): the group stays in JS
        assert.notInclude(source, "WebAssembly SIMD")
        continue
      }
      assert.include(source, "WebAssembly SIMD")
      const got = loop(ins)
      const reference = compileFusedJs(spec)(ins)
      sameBits(got[0]!, reference[0]!, "y")
      sameBits(got[1]!, reference[1]!, "z")
    }
  })

  it("column-broadcast and transposed inputs across chunks that start mid-row equal the JS loop", () => {
    // 300 x 29 = 8,700 elements in chunks of 2,048 (no row broadcast, which would align them to rows):
    // the chunks start at columns 18, 7 and 25 of a row
    const shape = [300, 29]
    const n = 300 * 29
    const strides = [[29, 1], [1, 0], [1, 300]]
    const [x, col, tr] = [0, 1, 2].map((k) => Kernel.input(k, "f32"))
    const y = Kernel.add(Kernel.mul(x!, col!), tr!)
    // (the tanh makes the group heavy enough for SIMD)
    const spec: FusedKernelSpec = {
      shape,
      inputs: strides.map((st) => ({ dtype: "float32", strides: st })),
      outputs: [{ dtype: "float32", lanes: [y] }, { dtype: "float32", lanes: [Kernel.tanh(y)] }],
      rounded: new Set()
    }
    const data = (k: number, len: number) => {
      const a = DType.allocHost("float32", len)
      for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.3 + k) * (k + 2)
      return a
    }
    const ins = [data(0, n), data(1, 300), data(2, n)]
    const { loop, source } = compileFusedLoop(spec)
    assert.include(source, "WebAssembly SIMD")
    const got = loop(ins)
    const reference = compileFusedJs(spec)(ins)
    sameBits(got[0]!, reference[0]!, "y")
    sameBits(got[1]!, reference[1]!, "tanh y")
    // element (i, j) by hand, next to each chunk's start: x[i, j] * col[i] + tr[j, i]
    for (let i = 0; i < 300; i++) {
      for (let j = 0; j < 29; j++) {
        const want = Math.fround(Math.fround(ins[0]![i * 29 + j]! * ins[1]![i]!) + ins[2]![j * 300 + i]!)
        if (got[0]![i * 29 + j] !== want) assert.fail(`element (${i}, ${j}) is ${got[0]![i * 29 + j]}, want ${want}`)
      }
    }
  })

  it("max and min against a constant (pmax/pmin) keep the JS loop's NaN and signed zeros", () => {
    const n = 600
    for (const dtype of ["float32", "float64"] as const) {
      const t = dtype === "float32" ? "f32" : "f64"
      const x = DType.allocHost(dtype, n)
      for (let i = 0; i < n; i++) x[i] = i < specials.length ? specials[i]! : Math.sin(i * 0.37) * 4
      const xs = Kernel.input(0, t)
      for (const value of [0, -0, 1.5, -2, Infinity, -Infinity, NaN]) {
        for (const op of ["max", "min"] as const) {
          for (const constantFirst of [false, true]) {
            const c = Kernel.constant(value, t)
            const apply = op === "max" ? Kernel.max : Kernel.min
            const e = constantFirst ? apply(c, xs) : apply(xs, c)
            const spec: FusedKernelSpec = {
              shape: [n],
              inputs: [{ dtype, strides: [1] }],
              outputs: [{ dtype, lanes: [e] }],
              rounded: new Set()
            }
            const { loop, source } = compileFusedLoop(spec)
            assert.include(source, "WebAssembly SIMD")
            const what = `${dtype} ${op}(${constantFirst ? `${value}, x` : `x, ${value}`})`
            const want = DType.allocHost(dtype, n)
            for (let i = 0; i < n; i++) want[i] = Math[op](x[i]!, value)
            sameBits(loop([x])[0]!, want, `${what}: simd`)
            sameBits(compileFusedJs(spec)([x])[0]!, want, `${what}: js`)
          }
        }
      }
    }
  })

  it("int32 and uint32 lanes mixed with float32 (wrapping arithmetic, shifts, comparisons, casts): the JS loop's bits (fast-check)", () => {
    // inputs: i32 and u32 and f32 arrays, then a u32 and an i32 scalar (shift counts, as a
    // counter-based generator's rotations are)
    const types = ["i32", "u32", "f32", "u32", "i32"] as const
    const inputs = types.map((_, k): { kind: "flat" | "scalar" } => ({ kind: k < 3 ? "flat" : "scalar" }))
    type T = "i32" | "u32" | "f32"
    const arith = { add: Kernel.add, sub: Kernel.sub, mul: Kernel.mul, min: Kernel.min, max: Kernel.max }
    const bits = { and: Kernel.and, or: Kernel.or, xor: Kernel.xor }
    const shifts = { shl: Kernel.shl, shrl: Kernel.shrl, shra: Kernel.shra }
    const cmps = { eq: Kernel.eq, ne: Kernel.ne, lt: Kernel.lt, le: Kernel.le, gt: Kernel.gt, ge: Kernel.ge }
    const unary = { neg: Kernel.neg, not: Kernel.not, abs: Kernel.abs, sign: Kernel.sign, floor: Kernel.floor }
    const node = fc.oneof(
      fc.record({
        kind: fc.constant("arith" as const),
        op: fc.constantFrom(...Object.keys(arith)),
        t: fc.nat(),
        a: fc.nat(),
        b: fc.nat()
      }),
      fc.record({
        kind: fc.constant("bits" as const),
        op: fc.constantFrom(...Object.keys(bits)),
        t: fc.nat(),
        a: fc.nat(),
        b: fc.nat()
      }),
      fc.record({
        kind: fc.constant("shift" as const),
        op: fc.constantFrom(...Object.keys(shifts)),
        t: fc.nat(),
        a: fc.nat(),
        by: fc.oneof(fc.constantFrom("scalarU", "scalarI"), fc.integer({ min: -3, max: 40 }))
      }),
      fc.record({
        kind: fc.constant("select" as const),
        op: fc.constantFrom(...Object.keys(cmps)),
        t: fc.nat(),
        a: fc.nat(),
        b: fc.nat(),
        c: fc.nat(),
        d: fc.nat()
      }),
      fc.record({
        kind: fc.constant("unary" as const),
        op: fc.constantFrom(...Object.keys(unary)),
        t: fc.nat(),
        a: fc.nat()
      }),
      fc.record({ kind: fc.constant("cast" as const), t: fc.nat(), to: fc.nat(), a: fc.nat() }),
      fc.record({
        kind: fc.constant("const" as const),
        t: fc.nat(),
        value: fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 })
      })
    )
    const ts: ReadonlyArray<T> = ["i32", "u32", "f32"]
    let compiled = 0
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer(),
        (nodes, n, seed) => {
          const pools: Record<T, Array<Kernel.Expr>> = {
            i32: [Kernel.input(0, "i32")],
            u32: [Kernel.input(1, "u32")],
            f32: [Kernel.input(2, "f32")]
          }
          const pick = (t: T, i: number) => pools[t][i % pools[t].length]!
          const made: Array<Kernel.Expr> = []
          for (const d of nodes) {
            const t = ts[d.t % 3]!
            let e: Kernel.Expr
            if (d.kind === "const") {
              e = Kernel.constant(t === "i32" ? d.value | 0 : t === "u32" ? d.value >>> 0 : Math.fround(d.value / 3), t)
            } else if (d.kind === "cast") {
              e = Kernel.cast(pick(ts[d.a % 3]!, d.a), ts[d.to % 3]!)
            } else if (d.kind === "select") {
              const cmp = (cmps as Record<string, (x: Kernel.Expr, y: Kernel.Expr) => Kernel.Expr>)[d.op]!
              e = Kernel.select(cmp(pick(t, d.a), pick(t, d.b)), pick(t, d.c), pick(t, d.d))
            } else if (t === "f32") continue
            else if (d.kind === "arith") {
              e = (arith as Record<string, (x: Kernel.Expr, y: Kernel.Expr) => Kernel.Expr>)[d.op]!(
                pick(t, d.a),
                pick(t, d.b)
              )
            } else if (d.kind === "bits") {
              e = (bits as Record<string, (x: Kernel.Expr, y: Kernel.Expr) => Kernel.Expr>)[d.op]!(
                pick(t, d.a),
                pick(t, d.b)
              )
            } else if (d.kind === "unary") {
              e = (unary as Record<string, (x: Kernel.Expr) => Kernel.Expr>)[d.op]!(pick(t, d.a))
            } else {
              const count = typeof d.by === "number"
                ? Kernel.constant(t === "u32" ? d.by >>> 0 : d.by, t)
                : Kernel.input(t === "u32" ? 3 : 4, t)
              e = (shifts as Record<string, (x: Kernel.Expr, y: Kernel.Expr) => Kernel.Expr>)[d.op]!(
                pick(t, d.a),
                count
              )
            }
            pools[e.type as T]?.push(e)
            made.push(e)
          }
          const outs = made.length === 0 ? [pools.i32[0]!] : made.slice(-3)
          const simd = compileSimd("f32", [], inputs, outs)
          assert.isDefined(simd, "every op here has a SIMD form")
          compiled++
          let r = seed
          const next = () => (r = (Math.imul(r, 1103515245) + 12345) | 0)
          const extremes = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 31, 32, 33]
          const i32 = Int32Array.from({ length: n }, () => (next() & 3) === 0 ? extremes[(r >>> 3) % 8]! : next())
          const u32 = Uint32Array.from(
            { length: n },
            () => (next() & 3) === 0 ? extremes[(r >>> 3) % 8]! >>> 0 : next() >>> 0
          )
          const f32 = Float32Array.from(
            { length: n },
            () =>
              (next() & 7) === 0
                ? [NaN, Infinity, -Infinity, -0, 3e9, -3e9, 5e9, 2 ** 31][(r >>> 3) % 8]!
                : (next() / 2 ** 31) * 2 ** ((r >>> 20) % 40)
          )
          const countU = new Uint32Array(n).fill(next() % 40 >>> 0)
          const countI = new Int32Array(n).fill((next() % 40) - 3)
          const ins = [i32, u32, f32, countU, countI]
          const arrayOf = (t: Kernel.ScalarType) =>
            t === "i32" ? new Int32Array(n) : t === "u32" ? new Uint32Array(n) : new Float32Array(n)
          const got = outs.map((e) => arrayOf(e.type))
          simd!(ins, got, n)
          outs.forEach((e, o) => {
            const want = arrayOf(e.type)
            compileElementwise([e], ins.map(() => 1), {
              float32: "strict",
              transcendentals: Approximation.allDecomposed
            }).loop(want, ins, n)
            sameBits(got[o]!, want, `output ${o} (${e.type}: ${Kernel.format(e).slice(0, 300)})`)
          })
        }
      ),
      { numRuns: 300, seed: 20261206 }
    )
    assert.strictEqual(compiled, 300)
  })

  it("a fused group of int32 and uint32 inputs read broadcast along rows and columns and as scalars equals its JS loop", () => {
    // threefry-like: (x + row) rotated by a scalar count (and 32 - count), xor an int32 column, to float32
    const shape = [48, 80]
    const n = 48 * 80
    const inputs = [
      { dtype: "uint32" as const, strides: [80, 1] },
      { dtype: "uint32" as const, strides: [0, 1] },
      { dtype: "uint32" as const, strides: [0, 0] },
      { dtype: "int32" as const, strides: [1, 0] }
    ]
    const [x, row, count, t] = [
      Kernel.input(0, "u32"),
      Kernel.input(1, "u32"),
      Kernel.input(2, "u32"),
      Kernel.input(3, "i32")
    ]
    const sum = Kernel.add(x!, row!)
    const rotated = Kernel.or(Kernel.shl(sum, count!), Kernel.shrl(sum, Kernel.sub(Kernel.constant(32, "u32"), count!)))
    const mixed = Kernel.xor(rotated, Kernel.cast(t!, "u32"))
    const spec: FusedKernelSpec = {
      shape,
      inputs,
      outputs: [
        { dtype: "uint32", lanes: [mixed] },
        {
          dtype: "float32",
          lanes: [
            Kernel.mul(
              Kernel.cast(Kernel.shrl(mixed, Kernel.constant(9, "u32")), "f32"),
              Kernel.constant(2 ** -23, "f32")
            )
          ]
        }
      ],
      rounded: new Set()
    }
    const xs = Uint32Array.from({ length: n }, (_, i) => Math.imul(i, 2654435761) >>> 0)
    const rows = Uint32Array.from({ length: 80 }, (_, i) => Math.imul(i + 7, 40503) >>> 0)
    const ts = Int32Array.from({ length: 48 }, (_, i) => Math.imul(i, -1640531535))
    const { source } = compileFusedLoop(spec)
    assert.include(source, "WebAssembly SIMD (f32)")
    for (const c of [0, 13, 31]) {
      const ins = [xs, rows, new Uint32Array([c]), ts]
      const got = compileFusedLoop(spec).loop(ins)
      const want = compileFusedJs(spec)(ins)
      assert.instanceOf(got[0], Uint32Array)
      sameBits(got[0]!, want[0]!, `count ${c}: uint32 output`)
      sameBits(got[1]!, want[1]!, `count ${c}: float32 output`)
    }
  })

  it("a shift by a count that differs between elements has no SIMD form (the JS loop runs it)", () => {
    const x = Kernel.input(0, "u32")
    assert.isUndefined(
      compileSimd("f32", [], [{ kind: "flat" }, { kind: "flat" }], [Kernel.shl(x, Kernel.input(1, "u32"))])
    )
    assert.isDefined(
      compileSimd("f32", [], [{ kind: "flat" }, { kind: "scalar" }], [Kernel.shl(x, Kernel.input(1, "u32"))])
    )
  })

  it("bool inputs (a mask computed in another group) are read as lane masks: contiguous, broadcast and scalar", () => {
    // jnp.take's fill mode under jit: select(broadcast(in bounds), gathered rows, NaN), its mask from an
    // int32 group, so it reaches this group as a bool input
    const shape = [64, 33]
    const n = 64 * 33
    for (const dtype of ["float32", "float64"] as const) {
      const t = dtype === "float32" ? "f32" : "f64"
      const rows = new Uint8Array(64).map((_, i) => (i % 3 === 1 ? 0 : 1))
      const cells = new Uint8Array(n).map((_, i) => ((i * 7) % 5 < 2 ? 1 : 0))
      const x = DType.allocHost(dtype, n)
      for (let i = 0; i < n; i++) x[i] = i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : Math.sin(i * 0.3) * 5
      const y = DType.allocHost(dtype, 1)
      y[0] = -2.5
      for (const on of [0, 1]) {
        const scalar = new Uint8Array([on])
        const inputs = [
          { dtype: "bool" as const, strides: [1, 0] },
          { dtype: "bool" as const, strides: [33, 1] },
          { dtype: "bool" as const, strides: [0, 0] },
          { dtype, strides: [33, 1] },
          { dtype, strides: [0, 0] }
        ]
        const [row, cell, flag, v, fill] = inputs.map((input, k) =>
          Kernel.input(k, input.dtype === "bool" ? "bool" : t)
        )
        // select(row, select(cell, v, -v), fill), then where flag: v, else that
        const z = Kernel.select(flag!, v!, Kernel.select(row!, Kernel.select(cell!, v!, Kernel.neg(v!)), fill!))
        const spec: FusedKernelSpec = { shape, inputs, outputs: [{ dtype, lanes: [z] }], rounded: new Set() }
        const { loop, source } = compileFusedLoop(spec)
        assert.include(source, "WebAssembly SIMD", `${dtype}: compiled to SIMD`)
        const ins = [rows, cells, scalar, x, y]
        const want = DType.allocHost(dtype, n)
        for (let i = 0; i < n; i++) {
          want[i] = on === 1 ? x[i]! : rows[Math.floor(i / 33)] === 1 ? (cells[i] === 1 ? x[i]! : -x[i]!) : -2.5
        }
        sameBits(loop(ins)[0]!, want, `${dtype}, flag ${on}: simd`)
        sameBits(compileFusedJs(spec)(ins)[0]!, want, `${dtype}, flag ${on}: js`)
      }
    }
  })

  it("inputs read at an offset (slices), with negative strides (reversals) and transposed, in SIMD and in JS", () => {
    const shape = [40, 30]
    const n = 40 * 30
    const src = new Float32Array(45 * 32).map((_, i) => Math.fround(Math.sin(i * 0.37) * 3))
    // in0: src[2:42, 1:31] of a [45, 32] buffer; in1: the same rows reversed, columns reversed;
    // in2: a transposed slice (src as [32, 45], [1:31, 3:43]); in3: the scalar src[100]
    const inputs = [
      { dtype: "float32" as const, strides: [32, 1], offset: 2 * 32 + 1 },
      { dtype: "float32" as const, strides: [-32, -1], offset: 41 * 32 + 30 },
      { dtype: "float32" as const, strides: [1, 45], offset: 45 + 3 },
      { dtype: "float32" as const, strides: [0, 0], offset: 100 }
    ]
    const at = (k: number, i: number, j: number) => {
      const { offset, strides } = inputs[k]!
      return src[offset + i * strides[0]! + j * strides[1]!]!
    }
    const [a, b, c, d] = [0, 1, 2, 3].map((k) => Kernel.input(k, "f32"))
    // a kernel heavy enough to run in SIMD whatever its reads (30 nodes of exact float32 steps)
    let e = Kernel.add(Kernel.mul(a!, b!), Kernel.sub(c!, d!))
    for (let t = 0; t < 13; t++) e = Kernel.mul(Kernel.add(e, [a, b, c, d][t % 4]!), Kernel.constant(0.5, "f32"))
    const spec: FusedKernelSpec = {
      shape,
      inputs,
      outputs: [{ dtype: "float32", lanes: [e] }],
      rounded: new Set()
    }
    const want = new Float32Array(n)
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 30; j++) {
        let v = Math.fround(Math.fround(at(0, i, j) * at(1, i, j)) + Math.fround(at(2, i, j) - at(3, i, j)))
        for (let t = 0; t < 13; t++) v = Math.fround(Math.fround(v + at(t % 4, i, j)) * 0.5)
        want[i * 30 + j] = v
      }
    }
    const { loop, source } = compileFusedLoop(spec)
    assert.include(source, "WebAssembly SIMD")
    sameBits(loop([src, src, src, src])[0]!, want, "simd")
    sameBits(compileFusedJs(spec)([src, src, src, src])[0]!, want, "js")
  })

  it("padded inputs (a folded pad: a box of positions reads the buffer, the rest a literal or a scalar input)", () => {
    const shape = [40, 30]
    // p: a [38, 27] buffer; in0 places it at rows 1..38, columns 2..28 (fill 0.25); in1 reads its first 20
    // columns from row 0 (rows 38, 39 and columns 20.. read the scalar in2)
    const p = new Float32Array(38 * 27).map((_, i) => Math.fround(Math.cos(i * 0.11) * 2))
    const s = new Float32Array([7, -1.5])
    const inputs: FusedKernelSpec["inputs"] = [
      {
        dtype: "float32",
        strides: [27, 1],
        offset: -(27 + 2),
        mask: { start: [1, 2], count: [38, 27], fill: 0.25 }
      },
      { dtype: "float32", strides: [27, 1], mask: { start: [0, 0], count: [38, 20], fill: { input: 2 } } },
      { dtype: "float32", strides: [0, 0], offset: 1 }
    ]
    const [a, b] = [0, 1].map((k) => Kernel.input(k, "f32"))
    const spec: FusedKernelSpec = {
      shape,
      inputs,
      outputs: [{ dtype: "float32", lanes: [Kernel.add(Kernel.mul(a!, b!), a!)] }],
      rounded: new Set()
    }
    const want = new Float32Array(40 * 30)
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 30; j++) {
        const x = i >= 1 && i < 39 && j >= 2 && j < 29 ? p[(i - 1) * 27 + j - 2]! : 0.25
        const y = i < 38 && j < 20 ? p[i * 27 + j]! : -1.5
        want[i * 30 + j] = Math.fround(Math.fround(x * y) + x)
      }
    }
    const { loop, source } = compileFusedLoop(spec)
    assert.include(source, "WebAssembly SIMD")
    sameBits(loop([p, p, s])[0]!, want, "simd")
    sameBits(compileFusedJs(spec)([p, p, s])[0]!, want, "js")
  })
})

describe.skipIf(!simdAvailable())("reduction roots of fused kernels", () => {
  const make = (dtype: "float32" | "float64", shape: ReadonlyArray<number>, axes: ReadonlyArray<number>) => {
    const t = dtype === "float32" ? "f32" : "f64"
    const x = Kernel.input(0, t)
    const y = Kernel.input(1, t)
    const v = Kernel.mul(Kernel.tanh(x), y)
    const w = Kernel.add(x, y)
    const strides = [shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1)), shape.map(() => 0)]
    const spec: FusedKernelSpec = {
      shape,
      inputs: strides.map((st) => ({ dtype, strides: st })),
      outputs: [
        { dtype, lanes: [v], reduce: { kind: "sum", axes } },
        { dtype, lanes: [w] },
        { dtype, lanes: [w], reduce: { kind: "max", axes } },
        { dtype, lanes: [v], reduce: { kind: "min", axes } }
      ],
      rounded: new Set([v, w])
    }
    return spec
  }
  const cases: ReadonlyArray<readonly [ReadonlyArray<number>, ReadonlyArray<number>]> = [
    [[100_003], [0]],
    [[300, 10], [1]],
    [[7, 1000], [1]],
    [[3, 50, 40], [1, 2]],
    [[5, 700], [0, 1]],
    [[3000, 7], [0]],
    [[40, 30, 9], [0, 1]],
    [[1, 300], [0]],
    // leading-axis reductions whose rows are whole vectors: accumulated by the wasm column functions
    [[300, 256], [0]],
    [[37, 2048], [0]],
    [[20, 4, 12], [0]],
    [[500, 6], [0]],
    [[3, 2052], [0]]
  ]
  for (const dtype of ["float32", "float64"] as const) {
    for (const [shape, axes] of cases) {
      it(`${dtype}[${shape}] reduced over ${axes}: the JS loop's and reduce.ts's bits`, () => {
        const spec = make(dtype, shape, axes)
        const n = shape.reduce((a, b) => a * b, 1)
        const x = DType.allocHost(dtype, n)
        for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 3 + (i % 17 === 0 ? 1e3 : 0)
        const ins = [x, DType.allocHost(dtype, 1).fill(0.75)]
        const { loop, source } = compileFusedLoop(spec)
        if (dtype === "float32") assert.include(source, "WebAssembly SIMD")
        const got = loop(ins)
        const want = compileFusedJs(spec)(ins)
        for (let o = 0; o < 4; o++) sameBits(got[o]!, want[o]!, `output ${o}`)
        const rows = n / axes.reduce((a, d) => a * shape[d]!, 1)
        assert.strictEqual(got[0]!.length, rows)
      })
    }
  }

  it("a compiled row or column reduction called again gives the new data's results (its kept accumulators are rewritten)", () => {
    const cases = [[[300, 10], [1]], [[7, 1000], [1]], [[300, 10], [0]], [[500, 6], [0]]] as const
    for (const [shape, axes] of cases) {
      const spec = make("float32", shape, axes)
      const n = shape[0]! * shape[1]!
      const { loop } = compileFusedLoop(spec)
      for (const scale of [1, -3, 0.5]) {
        const x = DType.allocHost("float32", n)
        for (let i = 0; i < n; i++) x[i] = Math.cos(i * 0.11) * scale
        const ins = [x, DType.allocHost("float32", 1).fill(scale)]
        const got = loop(ins)
        const want = compileFusedJs(spec)(ins)
        for (let o = 0; o < 4; o++) sameBits(got[o]!, want[o]!, `${shape}, scale ${scale}, output ${o}`)
        assert.strictEqual(got[0]!.length, shape[1 - axes[0]!])
      }
    }
  })

  it("column reductions in wasm keep NaN, infinities and the signs of zeros as the JS loop does", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const shape = [700, 8]
      const spec = make(dtype, shape, [0])
      const n = 700 * 8
      const specials = [NaN, -0, 0, Infinity, -Infinity, 3.5e38, -1e-45]
      const x = DType.allocHost(dtype, n)
      // column j holds specials only in some rows; column 0 all -0 (its max and min are -0 + 0.75)
      for (let i = 0; i < n; i++) {
        x[i] = i % 8 === 0
          ? -0
          : (i * 7) % 13 === 0
          ? specials[i % specials.length]!
          : i * 1e-3
      }
      const ins = [x, DType.allocHost(dtype, 1).fill(-0.75)]
      const got = compileFusedLoop(spec).loop(ins)
      const want = compileFusedJs(spec)(ins)
      for (let o = 0; o < 4; o++) sameBits(got[o]!, want[o]!, `${dtype} output ${o}`)
      // column 0 is all -0: its max is -0 + -0.75, and some column met a NaN
      assert.strictEqual(got[2]![0], -0.75)
      assert.isTrue(Array.from(got[0]!).some(Number.isNaN))
    }
  })

  it("float64 column reductions (arithmetic only, so the group compiles to SIMD) give the JS loop's bits", () => {
    const x = Kernel.input(0, "f64")
    const y = Kernel.input(1, "f64")
    const v = Kernel.add(Kernel.mul(x, y), x)
    for (const shape of [[300, 256], [90, 4, 6], [1000, 2]]) {
      const spec: FusedKernelSpec = {
        shape,
        inputs: [
          { dtype: "float64", strides: shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1)) },
          { dtype: "float64", strides: shape.map(() => 0) }
        ],
        outputs: (["sum", "max", "min"] as const).map((kind) => ({
          dtype: "float64" as const,
          lanes: [v],
          reduce: { kind, axes: [0] }
        })),
        rounded: new Set([v])
      }
      const n = shape.reduce((a, b) => a * b, 1)
      const data = DType.allocHost("float64", n)
      for (let i = 0; i < n; i++) data[i] = i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : Math.cos(i) * 1e3
      const ins = [data, DType.allocHost("float64", 1).fill(1 / 3)]
      const { loop, source } = compileFusedLoop(spec)
      assert.include(source, "WebAssembly SIMD")
      const got = loop(ins)
      const want = compileFusedJs(spec)(ins)
      for (let o = 0; o < 3; o++) sameBits(got[o]!, want[o]!, `[${shape}] output ${o}`)
    }
  })

  it("a float32 sum of 4M values is within 1e-6 of the float64 sum", () => {
    const { data, exact, spec } = sumOfSquares4M()
    const [sum] = compileFusedLoop(spec).loop([data])
    assert.isAtMost(Math.abs(sum![0]! - exact) / exact, 1e-6)
  })
})
