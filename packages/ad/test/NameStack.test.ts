/**
 * Name stacks: `namedScope` and `namedCall` (JAX's jax.named_scope and jax.named_call), ported
 * from JAX's tests/name_stack_test.py (NameStackTest, NameStackTransformationTest,
 * NameStackControlFlowTest): each equation's stack, relative to its program, and the
 * transformations that wrap it (`vmap(...)`, `jvp(...)`, `transpose(...)`).
 */
import { grad, jit, jvp, makeProgram, valueAndGrad, vjp, vmap } from "@diffect/ad"
import type { Equation, Program } from "@diffect/ad"
import { ArgumentError, currentNameStack, lax, namedCall, namedScope, NameStack, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { failure, js, provideCpu, run, tensor } from "./gradHelpers.js"

const stackOf = (eqn: Equation): string => String(eqn.nameStack ?? "")
const stacks = (program: Program): Array<string> => program.equations.map(stackOf)
const primitives = (program: Program): Array<string> =>
  program.equations.map((e) => (e._tag === "PrimitiveEquation" ? e.primitive : e.name))
/** The program held by parameter `key` of the first equation of `primitive`. */
const inner = (program: Program, primitive: string, key: string, index?: number): Program => {
  const eqn = program.equations.find((e) => e._tag === "PrimitiveEquation" && e.primitive === primitive)
  assert.isDefined(eqn, `no ${primitive} in\n${program}`)
  const value = (eqn as { params: Record<string, unknown> }).params[key]
  return (index === undefined ? value : (value as ReadonlyArray<Program>)[index]) as Program
}
const program = (f: (...args: Array<any>) => unknown, ...args: Array<unknown>): Program =>
  run(makeProgram(f as (...args: Array<Tensor>) => Tensor)(...(args as Array<Tensor>)))

describe("NameStack", () => {
  it("prints as JAX's NameStack: a transformation wraps the scope entered after it", () => {
    const e = NameStack.empty
    assert.strictEqual(String(e), "")
    assert.strictEqual(String(e.extend("foo").extend("bar")), "foo/bar")
    assert.strictEqual(String(e.extend("foo").transform("vmap").extend("bar").extend("baz")), "foo/vmap(bar)/baz")
    assert.strictEqual(String(e.extend("foo").transform("vmap")), "foo/vmap()")
    assert.strictEqual(String(e.transform("transpose").transform("jvp").extend("foo")), "transpose(jvp(foo))")
    assert.strictEqual(String(e.transform("vmap").transform("jvp").extend("foo")), "vmap(jvp(foo))")
    assert.strictEqual(String(e.extend("a").extend("b").extend("c").slice(1)), "b/c")
  })
})

describe("namedScope and namedCall (NameStackTest)", () => {
  it("trivial: no scope, no stack", () => {
    const p = program((x: Tensor) => np.add(x, 1), tensor(2))
    assert.deepStrictEqual(stacks(p), [""])
    assert.isUndefined(p.equations[0]!.nameStack)
  })

  it("namedCall names the function's equations after it", () => {
    const f = namedCall(function f(x: Tensor) {
      return np.add(x, 1)
    })
    assert.deepStrictEqual(stacks(program(f, tensor(2))), ["f"])
    const g = namedCall((x: Tensor) => np.sin(x), { name: "layer" })
    assert.deepStrictEqual(stacks(program(g, tensor(2))), ["layer"])
    // the call computes what f computes, and keeps the name (a jitted one is a call of that name)
    assert.closeTo(js(g(tensor(1))) as number, Math.sin(1), 1e-6)
    assert.strictEqual(g.name, "layer")
    assert.include(program(jit(f), tensor(2)).toString(), "name=f")
  })

  it("a manual scope, nested scopes and several scopes", () => {
    assert.deepStrictEqual(stacks(program((x: Tensor) => namedScope("foo", () => np.add(x, 1)), tensor(2))), ["foo"])
    const nested = (x: Tensor) => namedScope("foo", () => namedScope("bar", () => np.add(x, 1)))
    assert.deepStrictEqual(stacks(program(nested, tensor(2))), ["foo/bar"])
    const multiple = (x: Tensor) => {
      const y = namedScope("foo", () => np.add(x, 1))
      return namedScope("bar", () => namedScope("baz", () => np.add(y, 1)))
    }
    assert.deepStrictEqual(stacks(program(multiple, tensor(2))), ["foo", "bar/baz"])
  })

  it("a jitted function's equations do not store the caller's stack", () => {
    const inner = jit((x: Tensor) => namedScope("bar", () => np.add(x, 1)))
    const f = (x: Tensor) => namedScope("foo", () => inner(x))
    const p = program(f, tensor(2))
    assert.deepStrictEqual(primitives(p), ["jit_call"])
    assert.deepStrictEqual(stacks(p), ["foo"])
    assert.deepStrictEqual(stacks(innerProgram(p)), ["bar"])
  })

  it("prints the stacks with { nameStack: true } only", () => {
    const f = (x: Tensor) => namedScope("layer", () => np.multiply(np.sin(x), 2))
    const p = program(f, np.ones([3]))
    assert.notInclude(p.toString(), "#")
    assert.strictEqual(
      p.toString({ nameStack: true }),
      [
        "{ lambda a:f32[] ; b:f32[3]. let",
        "    c:f32[3] = sin b  # [layer]",
        "    d:f32[3] = broadcast_in_dim[shape=(3,) broadcastDimensions=()] a  # [layer]",
        "    e:f32[3] = mul c d  # [layer]",
        "  in (e,) }"
      ].join("\n")
    )
  })

  it("refuses a name that is not a string, and bad options, as typed errors", () => {
    assert.throws(() => namedScope(3 as never, () => 1), ArgumentError)
    assert.throws(() => namedCall((x: Tensor) => x, { name: 3 as never }), ArgumentError)
    assert.throws(() => namedCall((x: Tensor) => x, { nmae: "x" } as never), ArgumentError)
    assert.throws(() => namedCall(3 as never), ArgumentError)
    const p = program((x: Tensor) => np.sin(x), tensor(1))
    assert.throws(() => p.toString({ nameStacks: true } as never), ArgumentError)
  })

  it("restores the stack when the scope's function throws", () => {
    assert.throws(() =>
      namedScope("oops", () => {
        throw new Error("boom")
      })
    )
    assert.deepStrictEqual(stacks(program((x: Tensor) => np.sin(x), tensor(1))), [""])
  })
})

const innerProgram = (p: Program): Program => inner(p, "jit_call", "program")

describe("transformations wrap the stack (NameStackTransformationTest)", () => {
  it("vmap: vmap(foo), and foo/vmap(bar)/baz", () => {
    const f = vmap((x: Tensor) => namedScope("foo", () => np.add(x, 1)))
    assert.deepStrictEqual(stacks(program(f, np.ones([2]))), ["vmap(foo)", "vmap(foo)"])
    const g = (x: Tensor) =>
      namedScope("foo", () => vmap((y: Tensor) => namedScope("bar", () => namedScope("baz", () => np.add(y, 1))))(x))
    assert.deepStrictEqual(stacks(program(g, np.ones([2]))), ["foo/vmap(bar)/baz", "foo/vmap(bar)/baz"])
  })

  it("vmap of a jitted function: the call is foo/vmap(), its program keeps bar", () => {
    const inner = jit((x: Tensor) => namedScope("bar", () => np.add(x, 1)))
    const f = (x: Tensor) => namedScope("foo", () => vmap((y: Tensor) => inner(y))(x))
    const p = program(f, np.ones([2]))
    const call = p.equations.findIndex((e) => e._tag === "PrimitiveEquation" && e.primitive === "jit_call")
    assert.strictEqual(stackOf(p.equations[call]!), "foo/vmap()")
    assert.deepStrictEqual(stacks(innerProgram(p)), ["bar", "bar"])
  })

  it("jvp: foo/jvp(bar)/baz, and a jitted function's call foo/jvp() with bar/baz inside", () => {
    const f = (x: Tensor) => namedScope("bar", () => namedScope("baz", () => np.square(x)))
    const g = (x: Tensor, t: Tensor) => namedScope("foo", () => jvp(f, [x], [t]))
    const p = program(g, tensor(1), tensor(1))
    assert.strictEqual(stackOf(p.equations[0]!), "foo/jvp(bar)/baz")
    const h = (x: Tensor, t: Tensor) => namedScope("foo", () => jvp(jit(f), [x], [t]))
    const q = program(h, tensor(1), tensor(1))
    assert.deepStrictEqual(stacks(q), ["foo/jvp()"])
    assert.isTrue(stacks(innerProgram(q)).every((s) => s === "bar/baz"), stacks(innerProgram(q)).join())
  })

  it("grad: the forward equations jvp(foo), the backward ones transpose(jvp(foo))", () => {
    const f = valueAndGrad((x: Tensor) => namedScope("foo", () => np.multiply(2, np.sin(x))))
    const p = program(f, tensor(1))
    assert.deepStrictEqual(primitives(p), ["sin", "cos", "mul", "mul", "mul"])
    assert.deepStrictEqual(stacks(p), [
      "jvp(foo)",
      "jvp(foo)",
      "jvp(foo)",
      "transpose(jvp(foo))",
      "transpose(jvp(foo))"
    ])
    // and the values are the gradient's
    const [v, g] = run(f(tensor(1))) as unknown as [Tensor, Tensor]
    assert.closeTo(js(v) as number, 2 * Math.sin(1), 1e-6)
    assert.closeTo(js(g) as number, 2 * Math.cos(1), 1e-6)
  })

  it("grad of a jitted function: jvp(foo) and transpose(jvp(foo)) calls, bar inside", () => {
    const f = valueAndGrad((x: Tensor) =>
      namedScope("foo", () => jit((y: Tensor) => namedScope("bar", () => lax.sin(y)))(x))
    )
    const p = program(f, tensor(1))
    const calls = p.equations.filter((e) => e._tag === "PrimitiveEquation" && e.primitive === "jit_call")
    assert.deepStrictEqual(calls.map(stackOf), ["jvp(foo)", "transpose(jvp(foo))"])
    for (const call of calls) {
      const body = (call as { params: { program: Program } }).params.program
      assert.isTrue(stacks(body).every((s) => s === "bar"), `${body.toString({ nameStack: true })}`)
    }
  })

  it("vmap of grad: vmap(jvp(foo)) and vmap(transpose(jvp(foo)))", () => {
    const f = vmap(grad((x: Tensor) => namedScope("foo", () => np.multiply(np.sin(x), x))))
    const p = program(f, np.ones([2]))
    const names = new Set(stacks(p))
    assert.isTrue(names.has("vmap(jvp(foo))"), [...names].join())
    assert.isTrue(names.has("vmap(transpose(jvp(foo)))"), [...names].join())
    assert.isTrue([...names].every((s) => s === "" || s.startsWith("vmap(")), [...names].join())
  })
})

describe("control flow bodies keep their own stacks (NameStackControlFlowTest)", () => {
  const loop = (x: Tensor) =>
    namedScope("foo", () =>
      lax.whileLoop(
        (v: Tensor) => namedScope("bar_cond", () => np.less(v, 5)),
        (v: Tensor) => namedScope("bar", () => np.add(v, 1)),
        x
      ))

  it("while: the loop is foo; its body bar, its predicate bar_cond", () => {
    const p = program(loop, tensor(0))
    assert.deepStrictEqual(stacks(p), ["foo"])
    assert.deepStrictEqual(stacks(inner(p, "while", "body")), ["bar"])
    assert.deepStrictEqual(stacks(inner(p, "while", "cond")), ["bar_cond"])
  })

  it("vmap, jvp and vmap of jvp of a while loop wrap the loop's stack only", () => {
    const v = program(vmap(loop), np.arange(2, { dtype: "float32" }))
    assert.isTrue(stacks(v).includes("vmap(foo)"), stacks(v).join())
    // the batched loop evaluates its predicate in its body too (JAX's body_pred); the batching
    // rule's own select has no scope
    assert.sameMembers([...new Set(stacks(inner(v, "while", "body")))], ["bar", "bar_cond", ""])
    const g = (x: Tensor, t: Tensor) => jvp(loop, [x], [t])
    const j = program(g, tensor(1), tensor(1))
    assert.isTrue(stacks(j).includes("jvp(foo)"), stacks(j).join())
    assert.isTrue(stacks(inner(j, "while", "body")).every((s) => s === "bar"), stacks(inner(j, "while", "body")).join())
    const vj = program(vmap(g), np.arange(2, { dtype: "float32" }), np.ones([2]))
    assert.isTrue(stacks(vj).includes("vmap(jvp(foo))"), stacks(vj).join())
  })

  const branches = (x: Tensor, y: Tensor) =>
    namedScope("foo", () =>
      lax.cond(
        y,
        (v: Tensor) => namedScope("true", () => np.multiply(np.multiply(v, v), 2)),
        (v: Tensor) => namedScope("false", () => np.divide(v, np.square(v))),
        x
      ))

  it("cond: branch 0 is false, branch 1 true, the cond foo", () => {
    const p = program(branches, tensor(1), tensor(true, "bool"))
    assert.isTrue(stacks(p).every((s) => s === "foo"), stacks(p).join())
    assert.isTrue(stacks(inner(p, "cond", "branches", 0)).every((s) => s === "false"))
    assert.isTrue(stacks(inner(p, "cond", "branches", 1)).every((s) => s === "true"))
  })

  it("grad of cond: jvp(foo) forwards, transpose(jvp(foo)) backwards", () => {
    const f = valueAndGrad(branches)
    const p = program(f, tensor(1), tensor(true, "bool"))
    const conds = p.equations.filter((e) => e._tag === "PrimitiveEquation" && e.primitive === "cond")
    const names = conds.map(stackOf)
    assert.include(names, "jvp(foo)")
    assert.include(names, "transpose(jvp(foo))")
    const [, g] = run(f(tensor(3), tensor(true, "bool"))) as unknown as [Tensor, Tensor]
    assert.closeTo(js(g) as number, 12, 1e-5)
  })

  it("vmap of grad of cond: vmap(jvp(foo)) and vmap(transpose(jvp(foo)))", () => {
    const f = vmap(valueAndGrad(branches), { inAxes: [0, null] })
    const p = program(f, np.arange(2, { dtype: "float32" }), tensor(true, "bool"))
    const names = new Set(stacks(p))
    assert.isTrue(names.has("vmap(jvp(foo))"), [...names].join())
    assert.isTrue(names.has("vmap(transpose(jvp(foo)))"), [...names].join())
  })

  const scanned = (x: Tensor) =>
    namedScope("foo", () =>
      lax.scan(
        (c: Tensor, v: Tensor) => namedScope("scan_body", () => [np.multiply(np.multiply(c, v), 2), np.add(c, v)]),
        x,
        np.arange(8, { dtype: "float32" })
      )[0])

  it("scan: the scan is foo, its body scan_body; under grad jvp(foo) and transpose(jvp(foo))", () => {
    const p = program(scanned, tensor(2))
    assert.isTrue(stacks(p).includes("foo"), stacks(p).join())
    assert.isTrue(stacks(inner(p, "scan", "program")).every((s) => s === "scan_body"))
    const g = program(valueAndGrad(scanned), tensor(2))
    const scans = g.equations.filter((e) => e._tag === "PrimitiveEquation" && e.primitive === "scan").map(stackOf)
    assert.include(scans, "jvp(foo)")
    assert.include(scans, "transpose(jvp(foo))")
    const vg = program(vmap(valueAndGrad(scanned)), np.arange(2, { dtype: "float32" }))
    const vscans = new Set(
      vg.equations.filter((e) => e._tag === "PrimitiveEquation" && e.primitive === "scan").map(stackOf)
    )
    assert.isTrue(vscans.has("vmap(jvp(foo))"), [...vscans].join())
    assert.isTrue(vscans.has("vmap(transpose(jvp(foo)))"), [...vscans].join())
  })
})

describe("names survive compilation", () => {
  it("jit's lowered program keeps each equation's stack; the compiled function computes the same", () => {
    const f = (x: Tensor) => namedScope("dense", () => np.tanh(np.add(np.multiply(x, 2), 1)))
    const lowered = run(jit(valueAndGrad((x: Tensor) => np.sum(f(x)))).lower(np.ones([4])))
    const text = lowered.program.toString({ nameStack: true })
    assert.include(text, "# [jvp(dense)]")
    assert.include(text, "# [transpose(jvp(dense))]")
    const [v] = run(jit(valueAndGrad((x: Tensor) => np.sum(f(x))))(np.ones([4]))) as unknown as [Tensor]
    assert.closeTo(js(v) as number, 4 * Math.tanh(3), 1e-5)
  })

  it("the stages print the stacks with { debugInfo: true }; a nested jitted call inlines as jit(name)", () => {
    const inner = jit(function dense(x: Tensor) {
      return namedScope("act", () => np.tanh(x))
    })
    const f = (x: Tensor) => namedScope("block", () => inner(np.multiply(x, 2)))
    const traced = run(jit(f).trace(np.ones([4])))
    assert.notInclude(traced.asText(), "#")
    assert.include(traced.asText({ debugInfo: true }), "# [block]")
    const lowered = run(traced.lower())
    assert.strictEqual(lowered.asText(), lowered.text)
    const text = lowered.asText({ debugInfo: true })
    // the inlined body continues the call's stack: block, then the call, then its own scope
    assert.include(text, "# [block/jit(dense)/act]")
    assert.include(text, "# [block]")
    const compiled = run(lowered.compile())
    assert.strictEqual(compiled.asText({ debugInfo: true }), text)
    assert.throws(() => lowered.asText({ debug: true } as never), ArgumentError)
    const [y] = [run(compiled(np.ones([4])))] as unknown as [Tensor]
    assert.closeTo((js(y) as Array<number>)[0]!, Math.tanh(2), 1e-6)
  })

  it("a failure inside a scope leaves no stack behind", () => {
    const bad = (x: Tensor) => namedScope("bad", () => np.add(x, np.ones([3])))
    assert.isDefined(failure(makeProgram(bad)(np.ones([2]))))
    assert.deepStrictEqual(stacks(program((x: Tensor) => np.sin(x), tensor(1))), [""])
  })
})

describe("the stack belongs to the code that set it", () => {
  it("a scoped backward pass that yields between its steps never shows its stack to other fibers", async () => {
    // a long linear chain: its backward pass runs in slices, yielding to the scheduler between them
    const chain = (x: Tensor): Tensor => {
      let y = x
      for (let k = 0; k < 12_000; k++) y = np.multiply(np.sin(y), 0.9999)
      return np.sum(y)
    }
    const x = np.array([0.5])
    const [, pullback] = run(vjp(chain, [x])) as unknown as [unknown, (ct: Tensor) => Effect.Effect<unknown>]
    let seenInside = ""
    let passEnded = 0
    const long = namedScope("outer", () =>
      Effect.sync(() => (seenInside = String(currentNameStack()))).pipe(
        Effect.andThen(pullback(np.array(1))),
        Effect.tap(() => Effect.sync(() => (passEnded = performance.now())))
      ))
    // another fiber reads the stack while the pass is suspended between slices
    const seen: Array<readonly [string, number]> = []
    const other = Effect.gen(function*() {
      for (let i = 0; i < 5; i++) {
        yield* Effect.sleep(2)
        seen.push([String(currentNameStack()), performance.now()])
      }
    })
    await Effect.runPromise(provideCpu(Effect.all([long, other], { concurrency: 2 })) as Effect.Effect<unknown>)
    assert.deepStrictEqual(seen.map(([s]) => s), ["", "", "", "", ""])
    // the reads happened while the pass was running (it yields every few milliseconds)
    assert.isBelow(seen[0]![1], passEnded, "the other fiber ran only after the pass")
    assert.strictEqual(String(currentNameStack()), "")
    // (a plain Effect in the scope runs outside it: only transformations take the scope's stack)
    assert.strictEqual(seenInside, "")
  })
})
