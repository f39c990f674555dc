/**
 * lax.withShardingConstraint, lax.platformDependent and lax.composite (JAX's
 * with_sharding_constraint, platform_dependent, composite): on one device the
 * first is the identity once its shardings are checked as JAX checks them, the
 * second picks the branch of the active backend's platform (a choice made at
 * trace time, so it composes with jit, vmap and grad), and the third is its
 * decomposition.
 */
import { withBackend } from "@diffect/core"
import { Backends, thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  ControlFlowError,
  grad,
  jit,
  lax,
  np,
  runSync,
  type Tensor,
  toJsSync,
  TreeStructureError,
  vmap
} from "diffect"

const f64 = (v: ReadonlyArray<number> | number) => np.array(v, { dtype: "float64" })

describe("lax.withShardingConstraint", () => {
  it("returns the tree it is given, for one sharding or a tree prefix of shardings", () => {
    const tree = { w: f64([1, 2]), b: [f64(3), 4] as const }
    assert.strictEqual(lax.withShardingConstraint(tree, "replicated"), tree)
    assert.strictEqual(lax.withShardingConstraint(tree, { w: "s0", b: "s1" }), tree)
    assert.strictEqual(lax.withShardingConstraint(tree, { w: "s0", b: ["s1", "s2"] }), tree)
    const x = f64([5])
    // a class instance (JAX's Sharding objects) is one leaf
    class Spec {
      readonly axes = ["data"]
    }
    assert.strictEqual(lax.withShardingConstraint(x, new Spec()), x)
  })

  it("is the identity under jit and grad (d/dx sum(c(x)^2) = 2x)", () => {
    const f = (x: Tensor) => np.sum(np.square(lax.withShardingConstraint(x, "replicated")))
    assert.deepStrictEqual(toJsSync(runSync(grad(f)(f64([1, -2, 3])))), [2, -4, 6])
    assert.deepStrictEqual(toJsSync(runSync(jit(f)(f64([1, -2, 3])))), 14)
  })

  it("rejects shardings that are not a prefix, null shardings and non-array leaves", () => {
    const tree = { w: f64([1]), b: f64([2]) }
    assert.instanceOf(thrown(() => lax.withShardingConstraint(tree, { w: "s" })), TreeStructureError)
    assert.instanceOf(thrown(() => lax.withShardingConstraint(tree, ["a", "b"])), TreeStructureError)
    assert.instanceOf(thrown(() => lax.withShardingConstraint(tree, { w: "s", b: null })), ArgumentError)
    assert.instanceOf(thrown(() => lax.withShardingConstraint(tree, undefined)), ArgumentError)
    assert.instanceOf(thrown(() => lax.withShardingConstraint(["x"], "s")), ArgumentError)
  })
})

describe("lax.platformDependent", () => {
  const branches = {
    cpu: (x: Tensor, y: Tensor) => np.add(np.multiply(x, 10), y),
    gpu: (x: Tensor, y: Tensor) => np.add(np.multiply(x, 100), y),
    default: (x: Tensor, y: Tensor) => np.add(x, y)
  }

  it("calls the branch of the active backend's platform (cpu for typed arrays, gpu for WebGPU)", () => {
    assert.strictEqual(lax.currentPlatform(), "cpu")
    assert.deepStrictEqual(toJsSync(lax.platformDependent(f64([1, 2]), f64([3, 4]), branches)), [13, 24])
    // A backend named as WebGPU is the gpu platform (the typed-array kernels do the arithmetic).
    const gpuNamed = { ...Backends.cpu, name: "webgpu" }
    const y = withBackend(gpuNamed, () => {
      assert.strictEqual(lax.currentPlatform(), "gpu")
      return lax.platformDependent(f64([1]), f64([3]), { cpu: branches.cpu, gpu: branches.gpu })
    })
    assert.deepStrictEqual(toJsSync(y), [103])
    const other = withBackend(
      { ...Backends.cpu, name: "tpu-like" },
      () => lax.platformDependent(f64([1]), f64([3]), branches)
    )
    assert.deepStrictEqual(toJsSync(other), [4])
  })

  it("falls back to default, and fails with ControlFlowError when there is neither", () => {
    const { cpu: _cpu, ...noCpu } = branches
    assert.deepStrictEqual(toJsSync(lax.platformDependent(f64([1]), f64([2]), noCpu)), [3])
    const e = thrown(() => lax.platformDependent(f64([1]), { gpu: (x: Tensor) => x }))
    assert.instanceOf(e, ControlFlowError)
    assert.include(e.message, "no branch for platform cpu and no default branch (branches given: gpu)")
    assert.instanceOf(thrown(() => lax.platformDependent(f64([1]), { cpu: 3 } as never)), ArgumentError)
    assert.instanceOf(thrown(() => lax.platformDependent(f64([1]) as never)), ArgumentError)
  })

  it("chooses at trace time under jit, vmap and grad", () => {
    const f = (x: Tensor) =>
      np.sum(lax.platformDependent(x, { cpu: (v: Tensor) => np.sin(v), default: (v: Tensor) => v }))
    const x = f64([0.5, 1.5])
    assert.closeTo(toJsSync(runSync(jit(f)(x))) as number, Math.sin(0.5) + Math.sin(1.5), 1e-15)
    const g = toJsSync(runSync(grad(f)(x))) as Array<number>
    assert.closeTo(g[0]!, Math.cos(0.5), 1e-15)
    assert.closeTo(g[1]!, Math.cos(1.5), 1e-15)
    const v = toJsSync(runSync(vmap(f)(np.reshape(x, [2, 1])))) as Array<number>
    assert.closeTo(v[0]!, Math.sin(0.5), 1e-15)
    assert.closeTo(v[1]!, Math.sin(1.5), 1e-15)
  })
})

describe("lax.composite", () => {
  it("computes its decomposition (JAX's tangent example) and keeps name and version", () => {
    const tangent = lax.composite((x: Tensor) => np.divide(lax.sin(x), lax.cos(x)), "my.tangent", { version: 2 })
    const xs = [0, Math.PI / 4, (3 * Math.PI) / 4, Math.PI]
    const got = toJsSync(tangent(f64(xs))) as Array<number>
    xs.forEach((v, i) => assert.closeTo(got[i]!, Math.tan(v), 1e-15))
    assert.strictEqual(tangent.compositeName, "my.tangent")
    assert.strictEqual(tangent.compositeVersion, 2)
    assert.strictEqual(lax.composite((x: Tensor) => x, "id").compositeVersion, 0)
  })

  it("differentiates and batches as its decomposition (d tan = 1 / cos^2)", () => {
    const tangent = lax.composite((x: Tensor) => np.divide(lax.sin(x), lax.cos(x)), "my.tangent")
    const g = toJsSync(runSync(grad((x: Tensor) => np.sum(tangent(x)))(f64([0.3, 1.1])))) as Array<number>
    assert.closeTo(g[0]!, 1 / Math.cos(0.3) ** 2, 1e-14)
    assert.closeTo(g[1]!, 1 / Math.cos(1.1) ** 2, 1e-13)
    // attributes are ordinary arguments: a softmax along a given axis, under vmap
    const softmax = lax.composite(
      (x: Tensor, axis: number) => np.divide(np.exp(x), np.sum(np.exp(x), { axis, keepdims: true })),
      "my.softmax"
    )
    const out = toJsSync(
      runSync(vmap((r: Tensor) => softmax(r, 0))(np.array([[0, Math.log(3)], [0, 0]], { dtype: "float64" })))
    ) as Array<
      Array<number>
    >
    assert.closeTo(out[0]![0]!, 0.25, 1e-15)
    assert.closeTo(out[0]![1]!, 0.75, 1e-15)
    assert.closeTo(out[1]![0]!, 0.5, 1e-15)
  })

  it("rejects a decomposition that is not a function, a name that is not a string, a negative version", () => {
    assert.instanceOf(thrown(() => lax.composite(3 as never, "x")), ArgumentError)
    assert.instanceOf(thrown(() => lax.composite((x: Tensor) => x, 3 as never)), ArgumentError)
    assert.instanceOf(thrown(() => lax.composite((x: Tensor) => x, "x", { version: -1 })), ArgumentError)
    assert.instanceOf(thrown(() => lax.composite((x: Tensor) => x, "x", { version: 1.5 })), ArgumentError)
  })
})
