/**
 * customVmap and sequentialVmap, ported from JAX's tests/custom_api_test.py `CustomVmapTest`:
 * the rule's arguments, mixed batching, pytrees, the rule's output checks, JVPs (extra-batched
 * primals and tangents, jacfwd), jit in both orders, and reverse mode's error. Values are checked
 * against hand-derived results (the rules compute something other than f, so a test sees which ran).
 */
import {
  CustomRuleError,
  customVjp,
  customVmap,
  grad,
  jacfwd,
  jit,
  jvp,
  makeProgram,
  sequentialVmap,
  vmap
} from "@diffect/ad"
import { ArgumentError, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { failure, js, run, tensor } from "./gradHelpers.js"

const close = (got: unknown, want: unknown, tol = 1e-6) => {
  const g = [got].flat(3) as Array<number>
  const w = [want].flat(3) as Array<number>
  assert.strictEqual(g.length, w.length)
  g.forEach((x, i) => assert.approximately(x, w[i]!, tol))
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i)

describe("customVmap", () => {
  it("runs f outside vmap and the rule under it, with the batch size and flags (test_basic, test_rule_input_signature)", () => {
    const seen: Array<[number, Array<unknown>]> = []
    const f = customVmap((x: Tensor) => np.sin(x))
    f.defVmap((axisSize, inBatched, xs: Tensor) => {
      seen.push([axisSize, inBatched])
      return [np.cos(xs), inBatched[0]] as const
    })
    close(js(f(tensor(1))), Math.fround(Math.sin(1)))
    close(js(run(vmap(f)(tensor([0, 1, 2])))), [1, Math.cos(1), Math.cos(2)])
    assert.deepStrictEqual(seen, [[3, [true]]])
  })

  it("keeps closed-over values and gives several outputs (test_closure, test_rule_multi_output)", () => {
    const z = tensor([2, 1, 3])
    const f = customVmap((x: Tensor) => [np.add(z, np.sin(x)), np.cos(x)] as const)
    // (each example's output is z-shaped: the batch of them is [3, 3], one row per example; JAX's
    // test returns z + cos(xs) of shape [3] here, which diffect's shape check refuses)
    f.defVmap((_n, inBatched, xs: Tensor) =>
      [[np.add(z, np.expandDims(np.cos(xs), [1])), np.sin(xs)], [inBatched[0], inBatched[0]]] as const
    )
    const [a, b] = run(vmap(f)(tensor([0, 0, 0]))) as unknown as [Tensor, Tensor]
    // z + cos(0) broadcast over the batch of 3 and z's 3: each row z + 1
    assert.deepStrictEqual(js(a), [[3, 2, 4], [3, 2, 4], [3, 2, 4]])
    assert.deepStrictEqual(js(b), [0, 0, 0])
  })

  it("passes unbatched arguments as they are (test_nary_mixed_batching)", () => {
    const log: Array<Array<unknown>> = []
    const dot = customVmap((u: Tensor, v: Tensor) => np.dot(u, v))
    dot.defVmap((axisSize, inBatched, u: Tensor, v: Tensor) => {
      log.push(inBatched)
      assert.strictEqual(axisSize, 4)
      assert.deepStrictEqual(u.shape, inBatched[0] === true ? [4, 3] : [3])
      assert.deepStrictEqual(v.shape, inBatched[1] === true ? [4, 3] : [3])
      if (inBatched[0] === true && inBatched[1] === true) return [np.sum(np.multiply(u, v), { axis: 1 }), true] as const
      return [inBatched[0] === true ? np.matmul(u, v) : np.matmul(v, u), true] as const
    })
    const m = tensor(range(12).map((i) => [i % 3, 1, 2][i % 3]!).map((x, i) => x + Math.floor(i / 3)))
    const a = np.reshape(m, [4, 3])
    const w = tensor([1, 2, 3])
    const rows = js(a) as Array<Array<number>>
    const dots = rows.map((r) => r[0]! + 2 * r[1]! + 3 * r[2]!)
    assert.deepStrictEqual(js(run(vmap(dot, { inAxes: [0, null] })(a, w))), dots)
    assert.deepStrictEqual(js(run(vmap(dot, { inAxes: [1, null] })(np.transpose(a), w))), dots)
    assert.deepStrictEqual(js(run(vmap(dot, { inAxes: [null, 0] })(w, a))), dots)
    assert.deepStrictEqual(js(run(vmap(dot)(a, a))), rows.map((r) => r[0]! ** 2 + r[1]! ** 2 + r[2]! ** 2))
    assert.deepStrictEqual(log, [[true, false], [true, false], [false, true], [true, true]])
  })

  it("takes pytrees: one tree of flags per argument (test_tree)", () => {
    const f = customVmap((p: { a: Tensor; b: Array<Tensor> }) => ({ a: np.sin(p.a), b: p.b.map((x) => np.sin(x)) }))
    f.defVmap((axisSize, inBatched, p: { a: Tensor; b: Array<Tensor> }) => {
      assert.deepStrictEqual(inBatched, [{ a: true, b: [true, true] }])
      assert.strictEqual(axisSize, 2)
      const out = { a: np.cos(p.a), b: p.b.map((x) => np.cos(x)) }
      return [out, { a: true, b: [true, true] }] as const
    })
    const out = run(vmap(f)({ a: tensor([0, 0]), b: [tensor([0, 0]), tensor([0, 0])] })) as unknown as {
      a: Tensor
      b: Array<Tensor>
    }
    assert.deepStrictEqual(js(out.a), [1, 1])
    assert.deepStrictEqual(out.b.map(js), [[1, 1], [1, 1]])
  })

  it("checks the rule's output against its flags and f's output (JAX's ValueErrors)", () => {
    const f = customVmap((x: Tensor) => np.sin(x))
    f.defVmap(function ruleAbc(_n, inBatched, xs: Tensor) {
      return [[np.sin(xs), np.cos(xs)], inBatched] as const
    })
    const e = failure(vmap(f)(tensor([0, 1, 2])))
    assert.instanceOf(e, CustomRuleError)
    assert.match(
      e.message,
      /structure of output value and output batching specification returned by custom vmap rule \(ruleAbc\) do not match/
    )
    const g = customVmap((x: Tensor) => np.sin(x))
    g.defVmap(function ruleAbc2(_n, inBatched, xs: Tensor) {
      return [[np.sin(xs)], inBatched] as const
    })
    assert.match(
      failure(vmap(g)(tensor([0, 1, 2]))).message,
      /structure of output returned by custom vmap rule \(ruleAbc2\) does not match that of original custom-vmapped function/
    )
    // a leaf flagged batched without the batch axis
    const h = customVmap((x: Tensor) => np.sin(x))
    h.defVmap((_n, _b, xs: Tensor) => [np.sum(xs), true] as const)
    assert.include(failure(vmap(h)(tensor([0, 1, 2]))).message, "expected float32[3]")
    // no rule: JAX's "No batching rule defined"
    const none = customVmap((x: Tensor) => np.sin(x))
    assert.throws(() => none(tensor(1)), /No batching rule defined for customVmap function/)
  })

  it("differentiates forward through the rule (test_jvp_basic, test_jvp_nary)", () => {
    const f = customVmap((x: Tensor) => np.sin(x))
    f.defVmap((axisSize, inBatched, xs: Tensor) => {
      assert.strictEqual(axisSize, 3)
      assert.deepStrictEqual(inBatched, [true])
      return [np.cos(xs), inBatched[0]] as const
    })
    const fJvp = (x: Tensor, t: Tensor) => jvp(f, [x], [t])
    const [y, ty] = run(fJvp(tensor(1), tensor(2))) as unknown as [Tensor, Tensor]
    close(js(y), Math.sin(1))
    close(js(ty), 2 * Math.cos(1))
    const xs = range(3)
    const txs = xs.map((x) => 2 * x)
    const [ys, tys] = run(vmap(fJvp)(tensor(xs), tensor(txs))) as unknown as [Tensor, Tensor]
    close(js(ys), xs.map(Math.cos))
    close(js(tys), xs.map((x, i) => -Math.sin(x) * txs[i]!))
    const [ys2, tys2] = run(jvp(vmap(f), [tensor(xs)], [tensor(txs)])) as unknown as [Tensor, Tensor]
    close(js(ys2), xs.map(Math.cos))
    close(js(tys2), xs.map((x, i) => -Math.sin(x) * txs[i]!))

    const g = customVmap((x: Tensor, z: Tensor) => np.add(np.sin(x), z))
    g.defVmap((n, inBatched, xs: Tensor, zs: Tensor) => {
      assert.deepStrictEqual([n, inBatched], [3, [true, true]])
      return [np.add(np.cos(xs), zs), true] as const
    })
    const [zs, tzs] = run(
      vmap((x: Tensor, z: Tensor, tx: Tensor, tz: Tensor) => jvp(g, [x, z], [tx, tz]))(
        tensor([1, 2, 3]),
        tensor([4, 5, 6]),
        tensor([1, 1, 1]),
        tensor([2, 2, 2])
      )
    ) as unknown as [Tensor, Tensor]
    close(js(zs), [1, 2, 3].map((x, i) => Math.cos(x) + 4 + i))
    close(js(tzs), [1, 2, 3].map((x) => -Math.sin(x) + 2))
  })

  it("maps over tangents or primals batched alone outside the rule (test_jvp_extra_batched_*, test_jacfwd)", () => {
    const f = customVmap((x: Tensor) => np.sin(x))
    f.defVmap((axisSize, inBatched, xs: Tensor) => {
      assert.strictEqual(axisSize, 3)
      assert.deepStrictEqual(inBatched, [false])
      return [np.cos(xs), inBatched[0]] as const
    })
    const fJvp = (x: Tensor, t: Tensor) => jvp(f, [x], [t])
    // batched tangents, one primal: the rule sees an unbatched x; y stays unbatched
    const txs = [2, 3, 4]
    const [y, tys] = run(vmap(fJvp, { inAxes: [null, 0], outAxes: [null, 0] })(tensor(1), tensor(txs))) as unknown as [
      Tensor,
      Tensor
    ]
    close(js(y), Math.cos(1))
    close(js(tys), txs.map((t) => -Math.sin(1) * t))
    // batched primals, one tangent
    const xs = [0, 1, 2]
    const [ys, tys2] = run(vmap(fJvp, { inAxes: [0, null] })(tensor(xs), tensor(4))) as unknown as [Tensor, Tensor]
    close(js(ys), xs.map(Math.cos))
    close(js(tys2), xs.map((x) => -Math.sin(x) * 4))
    // jacfwd batches the tangents alone: the rule's derivative of cos on the diagonal
    const x = [0.72, 1.72, 2.72]
    const jac = js(run(jacfwd(f)(tensor(x)))) as Array<Array<number>>
    close(jac, x.map((xi, i) => x.map((_, j) => (i === j ? -Math.sin(Math.fround(xi)) : 0))))
  })

  it("works under jit in both orders (test_jit)", () => {
    const f = customVmap((x: Tensor) => np.sin(x))
    f.defVmap((axisSize, inBatched, xs: Tensor) => {
      assert.deepStrictEqual(inBatched, [true])
      assert.strictEqual(axisSize, xs.shape[0])
      return [np.cos(xs), inBatched[0]] as const
    })
    const xs = tensor([0, 1, 2])
    const want = [1, Math.cos(1), Math.cos(2)]
    close(js(run(jit(f)(tensor(1)))), Math.sin(1))
    close(js(run(jit(vmap(f))(xs))), want)
    close(js(run(vmap(jit(f))(xs))), want)
    // staged, the call is one equation that keeps the rule
    assert.match(String(run(makeProgram(f)(tensor(1)))), /custom_vmap_call/)
  })

  it("has no reverse-mode derivative, as in JAX; customVjp gives it one (test_partial_eval_raises, test_compose_custom_vjp)", () => {
    const f = customVmap((x: Tensor) => np.sin(x))
    f.defVmap((_n, inBatched, xs: Tensor) => [np.cos(xs), inBatched[0]] as const)
    const e = failure(grad(f)(tensor(0.5)))
    assert.instanceOf(e, ArgumentError)
    assert.include(e.message, "no reverse-mode derivative")

    const inner = customVmap((x: Tensor, y: Tensor) => np.multiply(np.sin(x), y))
    inner.defVmap((_n, _b, xs: Tensor, ys: Tensor) => [np.multiply(np.cos(xs), ys), true] as const)
    const g = customVjp(inner)
    g.defVjp(
      (x: Tensor, y: Tensor) => [inner(x, y), [np.cos(x), np.sin(x), y]] as [Tensor, Array<Tensor>],
      ([c, s, y]: Array<Tensor>, ct: Tensor) => [np.multiply(np.multiply(c, ct), y), np.multiply(s, ct)]
    )
    const xs = [0, 0.25, 0.5]
    const ys = [-0.1, 0, 0.1]
    close(js(run(vmap(g)(tensor(xs), tensor(ys)))), xs.map((x, i) => Math.cos(x) * ys[i]!))
    // the custom VJP: cos(x) * y at x = 0.5, y = 2
    close(js(run(grad(g)(tensor(0.5), tensor(2)))), 2 * Math.cos(0.5))
  })
})

describe("sequentialVmap", () => {
  it("maps f one slice at a time with lax.map (test_sequential_vmap_*)", () => {
    const f = sequentialVmap((x: Tensor, y: Tensor) => np.add(x, y))
    const xs = tensor([0, 1, 2])
    assert.deepStrictEqual(js(run(vmap(f)(xs, tensor([4, 5, 6])))), [4, 6, 8])
    assert.deepStrictEqual(js(run(vmap(f, { inAxes: [0, null] })(xs, tensor(4)))), [4, 5, 6])
    // the batched program is a loop (a scan), not f's operations batched
    const program = String(run(makeProgram(vmap(f))(xs, xs)))
    assert.match(program, /scan\[/)
    // f with an operation that cannot be batched otherwise: a host-side loop per slice is fine
    const rows = sequentialVmap((r: Tensor) => lax.reduceMax(r, [0]))
    assert.deepStrictEqual(js(run(vmap(rows)(tensor([[1, 5], [7, 2]])))), [5, 7])
  })
})
