/**
 * `debug.callback` and `debug.print` (JAX's jax.debug): a `debug_callback`
 * equation called with the values each time the computation runs, through
 * every transformation, and kept by the compiler's passes (an effect: never
 * removed as dead code, merged with an equal one or run at compile time).
 */
import { checkpoint, checkpointName, checkpointPolicies, grad, hessian, jit, jvp, linearize, vmap } from "@diffect/ad"
import { debug, lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { js, provideCpu, run } from "./gradHelpers.js"

/** A `debug.print` that records its lines. */
const recorder = () => {
  const lines: Array<string> = []
  const print = (fmt: string, ...args: ReadonlyArray<unknown>) =>
    debug.printWith(fmt, args, { log: (l) => lines.push(l) })
  return { lines, print }
}

describe("debug.callback and debug.print", () => {
  it("eagerly: called at once with host copies of the tensors, other leaves as given", () => {
    const seen: Array<unknown> = []
    debug.callback(
      (a: Tensor, label: string, tree: { t: Tensor; n: number }) =>
        seen.push(toJsSync(a), label, toJsSync(tree.t), tree.n),
      np.array([1, 2]),
      "static",
      { t: np.array(3, { dtype: "int32" }), n: 4 }
    )
    assert.deepStrictEqual(seen, [[1, 2], "static", 3, 4])
  })

  it("under jit: on every call of the compiled program, never while tracing, in program order", () => {
    const { lines, print } = recorder()
    const f = jit((x: Tensor) => {
      print("x = {}", x)
      const y = np.sin(x)
      print("y = {}", y)
      return np.sum(y)
    })
    const program = run(f.lower(np.array([0, 1, 2])))
    // tracing and lowering print nothing
    assert.deepStrictEqual(lines, [])
    assert.include(program.text, "debug_callback[callback=<callback print>]")
    run(f(np.array([0, 1, 2])))
    run(f(np.array([3, 4, 5])))
    // np.sin(np.float32([0, 1, 2])) = [0., 0.84147096, 0.9092974]
    assert.deepStrictEqual(lines, [
      "x = [0. 1. 2.]",
      "y = [0.         0.84147096 0.9092974 ]",
      "x = [3. 4. 5.]",
      "y = [ 0.14112   -0.7568025 -0.9589243]"
    ])
    assert.strictEqual(f.cacheInfo().misses, 1)
  })

  it("an effect for the compiler: kept when its value is unused, not merged, not folded", () => {
    const { lines, print } = recorder()
    const f = jit((x: Tensor) => {
      // the exponential feeds only the print: dead code but for it
      print("unused {}", np.exp(x))
      // two equal prints print twice (no common-subexpression merge)
      print("same {}", x)
      print("same {}", x)
      // a constant's print runs on every call, not once at compile time
      print("const {}", np.array(7, { dtype: "int32" }))
      return x
    })
    run(f(np.array(1)))
    run(f(np.array(0)))
    assert.deepStrictEqual(lines, [
      "unused 2.7182817",
      "same 1.0",
      "same 1.0",
      "const 7",
      "unused 1.0",
      "same 0.0",
      "same 0.0",
      "const 7"
    ])
  })

  it("inside scan, whileLoop and cond (also a cond whose output is unused), jitted", () => {
    const { lines, print } = recorder()
    const scanned = jit((x: Tensor) =>
      lax.scan(
        (c: Tensor, xi: Tensor) => {
          print("scan {} {}", c, xi)
          return [np.add(c, xi), c]
        },
        x,
        np.array([1, 2, 3])
      )[0]
    )
    assert.deepStrictEqual(js(run(scanned(np.array(0)))), 6)
    const looped = jit((x: Tensor) =>
      lax.whileLoop((c: Tensor) => np.less(c, 3), (c: Tensor) => {
        print("while {}", c)
        return lax.add(c, np.array(1, { dtype: "int32" }))
      }, x)
    )
    run(looped(np.array(0, { dtype: "int32" })))
    const branch = jit((p: Tensor, x: Tensor) => {
      lax.cond(
        p,
        (v: Tensor) => {
          print("taken {}", v)
          return v
        },
        (v: Tensor) => v,
        x
      )
      return x
    })
    run(branch(np.array(true), np.array(9)))
    run(branch(np.array(false), np.array(8)))
    assert.deepStrictEqual(lines, [
      "scan 0.0 1.0",
      "scan 1.0 2.0",
      "scan 3.0 3.0",
      "while 0",
      "while 1",
      "while 2",
      "taken 9.0"
    ])
  })

  it("under vmap: once per batch index (unbatched operands as they are), also jitted either way", () => {
    const { lines, print } = recorder()
    const f = (x: Tensor, y: Tensor) => {
      print("{} {}", x, y)
      return np.add(x, y)
    }
    assert.deepStrictEqual(js(run(vmap(f, { inAxes: [0, null] })(np.array([1, 2]), np.array(10)))), [11, 12])
    run(jit(vmap(f, { inAxes: [1, null] }))(np.array([[1, 2], [3, 4]]), np.array(0)))
    run(vmap(jit(f))(np.array([5, 6]), np.array([7, 8])))
    assert.deepStrictEqual(lines, ["1.0 10.0", "2.0 10.0", "[1. 3.] 0.0", "[2. 4.] 0.0", "5.0 7.0", "6.0 8.0"])
  })

  it("under grad, jvp, linearize and hessian: the primal values, once per evaluation of the function", () => {
    const { lines, print } = recorder()
    const f = (x: Tensor) => {
      print("primal {}", x)
      return np.sum(np.power(x, 3))
    }
    assert.deepStrictEqual(js(run(grad(f)(np.array([1, 2])))), [3, 12])
    assert.deepStrictEqual(js(run(jit(grad(f))(np.array([3, 4])))), [27, 48])
    assert.deepStrictEqual(js(run(grad(jit(f))(np.array([5, 6])))), [75, 108])
    const [y, dy] = run(jvp(f, [np.array([1, 2])], [np.array([1, 0])]))
    assert.deepStrictEqual([js(y), js(dy)], [9, 3])
    const [y2, lin] = run(linearize(f, [np.array([2, 0])]))
    assert.deepStrictEqual([js(y2), js(run(lin(np.array([1, 1]))))], [8, 12])
    assert.deepStrictEqual(js(run(hessian(f)(np.array([1, 2])))), [[6, 0], [0, 12]])
    assert.deepStrictEqual(js(run(grad((x: Tensor) => np.sum(checkpoint(f)(x)))(np.array([1, 1])))), [3, 3])
    assert.deepStrictEqual(lines, [
      "primal [1. 2.]",
      "primal [3. 4.]",
      "primal [5. 6.]",
      "primal [1. 2.]",
      "primal [2. 0.]",
      "primal [1. 2.]",
      // checkpoint: in the forward pass and again in the backward pass's recomputation (JAX's)
      "primal [1. 1.]",
      "primal [1. 1.]"
    ])
  })

  it("a scan's and a loop's prints under grad: the forward iterations", () => {
    const { lines, print } = recorder()
    const f = (x: Tensor) =>
      np.sum(
        lax.scan(
          (c: Tensor, xi: Tensor) => {
            print("c={} xi={}", c, xi)
            return [np.multiply(c, xi), c]
          },
          x,
          np.array([1, 2, 3])
        )[0]
      )
    // d/dx (x * 1 * 2 * 3) = 6
    assert.strictEqual(js(run(jit(grad(f))(np.array(2)))), 6)
    assert.deepStrictEqual(lines, ["c=2.0 xi=1.0", "c=2.0 xi=2.0", "c=4.0 xi=3.0"])
  })

  it("a print inside checkpoint runs again where its values are recomputed (JAX's test_remat_of_debug_print)", () => {
    const { lines, print } = recorder()
    const f = (x: Tensor) => {
      const y = checkpointName(np.add(x, 1), "y")
      const z = checkpointName(np.multiply(y, 2), "z")
      print("y: {}, z: {}", y, z)
      return checkpointName(np.exp(z), "w")
    }
    const policies = [checkpointPolicies.nothingSaveable, checkpointPolicies.saveAnyNamesButThese("z")]
    for (const policy of policies) {
      lines.length = 0
      const g = js(run(grad(checkpoint(f, { policy }))(np.array(2))))
      assert.closeTo(g as number, 2 * Math.exp(6), 1e-3)
      assert.deepStrictEqual(lines, ["y: 3.0, z: 6.0", "y: 3.0, z: 6.0"], String(policy))
    }
    // jitted, and without checkpoint once (nothing is recomputed)
    lines.length = 0
    run(jit(grad(checkpoint(f)))(np.array(2)))
    assert.strictEqual(lines.length, 2)
    lines.length = 0
    run(grad(f)(np.array(2)))
    assert.strictEqual(lines.length, 1)
  })

  it("formats as Python's str.format and NumPy's str", () => {
    const { lines, print } = recorder()
    print("{} {}", np.array([[1, 2], [3, 4.5]]), np.array([true, false]))
    print("{0} {1} {0} {2}", np.array([1, 2], { dtype: "int32" }), "s", np.array([3, 40], { dtype: "uint32" }))
    print("x = {x}, n = {n:d}, y = {y:.3f}, z = {z:.2e}", {
      x: np.array(-0),
      n: np.array(42, { dtype: "int32" }),
      y: np.array(0.5),
      z: 12345.678
    })
    print("{} {} {} {{braces}}", np.array(1e20), np.array(1e-5, { dtype: "float64" }), np.array({ re: 1, im: -2 }))
    print("{} {}", [np.array(1, { dtype: "int32" }), "a"], { k: 2 })
    assert.deepStrictEqual(lines, [
      // str(np.array([[1, 2], [3, 4.5]], np.float32)), str(np.array([True, False]))
      "[[1.  2. ]\n [3.  4.5]] [ True False]",
      "[1 2] s [1 2] [ 3 40]",
      "x = -0.0, n = 42, y = 0.500, z = 1.23e+04",
      "1e+20 1e-05 (1-2j) {braces}",
      "[Array(1, dtype=int32), 'a'] {'k': 2}"
    ])
  })

  it("Python's format-spec mini-language, ties rounded to even on the exact binary value (python3's format)", () => {
    const { lines, print } = recorder()
    // each expected value is python3's format(value, spec)
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      [".0f", 2.5, "2"],
      [".2f", np.array(0.125, { dtype: "float64" }), "0.12"],
      [".1f", 0.25, "0.2"],
      [".0f", -2.5, "-2"],
      [".1f", -0, "-0.0"],
      [".3g", 3.14159, "3.14"],
      ["8.3f", 3.14159, "   3.142"],
      ["e", 1234.5, "1.234500e+03"],
      [".0e", 2.5, "2e+00"],
      ["f", 1.5, "1.500000"],
      [".1%", 0.1234, "12.3%"],
      [",", 1234567, "1,234,567"],
      [",.2f", 1234567.891, "1,234,567.89"],
      ["+05d", -3, "-0003"],
      ["#x", 255, "0xff"],
      ["_b", 255, "1111_1111"],
      ["*^9", 7, "****7****"],
      ["=+8.2f", -1.5, "-   1.50"],
      ["g", 1e-5, "1e-05"],
      ["g", 123456789, "1.23457e+08"],
      [".3", 123.456, "1.23e+02"],
      [".4", 100.5, "100.5"],
      [".2f", NaN, "nan"],
      [".1f", 1e22, "10000000000000000000000.0"],
      ["d", np.array(42, { dtype: "int32" }), "42"]
    ]
    for (const [spec, value] of cases) print(`{:${spec}}`, value)
    print("{!r:>12} {!r}", "s", np.array([1.5, 2]))
    assert.deepStrictEqual(lines, [...cases.map((c) => c[2]), "         's' Array([1.5, 2. ], dtype=float32)"])
  })

  it("bad format strings and arguments are ArgumentErrors when staged", () => {
    const failure = (f: () => unknown): string => {
      try {
        f()
      } catch (e) {
        assert.strictEqual((e as { _tag?: string })._tag, "ArgumentError")
        return (e as Error).message
      }
      return assert.fail("expected an ArgumentError")
    }
    assert.include(failure(() => debug.print("{} {}", np.array(1))), "at most 1 positional field(s)")
    assert.include(failure(() => debug.print("{x}", np.array(1))), "named fields given by a plain record")
    assert.include(failure(() => debug.print("{0} {}", 1, 2)), "automatic and manual field numbering mixed")
    assert.include(failure(() => debug.print("{x:.2f}", { x: np.array([1, 2]) })), "an array of shape [2]")
    assert.include(failure(() => debug.print("{:d}", np.array(1.5))), "an integer for the format spec d")
    assert.include(failure(() => debug.print("{:>5q}", 1)), "Python's [[fill]align]")
    assert.include(failure(() => debug.print("{!a}", 1)), "conversions are !s and !r")
    assert.include(failure(() => debug.print("{:x}", 2.5)), "an integer for the format spec x")
    // JAX's test_format_string_errors_with_unused_args: an f-string passed by mistake
    assert.include(failure(() => debug.print("hello", np.array(1))), "unused positional arguments to debug.print")
    assert.include(
      failure(() => debug.print("hello: {x}", { x: 1, y: 2 })),
      "unused keyword arguments to debug.print: ['y']. You may be passing an f-string"
    )
    assert.include(failure(() => debug.print("a } b")), "a single '}'")
    assert.include(failure(() => debug.callback(3 as never)), "must be a function")
  })

  it("debug.log: each line an Effect log at the Info level, through the program's loggers, on every call", () => {
    const got: Array<string> = []
    const capture = Logger.make(({ logLevel, message }) => got.push(`${logLevel}: ${[message].flat().join(" ")}`))
    const f = jit((x: Tensor) => {
      debug.log("x = {}", x)
      return np.square(x)
    })
    const program = Effect.gen(function*() {
      yield* f(np.array([1, 2]))
      return yield* f(np.array([3, 4]))
    })
    const out = Effect.runSync(provideCpu(program).pipe(Effect.provide(Logger.layer([capture]))))
    assert.deepStrictEqual(js(out), [9, 16])
    assert.deepStrictEqual(got, ["Info: x = [1. 2.]", "Info: x = [3. 4.]"])
  })
})
