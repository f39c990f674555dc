/**
 * Cases of JAX's tests/api_test.py (RematTest) for `checkpoint` that Remat.test.ts
 * and test/jax-parity do not pin down: `staticArgnums` (Python control flow on
 * static arguments), hand-written policies, `preventCse`, checkpoint of a jitted
 * function, `checkpointName` on pytrees, nesting, and what the linear program of a
 * checkpointed function recomputes (JAX counts the primitives of `f_lin`'s jaxpr).
 * Each case names its JAX test; values are derived by hand in the comments.
 */
import {
  checkpoint,
  checkpointName,
  checkpointPolicies,
  grad,
  jit,
  jvp,
  linearize,
  linearizeFlat,
  vmap
} from "@diffect/ad"
import { ArgumentError, ConcretizationError, lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, toJs } from "./gradHelpers.js"

const f64 = (v: number | ReadonlyArray<number>) => np.array(v, { dtype: "float64" })

/** The linear program of `f` at `x` (JAX's `f_lin.func.args[0]`), printed. */
const linearText = (f: (x: Tensor) => Tensor, x: Tensor): string => linearizeFlat(([v]) => [f(v!)], [x])[2].toString()

const count = (text: string, primitive: string): number => text.split(` ${primitive} `).length - 1

describe("checkpoint's staticArgnums (JAX's static_argnums)", () => {
  it("test_remat_grad_python_control_flow_static_argnums: a JS branch on a static flag", () => {
    const g = checkpoint(
      (x: Tensor, positive: boolean): readonly [Tensor, number] => (positive ? [np.sin(x), 3] : [np.cos(x), 4]),
      {
        staticArgnums: 1
      }
    )
    const f = (x: Tensor) => g(x, true)[0]
    expect.close(toJs(f(f64(2))), Math.sin(2), 1e-15)
    expect.close(toJs(run(grad(f)(f64(2)))), Math.cos(2), 1e-15)
    // the other branch: d/dx cos x = -sin x
    expect.close(toJs(run(grad((x: Tensor) => g(x, false)[0])(f64(2)))), -Math.sin(2), 1e-15)
  })

  it("test_remat_unhashable_static_argnums: a record of settings, given with a negative position", () => {
    const f = checkpoint((x: Tensor, cfg: { readonly scale: number }) => np.multiply(x, cfg.scale), {
      staticArgnums: -1
    })
    expect.close(toJs(run(grad((x: Tensor) => np.sum(f(x, { scale: 2 })))(np.ones([4])))), [2, 2, 2, 2])
  })

  it("test_concreteness_error_includes_user_code_with_static_argnums: reading a traced argument names checkpoint, with JAX's hint", () => {
    const f = checkpoint((x: Tensor, _s: number) => ((toJsSync(x) as number) > 0 ? x : np.sin(x)), {
      staticArgnums: 1
    })
    expect.error(
      thrown(() => f(f64(3), 1)),
      ConcretizationError,
      /while checkpoint traces it[\s\S]*Consider using the staticArgnums option of checkpoint/
    )
  })

  it("staticArgnums is checked: integers, each in [-len(args), len(args)) at the call", () => {
    expect.error(
      thrown(() => checkpoint((x: Tensor) => x, { staticArgnums: "1" as never })),
      ArgumentError,
      /checkpoint: staticArgnums must be an integer or an array of integers, got the string "1"/
    )
    expect.error(
      thrown(() => checkpoint((x: Tensor) => x, { staticArgnums: [1] })(f64(3))),
      ArgumentError,
      /greater than or equal to -len\(args\) and less than len\(args\) \(len\(args\) = 1\), got \[1\]/
    )
    expect.error(
      thrown(() => checkpoint((x: Tensor) => x, { staticArgnums: -2 })(f64(3))),
      ArgumentError,
      /got \[-2\]/
    )
  })
})

describe("policies and what the linear program recomputes", () => {
  it("test_remat_basic: sin(sin(x)) at 2, f_lin(3) = cos(sin 2) cos 2 * 3; f_lin recomputes one sin and two cos", () => {
    const g = checkpoint((x: Tensor) => [lax.sin(lax.sin(x)), 3] as const)
    const f = (x: Tensor) => g(x)[0]
    const [y, fLin] = run(linearize(f, [f64(2)]))
    expect.close(toJs(y), Math.sin(Math.sin(2)), 1e-15)
    expect.close(toJs(run(fLin(f64(3)))), Math.cos(Math.sin(2)) * Math.cos(2) * 3, 1e-15)
    const text = linearText(f, f64(2))
    assert.deepStrictEqual([count(text, "sin"), count(text, "cos")], [1, 2])
  })

  it("test_remat_custom_policy_save_cos: a hand-written policy; saving the cosines leaves no sin or cos to recompute", () => {
    const f = checkpoint((x: Tensor) => np.sin(np.sin(x)), { policy: (p) => p === "cos" })
    const text = linearText(f, f64(1))
    assert.deepStrictEqual([count(text, "sin"), count(text, "cos")], [0, 0])
    // d/dx sin(sin x) = cos(sin x) cos x at 3
    expect.close(toJs(run(grad(f)(f64(3)))), Math.cos(Math.sin(3)) * Math.cos(3), 1e-15)
    // a policy that answers something else than a boolean is a typed error
    expect.error(
      failure(grad(checkpoint((x: Tensor) => np.sin(np.sin(x)), { policy: (() => 1) as never }))(f64(2))),
      ArgumentError,
      /checkpoint: the policy's answer for (sin|cos) must be a boolean, got the number 1/
    )
  })

  it("test_remat_checkpoint_dots: saving the products leaves 2 sin, 3 cos and 6 products in f_lin", () => {
    const f = checkpoint((x0: Tensor) => {
      let x = np.sin(np.dot(x0, x0))
      x = np.sin(np.dot(x, x))
      return np.sin(np.dot(x, x))
    }, { policy: checkpointPolicies.checkpointDots })
    const text = linearText(f, np.ones([2, 2], { dtype: "float64" }))
    assert.deepStrictEqual([count(text, "sin"), count(text, "cos"), text.split(" dot_general").length - 1], [2, 3, 6])
  })

  it("test_remat_scan: the linear program of a scan of a checkpointed body recomputes cos in the body", () => {
    const body = (c: Tensor, _x: Tensor) => [np.sin(c), null] as const
    const xs = np.arange(3, { dtype: "float64" })
    const plain = (x: Tensor) => lax.scan(body, x, xs)[0]
    const remat = (x: Tensor) => lax.scan(checkpoint(body), x, xs)[0]
    expect.close(toJs(remat(f64(4))), Math.sin(Math.sin(Math.sin(4))), 1e-15)
    expect.close(toJs(run(grad(remat)(f64(4)))), toJs(run(grad(plain)(f64(4)))), 1e-15)
    assert.strictEqual(count(linearText(remat, f64(4)), "cos"), 1)
  })

  it("preventCse (JAX's prevent_cse) is accepted as a boolean, with the same gradient", () => {
    const f = (preventCse: boolean) => checkpoint((x: Tensor) => np.sin(np.sin(x)), { preventCse })
    const want = Math.cos(Math.sin(2)) * Math.cos(2)
    expect.close(toJs(run(grad(f(false))(f64(2)))), want, 1e-15)
    expect.close(toJs(run(jit(grad(f(true)))(f64(2)))), want, 1e-15)
    expect.error(
      thrown(() => checkpoint((x: Tensor) => x, { preventCse: 1 as never })),
      ArgumentError,
      /checkpoint: preventCse must be a boolean or an array of booleans, got the number 1/
    )
  })

  it("test_name_pytree: checkpointName names every leaf of a pytree (it took only a tensor)", () => {
    const f = checkpoint((x: Tensor) => np.dot(checkpointName({ a: np.dot(x, x) }, "foo").a, x), {
      policy: checkpointPolicies.saveOnlyTheseNames("foo")
    })
    // x @ x @ x of ones(3, 3) is 9 everywhere
    expect.close(toJs(f(np.ones([3, 3]))), Array.from({ length: 3 }, () => [9, 9, 9]))
    expect.error(
      thrown(() => checkpointName({ a: "s" } as never, "foo")),
      ArgumentError,
      /checkpointName: the leaf of x at \["a"\] must be a Tensor \(or a pytree of tensors\), got the string "s"/
    )
  })
})

describe("checkpoint composed with other transformations", () => {
  it("test_remat_jit: checkpoint of a jitted function (its Effect was an 'argument leaf' error), jit of checkpoint", () => {
    const g = checkpoint((x: Tensor) => lax.sin(lax.sin(x)))
    const want = Math.cos(Math.sin(2)) * Math.cos(2)
    expect.close(toJs(run(jit(g)(f64(2)))), Math.sin(Math.sin(2)), 1e-15)
    expect.close(toJs(run(grad(jit(g))(f64(2)))), want, 1e-15)
    expect.close(toJs(run(jit(grad(g))(f64(2)))), want, 1e-15)
    expect.close(toJs(run(grad(checkpoint(jit(lax.sin)))(f64(2)))), Math.cos(2), 1e-15)
    // an output that is neither a tensor nor a number is named as an output
    expect.error(
      thrown(() => checkpoint((_x: Tensor) => "s")(f64(1))),
      ArgumentError,
      /checkpoint: each output leaf must be a Tensor, a JS number or a boolean, got the string "s"/
    )
  })

  it("test_remat_freevars: a checkpointed closure over a traced value linearizes as the plain function", () => {
    const f1 = (x: Tensor) => np.multiply(np.cos(x), np.sin(np.multiply(2, np.sin(x))))
    const f2 = (x: Tensor) => {
      const y = np.multiply(2, np.sin(x))
      return checkpoint((z: Tensor) => np.multiply(np.cos(z), np.sin(y)))(x)
    }
    const [a, lin1] = run(linearize(f1, [f64(2)]))
    const [b, lin2] = run(linearize(f2, [f64(2)]))
    expect.close(toJs(b), toJs(a), 1e-15)
    expect.close(toJs(run(lin2(f64(3)))), toJs(run(lin1(f64(3)))), 1e-14)
  })

  it("test_remat_higher_order_autodiff and nested checkpoints: grad(grad(checkpoint(sin))) = -sin", () => {
    const f = checkpoint(np.sin)
    expect.close(toJs(run(grad(grad(f))(f64(2)))), -Math.sin(2), 1e-15)
    expect.close(toJs(run(grad(grad(grad(f)))(f64(2)))), -Math.cos(2), 1e-15)
    const nested = checkpoint(checkpoint((x: Tensor) => np.sin(np.sin(x))))
    expect.close(toJs(run(grad(nested)(f64(2)))), Math.cos(Math.sin(2)) * Math.cos(2), 1e-15)
  })

  it("test_remat_binomial_checkpointing: four sines checkpointed as a binary tree", () => {
    type F = (x: Tensor) => Tensor
    const binom = (funs: ReadonlyArray<F>): F => {
      if (funs.length === 1) return funs[0]!
      const half = funs.length >> 1
      const [f1, f2] = [binom(funs.slice(0, half)), binom(funs.slice(half))]
      return checkpoint((x: Tensor) => f1(f2(x)))
    }
    const f = binom([np.sin, np.sin, np.sin, np.sin])
    // the chain rule by hand: prod of cos(sin^k(4)), k = 0..3
    let x = 4
    let want = 1
    for (let k = 0; k < 4; k++) {
      want *= Math.cos(x)
      x = Math.sin(x)
    }
    expect.close(toJs(run(grad(f)(f64(4)))), want, 1e-14)
  })

  it("test_checkpoint_name_vmap, test_remat_vmap_not_leading_dim, a boolean argument", () => {
    const f = (x: Tensor) => np.add(checkpointName(np.multiply(x, 2), "y"), 1)
    const fv = vmap(checkpoint(f, { policy: checkpointPolicies.saveOnlyTheseNames("y") }))
    const x = np.reshape(np.arange(6, { dtype: "float64" }), [2, 3])
    expect.close(toJs(run(fv(x))), [[1, 3, 5], [7, 9, 11]])
    expect.close(toJs(run(grad((a: Tensor) => Effect.map(fv(a), (v) => np.sum(v)))(x))), [[2, 2, 2], [2, 2, 2]])
    const sinT = run(vmap(checkpoint(np.sin), { inAxes: 1 })(np.ones([2, 3], { dtype: "float64" })))
    assert.deepStrictEqual(sinT.shape, [3, 2])
    expect.close(toJs(sinT), Array.from({ length: 3 }, () => [Math.sin(1), Math.sin(1)]), 1e-15)
    // a JS boolean is a bool scalar operand (it was refused): cond on it inside, d/dx = cos 2
    const pick = checkpoint((v: Tensor, b: Tensor) => lax.select(b, np.sin(v), v))
    expect.close(toJs(run(grad((v: Tensor) => pick(v, true as never))(f64(2)))), Math.cos(2), 1e-15)
    expect.close(toJs(run(jvp((v: Tensor) => pick(v, false as never), [f64(2)], [f64(1)]))), [2, 1])
  })
})

describe("checkpoint's traces (JAX's test_remat_retracing, test_remat_static_agnums_retracing)", () => {
  it("ten eager calls trace once; a new shape, dtype or static value traces again", () => {
    let traces = 0
    const g = checkpoint((x: Tensor) => {
      traces++
      return [lax.sin(x), 3] as const
    })
    for (let i = 0; i < 10; i++) expect.close(toJs(g(f64(2))[0]), Math.sin(2), 1e-15)
    assert.strictEqual(traces, 1)
    g(f64([1, 2]))
    g(np.array(2, { dtype: "float32" }))
    assert.strictEqual(traces, 3)
    let staticTraces = 0
    const h = checkpoint((x: Tensor, positive: boolean) => {
      staticTraces++
      return positive ? lax.sin(x) : lax.cos(x)
    }, { staticArgnums: 1 })
    for (let i = 0; i < 10; i++) expect.close(toJs(h(f64(2), true)), Math.sin(2), 1e-15)
    expect.close(toJs(h(f64(2), false)), Math.cos(2), 1e-15)
    assert.strictEqual(staticTraces, 2)
    // a static record is keyed by identity (JAX's WrapHashably): another record traces again
    const k = checkpoint((x: Tensor, cfg: { readonly s: number }) => np.multiply(x, cfg.s), { staticArgnums: 1 })
    expect.close([toJs(k(f64(1), { s: 2 })), toJs(k(f64(1), { s: 3 }))], [2, 3])
  })

  it("a body closing over a traced value is traced on every call (its trace holds that call's tracer)", () => {
    let traces = 0
    let y: Tensor = f64(0)
    const body = checkpoint((z: Tensor) => {
      traces++
      return np.multiply(np.cos(z), np.sin(y))
    })
    const f = (x: Tensor) => {
      y = np.multiply(2, np.sin(x))
      return body(x)
    }
    // d/dx cos(x) sin(2 sin x) = -sin(x) sin(2 sin x) + cos(x) cos(2 sin x) 2 cos(x)
    const want = (x: number) =>
      -Math.sin(x) * Math.sin(2 * Math.sin(x)) + 2 * Math.cos(x) ** 2 * Math.cos(2 * Math.sin(x))
    expect.close(toJs(run(grad(f)(f64(2)))), want(2), 1e-14)
    expect.close(toJs(run(grad(f)(f64(1)))), want(1), 1e-14)
    assert.strictEqual(traces, 2)
  })
})
