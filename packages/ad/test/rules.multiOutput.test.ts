/**
 * Multi-output primitives through every transformation, on `split` (JAX's
 * `lax.split`, one output per piece): abstract evaluation and kernels give one
 * value per output, the JVP, transpose and batching rules take and return
 * arrays of them, and a staged Program has one equation with several outputs.
 * Values are derived by hand.
 */
import { aval, lax, ShapeError, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jvpFlat, linearizeFlat, makeProgramFlat, vjpFlat, vmapFlat } from "../src/index.js"
import { backend, js, run, tensor } from "./gradHelpers.js"

// Every test runs eagerly on the typed-array backend.
const cpu = (body: () => void) => () => withBackend(backend, body)

const sum = (x: Tensor): Tensor => lax.reduceSum(x, x.shape.map((_, i) => i))
const x5 = () => tensor([1, 2, 3, 4, 5], "float64")

describe("split: a primitive with several outputs", () => {
  it(
    "evaluates to one tensor per size, empty pieces included",
    cpu(() => {
      const [a, b, c] = lax.split(tensor([[1, 2, 3], [4, 5, 6]]), [2, 0, 1], 1)
      assert.deepStrictEqual(js(a!), [[1, 2], [4, 5]])
      assert.deepStrictEqual(b!.shape, [2, 0])
      assert.deepStrictEqual(js(c!), [[3], [6]])
      // A negative axis counts from the end.
      const [d, e] = lax.split(tensor([[1, 2], [3, 4]]), [1, 1], -2)
      assert.deepStrictEqual(js(d!), [[1, 2]])
      assert.deepStrictEqual(js(e!), [[3, 4]])
    })
  )

  it(
    "checks its sizes and axis with JAX's messages",
    cpu(() => {
      const bad = (f: () => unknown, message: string) => {
        try {
          f()
        } catch (e) {
          assert.instanceOf(e, ShapeError)
          assert.include((e as ShapeError).message, message)
          return
        }
        assert.fail("no error")
      }
      bad(
        () => lax.split(x5(), [2, 2], 0),
        "Sum of sizes passed to split must be equal to the dimension of the operand along axis=0; got sum=4 and shape=(5,)"
      )
      bad(() => lax.split(x5(), [6, -1], 0), "Sizes passed to split must be nonnegative integers, got [6, -1]")
      bad(() => lax.split(x5(), [5], 1), "Attempting to split along axis 1 of a 1-dimensional array")
    })
  )

  it(
    "stages one equation with several outputs",
    cpu(() => {
      const p = makeProgramFlat((xs) => {
        const [a, b] = lax.split(xs[0]!, [2, 3], 0)
        return [lax.neg(b!), a!]
      }, [aval([5], "float32")])
      assert.strictEqual(
        p.toString(),
        [
          "{ lambda ; a:f32[5]. let",
          "    b:f32[2] c:f32[3] = split[sizes=(2, 3) axis=0] a",
          "    d:f32[3] = neg c",
          "  in (d, b) }"
        ].join("\n")
      )
      assert.strictEqual(p.equations[0]!.outputs.length, 2)
    })
  )

  it(
    "JVP: every output carries its tangent (the linear rule over arrays)",
    cpu(() => {
      const [ys, ts] = jvpFlat((xs) => lax.split(xs[0]!, [3, 2], 0), [x5()], [tensor([10, 20, 30, 40, 50], "float64")])
      assert.deepStrictEqual(ys.map(js), [[1, 2, 3], [4, 5]])
      assert.deepStrictEqual(ts.map(js), [[10, 20, 30], [40, 50]])
    })
  )

  it(
    "JVP of pieces used non-linearly: d/dx sum(a^2) + 3 sum(b) along t",
    cpu(() => {
      // f(x) = sum(x[:2]^2) + 3 sum(x[2:]); df = 2 x[:2] . t[:2] + 3 sum(t[2:]).
      const f = (xs: ReadonlyArray<Tensor>) => {
        const [a, b] = lax.split(xs[0]!, [2, 3], 0)
        return [lax.add(sum(lax.mul(a!, a!)), lax.mul(sum(b!), lax.scalar(3, "float64")))]
      }
      const [[y], [t]] = jvpFlat(f, [x5()], [tensor([1, 1, 1, 0, 2], "float64")])
      assert.strictEqual(js(y!), 1 + 4 + 3 * 12)
      assert.strictEqual(js(t!), 2 * 1 + 2 * 2 + 3 * 3)
    })
  )

  it(
    "transpose: a piece no cotangent reached is a zero of its shape",
    cpu(() => {
      // Only the middle piece is used: its cotangent flows back, the others are zeros.
      const [, pullback] = vjpFlat((xs) => [lax.split(xs[0]!, [1, 3, 1], 0)[1]!], [x5()])
      assert.deepStrictEqual(js(pullback([tensor([7, 8, 9], "float64")])[0]!), [0, 7, 8, 9, 0])
    })
  )

  it(
    "transpose: the linear program keeps the multi-output equation",
    cpu(() => {
      const [, jvpFn, program] = linearizeFlat((xs) => {
        const [a, b] = lax.split(xs[0]!, [2, 3], 0)
        return [lax.concatenate([b!, a!], 0)]
      }, [x5()])
      assert.include(program.toString(), "= split[sizes=(2, 3) axis=0]")
      assert.deepStrictEqual(js(jvpFn([tensor([1, 2, 3, 4, 5], "float64")])[0]!), [3, 4, 5, 1, 2])
      const [, pullback] = vjpFlat((xs) => {
        const [a, b] = lax.split(xs[0]!, [2, 3], 0)
        return [lax.concatenate([b!, a!], 0)]
      }, [x5()])
      assert.deepStrictEqual(js(pullback([tensor([1, 2, 3, 4, 5], "float64")])[0]!), [4, 5, 1, 2, 3])
    })
  )

  it(
    "grad and grad of grad through split",
    cpu(() => {
      // f(x) = sum(x[:2]^3) + sum(x[2:]): f' = [3 x0^2, 3 x1^2, 1, 1, 1]; (sum f')' = [6 x0, 6 x1, 0, 0, 0].
      const f = (x: Tensor) => {
        const [a, b] = lax.split(x, [2, 3], 0)
        return lax.add(sum(lax.integerPow(a!, 3)), sum(b!))
      }
      assert.deepStrictEqual(js(run(grad(f)(x5()))), [3, 12, 1, 1, 1])
      assert.deepStrictEqual(js(run(grad((x: Tensor) => sum(run(grad(f)(x))))(x5()))), [6, 12, 0, 0, 0])
    })
  )

  it(
    "vmap: every piece keeps the batch dimension",
    cpu(() => {
      // Rows batched along axis 1: each column [r, r + 10] split into [2] and [1] along the row axis.
      const xs = tensor([[1, 2], [11, 12], [21, 22]], "float64")
      const outs = vmapFlat((ys) => lax.split(ys[0]!, [2, 1], 0), [xs], [1], [0, 1])
      assert.deepStrictEqual(js(outs[0]!), [[1, 11], [2, 12]])
      // The second piece is [21] and [22] per example, stacked along output axis 1.
      assert.deepStrictEqual(js(outs[1]!), [[21, 22]])
    })
  )

  it(
    "vmap of grad: per-example gradients through split",
    cpu(() => {
      // f(x) = sum(x[1:]^2): the gradient is [0, 2 x1, 2 x2] per example.
      const f = (x: Tensor) => {
        const b = lax.split(x, [1, 2], 0)[1]!
        return sum(lax.mul(b, b))
      }
      const [g] = vmapFlat((ys) => [run(grad(f)(ys[0]!))], [tensor([[1, 2, 3], [4, 5, 6]], "float64")], [0], [0])
      assert.deepStrictEqual(js(g!), [[0, 4, 6], [0, 10, 12]])
    })
  )
})
