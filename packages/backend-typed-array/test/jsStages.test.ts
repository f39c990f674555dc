/**
 * Fusion groups too large for one generated function run as stages
 * (internal/jsStages.ts): values crossing a stage are stored in float64
 * temporaries and read back, and the results keep the one-function loop's bits.
 */
import { DType, Kernel } from "@diffect/core"
import type { FusedInput, FusedKernelSpec } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { compileFusedJs, compileFusedJsSource, setJsStageNodes } from "../src/internal/fused.js"
import { jsStages } from "../src/internal/jsStages.js"

/** Runs `f` with at most `nodes` computing nodes per generated function. */
const withStageNodes = <A>(nodes: number, f: () => A): A => {
  const old = setJsStageNodes(nodes)
  try {
    return f()
  } finally {
    setJsStageNodes(old)
  }
}

const assertSameBits = (got: DType.HostArray, want: DType.HostArray, what: string): void => {
  assert.strictEqual(got.length, want.length, what)
  for (let i = 0; i < want.length; i++) {
    const a = Number(got[i])
    const b = Number(want[i])
    assert.isTrue(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${what}[${i}]: ${a} against ${b}`)
  }
}

const host = (dtype: DType.DType, values: ReadonlyArray<number>): DType.HostArray => {
  const a = DType.allocHost(dtype, values.length)
  values.forEach((v, i) => (a[i] = v))
  return a
}

/** `x * 1.0001 + 0.25`, `n` times in float32 (rounded at every step). */
const affineChain = (n: number): FusedKernelSpec => {
  let y: Kernel.Expr = Kernel.input(0, "f32")
  for (let i = 0; i < n; i++) {
    y = Kernel.add(Kernel.mul(y, Kernel.constant(1.0001, "f32")), Kernel.constant(0.25, "f32"))
  }
  return {
    shape: [5],
    inputs: [{ dtype: "float32", strides: [1] }],
    outputs: [{ dtype: "float32", lanes: [y] }],
    rounded: new Set()
  }
}

describe("fusion groups split into stages (typed-array JS loops)", () => {
  it("a 400-node chain in stages of 50: eight stages, seven temporaries, each read by the next stage only", () => {
    const stages = jsStages(affineChain(200), 50)
    assert.strictEqual(stages.length, 8)
    assert.deepStrictEqual(stages.map((s) => s.writes), [[0], [1], [2], [3], [4], [5], [6], []])
    assert.deepStrictEqual(stages.map((s) => s.reads), [[], [0], [1], [2], [3], [4], [5], [6]])
    // a stage reads the group's input and its temporary (input 1, float64, contiguous)
    assert.deepStrictEqual(stages[1]!.spec.inputs.map((x) => x.dtype), ["float32", "float64"])
    // and one stage when the group fits
    assert.strictEqual(jsStages(affineChain(200), 400).length, 1)
  })

  it("a staged float32 chain equals numpy's float32 loop and the one-function loop", () => {
    // y = np.float32(x); for _ in range(300): y = np.float32(y * np.float32(1.0001)) + np.float32(0.25)
    const xs = [0, 1, -2.5, 1e-3, 7]
    const want = xs.map((x) => {
      let y = Math.fround(x)
      for (let i = 0; i < 300; i++) y = Math.fround(Math.fround(y * Math.fround(1.0001)) + 0.25)
      return y
    })
    const spec = affineChain(300)
    const whole = compileFusedJs(spec)([host("float32", xs)])[0]!
    const { loop, source } = withStageNodes(64, () => compileFusedJsSource(spec))
    assert.include(source, "// stage 10 of 10")
    const staged = loop([host("float32", xs)])[0]!
    assertSameBits(staged, whole, "staged")
    assert.deepStrictEqual(Array.from(staged), want)
  })

  it("random DAGs of every scalar type (wide and rounded nodes, casts, selects, strided and scalar inputs, reductions): the same bits in stages of 2 to 9 nodes", () => {
    const specials = [0, -0, 1, -1, 0.5, 3, -7.25, 1e-30, 1e30, Infinity, -Infinity, NaN, 2 ** 31, -(2 ** 31)]
    // a node: an op over earlier nodes of a type, cast when the types differ
    const node = fc.oneof(
      fc.record({ op: fc.constantFrom("add", "sub", "mul", "max", "div"), a: fc.nat(), b: fc.nat() }),
      fc.record({ op: fc.constantFrom("neg", "abs", "exp", "floor", "sqrt"), a: fc.nat() }),
      fc.record({ op: fc.constant("select" as const), a: fc.nat(), b: fc.nat(), c: fc.nat(), d: fc.nat() }),
      fc.record({ op: fc.constant("cast" as const), a: fc.nat(), to: fc.constantFrom("f32", "f64", "i32", "u32") }),
      fc.record({ op: fc.constant("const" as const), value: fc.constantFrom(...specials.slice(0, 9)) })
    )
    let staged = 0
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 8, maxLength: 80 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 2, max: 9 }),
        fc.boolean(),
        fc.integer(),
        (nodes, picks, marks, stageNodes, reduceFirst, seed) => {
          // inputs: float32 contiguous, float64 transposed (strides [1, 3]), int32 scalar
          const inputs: Array<FusedInput> = [
            { dtype: "float32", strides: [3, 1] },
            { dtype: "float64", strides: [1, 3] },
            { dtype: "int32", strides: [0, 0] }
          ]
          const made: Array<Kernel.Expr> = [Kernel.input(0, "f32"), Kernel.input(1, "f64"), Kernel.input(2, "i32")]
          const at = (i: number, type: Kernel.ScalarType) => Kernel.cast(made[i % made.length]!, type)
          for (const d of nodes) {
            if (d.op === "const") made.push(Kernel.constant(d.value, "f64"))
            else if (d.op === "cast") made.push(Kernel.cast(made[d.a % made.length]!, d.to))
            else if (d.op === "select") {
              const t = made[d.c % made.length]!.type === "bool" ? "f32" : made[d.c % made.length]!.type
              made.push(Kernel.select(Kernel.lt(at(d.a, "f64"), at(d.b, "f64")), at(d.c, t), at(d.d, t)))
            } else if ("b" in d) {
              const x = made[d.a % made.length]!
              const t = x.type === "bool" ? "f32" : x.type
              made.push(
                Kernel.binary(d.op === "div" && t !== "f32" && t !== "f64" ? "add" : d.op, at(d.a, t), at(d.b, t))
              )
            } else {
              const x = made[d.a % made.length]!
              const t = x.type === "i32" || x.type === "u32" || x.type === "bool" ? "f32" : x.type
              made.push(Kernel.unary(d.op, at(d.a, t)))
            }
          }
          // float outputs of the domain (1-4); the first optionally a sum over the last axis
          // (the last node among them: most of the DAG is live)
          const outs = [made.length - 4, ...picks].map((p) => Kernel.cast(made[3 + (p % (made.length - 3))]!, "f64"))
          const wide = new Set(marks.filter((m) => m % 2 === 0).map((m) => made[m % made.length]!))
          const rounded = new Set(marks.filter((m) => m % 2 === 1).map((m) => made[m % made.length]!))
          const spec: FusedKernelSpec = {
            shape: [4, 3],
            inputs,
            outputs: outs.map((e, o) => ({
              dtype: "float64",
              lanes: [e],
              ...(o === 0 && reduceFirst ? { reduce: { kind: "sum" as const, axes: [1] } } : {})
            })),
            rounded,
            wide
          }
          let r = seed
          const next = () => {
            r = (Math.imul(r, 1103515245) + 12345) | 0
            return r
          }
          const value = () => {
            const v = next()
            return (v & 3) === 0 ? specials[(v >>> 2) % specials.length]! : (v / 2 ** 31) * 2 ** ((v >>> 20) % 9)
          }
          const ins = [
            host("float32", Array.from({ length: 12 }, value)),
            host("float64", Array.from({ length: 12 }, value)),
            host("int32", [next() % 1000])
          ]
          const want = compileFusedJs(spec)(ins)
          const stages = jsStages(spec, stageNodes).length
          if (stages > 1) staged++
          const got = withStageNodes(stageNodes, () => compileFusedJs(spec)(ins))
          want.forEach((w, o) => assertSameBits(got[o]!, w, `output ${o} (${stages} stages)`))
        }
      ),
      { numRuns: 200, seed: 20261206 }
    )
    assert.isAbove(staged, 150)
  })
})
