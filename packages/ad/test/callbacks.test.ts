/**
 * `pureCallback` and `ioCallback` (JAX's jax.pure_callback and io_callback):
 * JS code with results inside jit, vmap (by `vmapMethod`; an ordered IO
 * callback not at all) and control flow; no derivative (JAX's errors), and a
 * `customJvp` around it for one; results checked against the declared types.
 * An IO callback is an effect: run even when its results are unused.
 */
import { customJvp, grad, jit, vmap } from "@diffect/ad"
import { ioCallback, lax, np, pureCallback, ShapeDtypeStruct, toJsSync } from "@diffect/core"
import type { Tensor, VmapMethod } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { js, run, thrown } from "./gradHelpers.js"

/** The running maximum of a vector, in plain JS (what a callback is for). */
const cumulativeMax = (x: Tensor): Array<number> => {
  let m = -Infinity
  return (toJsSync(x) as Array<number>).map((v) => (m = Math.max(m, v)))
}

const f32 = (shape: ReadonlyArray<number>) => new ShapeDtypeStruct(shape, "float32")

describe("pureCallback", () => {
  it("under jit: called on every call of the compiled program (not while tracing), its results flow on", () => {
    let calls = 0
    const f = jit((x: Tensor) => {
      const y = pureCallback(
        (v: Tensor) => {
          calls++
          return cumulativeMax(v)
        },
        f32(x.shape),
        [np.sin(x)]
      )
      return np.multiply(y, 2)
    })
    const lowered = run(f.lower(np.array([0, 3, 1, 2])))
    assert.strictEqual(calls, 0)
    assert.include(lowered.text, "pure_callback[callback=<callback ")
    assert.include(lowered.text, "resultAvals=(float32[4],)")
    // 2 * cummax(sin([0, 3, 1, 2])) = 2 * [0, 0.14112, 0.84147096, 0.9092974]
    const want = [0, 0.28224000334739685, 1.6829419136047363, 1.8185948133468628]
    assert.deepStrictEqual(js(run(f(np.array([0, 3, 1, 2])))), want)
    assert.deepStrictEqual(js(run(f(np.array([0, 3, 1, 2])))), want)
    assert.strictEqual(calls, 2)
  })

  it("eagerly, with pytree arguments (static leaves as given) and pytree results", () => {
    const out = pureCallback(
      (a: Tensor, label: string) => ({
        total: [(toJsSync(a) as Array<number>).reduce((p, q) => p + q, 0)],
        length: np.array([label.length], { dtype: "int32" })
      }),
      { total: f32([1]), length: new ShapeDtypeStruct([1], "int32") },
      [np.array([1, 2, 3.5]), "four"]
    )
    assert.deepStrictEqual(js(out.total), [6.5])
    assert.deepStrictEqual(js(out.length), [4])
    assert.strictEqual(out.length.dtype, "int32")
  })

  it("vmap by vmapMethod: one call per index, or one call with the batch in front (size 1 or broadcast)", () => {
    const x = np.array([[1, 2], [3, 4], [5, 6]])
    const y = np.array([10, 20])
    const shapes = (method: VmapMethod): [unknown, Array<string>] => {
      const seen: Array<string> = []
      const h = (a: Tensor, b: Tensor) =>
        pureCallback(
          (u: Tensor, v: Tensor) => {
            seen.push(`${u.shape}|${v.shape}`)
            return np.add(u, v)
          },
          f32(a.shape),
          [a, b],
          { vmapMethod: method }
        )
      return [js(run(vmap(h, { inAxes: [0, null] })(x, y))), seen]
    }
    const want = [[11, 22], [13, 24], [15, 26]]
    assert.deepStrictEqual(shapes("sequential"), [want, ["2|2", "2|2", "2|2"]])
    assert.deepStrictEqual(shapes("sequential_unrolled"), [want, ["2|2", "2|2", "2|2"]])
    assert.deepStrictEqual(shapes("expand_dims"), [want, ["3,2|1,2"]])
    assert.deepStrictEqual(shapes("broadcast_all"), [want, ["3,2|3,2"]])
    // the batch axis moved to the front for the callback; the results batched in front
    const moved = vmap(
      (a: Tensor) => pureCallback((u: Tensor) => np.negative(u), f32([2]), [a], { vmapMethod: "expand_dims" }),
      {
        inAxes: 1
      }
    )(x.reshape([2, 3]))
    assert.deepStrictEqual(js(run(moved)), [[-1, -4], [-2, -5], [-3, -6]])
    // without a method, as JAX's NotImplementedError
    const e = thrown(() => run(vmap((a: Tensor) => pureCallback((u: Tensor) => u, f32([]), [a]))(np.array([1, 2]))))
    assert.strictEqual(e.tag, "ArgumentError")
    assert.include(e.message, "vmapMethod must be one of \"sequential\"")
  })

  it("inside a jitted scan: once per iteration", () => {
    let calls = 0
    const f = jit((x: Tensor) =>
      lax.scan(
        (c: Tensor, xi: Tensor) => {
          const doubled = pureCallback(
            (v: Tensor) => {
              calls++
              return [2 * (toJsSync(v) as number)]
            },
            f32([1]),
            [np.add(c, xi)]
          )
          return [np.sum(doubled), c]
        },
        x,
        np.array([1, 2, 3])
      )[0]
    )
    // c: 0 -> 2 * (0 + 1) = 2 -> 2 * (2 + 2) = 8 -> 2 * (8 + 3) = 22
    assert.strictEqual(js(run(f(np.array(0)))), 22)
    assert.strictEqual(calls, 3)
  })

  it("pure: an unused call is dropped by jit, and a call on constants runs when the program runs", () => {
    let calls = 0
    const counted = (v: Tensor) => {
      calls++
      return v
    }
    run(
      jit((x: Tensor) => {
        pureCallback(counted, f32([2]), [x])
        return x
      })(np.array([1, 2]))
    )
    assert.strictEqual(calls, 0)
    const constant = jit((x: Tensor) => np.add(x, pureCallback(counted, f32([]), [np.array(3)])))
    run(constant.lower(np.array(1)))
    assert.strictEqual(calls, 0)
    assert.strictEqual(js(run(constant(np.array(1)))), 4)
    assert.strictEqual(calls, 1)
  })

  it("no derivative (JAX's messages); a customJvp around it gives one", () => {
    const bare = (x: Tensor) => pureCallback((u: Tensor) => np.sin(u), f32([]), [x])
    const e = thrown(() => run(grad(bare)(np.array(1))))
    assert.strictEqual(e.tag, "DerivativeNotImplementedError")
    assert.include(e.message, "Pure callbacks do not support JVP. Please use `customJvp`")
    const sin = customJvp((x: Tensor) => pureCallback((u: Tensor) => np.sin(u), f32(x.shape), [x]))
    sin.defJvp(([x]: ReadonlyArray<Tensor>, [t]: ReadonlyArray<Tensor>) => [sin(x!), np.multiply(np.cos(x!), t!)])
    // d/dx sum(sin(x)) = cos(x): cos(0) = 1, cos(1) = 0.5403023
    assert.deepStrictEqual(js(run(grad((x: Tensor) => np.sum(sin(x)))(np.array([0, 1])))), [1, 0.5403022766113281])
  })

  it("results are checked against the declared types; bad arguments are ArgumentErrors", () => {
    const shape = thrown(() => pureCallback(() => [1, 2, 3], f32([2]), []))
    assert.strictEqual(shape.tag, "ShapeError")
    assert.include(shape.message, "incorrect output shape for return value 0: expected f32[2], got f32[3]")
    const dtype = thrown(() => pureCallback(() => np.array([1, 2], { dtype: "int32" }), f32([2]), []))
    assert.strictEqual(dtype.tag, "DTypeError")
    assert.include(dtype.message, "expected float32, got int32")
    assert.strictEqual(thrown(() => pureCallback(() => [[1], [2]], [f32([1])], [])).tag, "TreeStructureError")
    assert.include(thrown(() => pureCallback(3 as never, f32([]), [])).message, "must be a function")
    assert.include(
      thrown(() => pureCallback(() => 1, f32([]), 1 as never)).message,
      "an array of the callback's arguments"
    )
    assert.include(thrown(() => pureCallback(() => 1, 7, [])).message, "a pytree of ShapeDtypeStructs")
    assert.include(
      thrown(() => pureCallback(() => 1, f32([]), [], { vmapMethod: "legacy" as never })).message,
      "\"sequential\""
    )
  })
})

describe("ioCallback", () => {
  it("an effect under jit: every call runs, results used or not, in program order; never merged", () => {
    const log: Array<string> = []
    let counter = 0
    const next = (tag: string) => () => {
      log.push(tag)
      return [counter++]
    }
    const f = jit((x: Tensor) => {
      // unused results: still called
      ioCallback(next("unused"), f32([1]), [])
      // two equal calls (same inputs): both run, each advancing the counter
      const a = ioCallback(next("a"), f32([1]), [x])
      const b = ioCallback(next("b"), f32([1]), [x])
      return np.concatenate([a, b])
    })
    assert.deepStrictEqual(js(run(f(np.array([0])))), [1, 2])
    assert.deepStrictEqual(js(run(f(np.array([0])))), [4, 5])
    assert.deepStrictEqual(log, ["unused", "a", "b", "unused", "a", "b"])
  })

  it("vmap: an unordered one once per batch index; an ordered one is an error, as JAX's", () => {
    const seen: Array<unknown> = []
    const h = (x: Tensor, y: Tensor) =>
      ioCallback(
        (u: Tensor, v: Tensor) => {
          seen.push(toJsSync(u))
          return np.multiply(u, v)
        },
        f32([]),
        [x, y]
      )
    assert.deepStrictEqual(js(run(vmap(h, { inAxes: [0, null] })(np.array([1, 2, 3]), np.array(10)))), [10, 20, 30])
    assert.deepStrictEqual(seen, [1, 2, 3])
    const ordered = (x: Tensor) => ioCallback((u: Tensor) => u, f32([]), [x], { ordered: true })
    const e = thrown(() => run(vmap(ordered)(np.array([1, 2]))))
    assert.strictEqual(e.tag, "ArgumentError")
    assert.include(e.message, "Cannot `vmap` ordered IO callback.")
    assert.include(thrown(() => ioCallback(() => 1, f32([]), [], { ordered: 1 as never })).message, "a boolean")
  })

  it("no derivative: JAX's message", () => {
    const e = thrown(() => run(grad((x: Tensor) => ioCallback((u: Tensor) => u, f32([]), [x]))(np.array(1))))
    assert.strictEqual(e.tag, "DerivativeNotImplementedError")
    assert.include(e.message, "IO callbacks do not support JVP.")
  })
})
