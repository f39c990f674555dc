/**
 * No error message repeats its prefix (`pad: pad: ...`, `take: take: indices
 * must ...`): swept over docs/errors.md's generator examples and a list of
 * mistakes that reach every validating path (the fuzz test sweeps the rest).
 */
import { assert, describe, it } from "@effect/vitest"
import { lax, np, Tree } from "diffect"
import { errorExamples } from "../../packages/bench/src/internal/errorExamples.js"
import { asTagged, doubledPrefix } from "./hostile.js"

const f32 = (shape: ReadonlyArray<number>) => np.zeros(shape)
const i32 = (values: ReadonlyArray<number>) => np.array(values, { dtype: "int32" })

// One mistake per check of np, lax and Tree (each must throw a tagged error).
const mistakes: ReadonlyArray<() => unknown> = [
  () => np.pad(f32([2]), [[1, 1], [1, 1]]),
  () => np.pad(f32([2]), [-1, 1]),
  () => np.take(f32([3]), [0.5]),
  () => np.take(f32([3]), np.array([0.5])),
  () => np.arange(0, 1, { step: 0 }),
  () => np.linspace(0, 1, { num: -1 }),
  () => np.tensordot(f32([2]), f32([2]), { axes: 3 }),
  () => np.repeat(f32([2]), -1),
  () => np.complex(np.array([{ re: 1, im: 1 }]), 1),
  () => np.reshape(f32([6]), [4, -1]),
  () => np.reshape(f32([6]), [-1, -1]),
  () => np.transpose(f32([2, 3]), { axes: [0, 0] }),
  () => np.concatenate([]),
  () => np.concatenate([np.array(1), np.array(2)]),
  () => np.stack([f32([2]), f32([3])]),
  () => np.split(f32([5]), 2),
  () => np.moveaxis(f32([2, 3]), [0, 1], [0]),
  () => np.matmul(f32([2, 3]), f32([4])),
  () => np.max(f32([0])),
  () => np.floorDivide(np.array([{ re: 1, im: 0 }]), 1),
  () => np.sum(f32([2]), { axis: [0, 0] }),
  () => np.sum(f32([2]), { axis: "0" as never }),
  () => np.sum(f32([2]), 3 as never),
  () => np.eye(-1),
  () => np.zeros([-1]),
  () => np.zeros([2 ** 31]),
  () => np.zeros([2], { dtype: "float16" as never }),
  () => np.array([[1], [2, 3]]),
  () => np.array(["a"] as never),
  () => lax.integerPow(i32([2]), -1),
  () => lax.integerPow(f32([2]), 0.5),
  () => lax.integerPow(f32([2]), 2 ** 32),
  () => lax.select(f32([2]), f32([2]), f32([2])),
  () => lax.add(f32([2]), i32([1, 2])),
  () => lax.add(f32([2]), f32([3])),
  () => lax.sin(i32([1])),
  () => lax.pad(f32([2]), f32([1]), [[0, 0, 0]]),
  () => lax.pad(f32([2]), np.array(0), [[0, 0, -1]]),
  () => lax.pad(f32([2]), np.array(0), [[-3, 0, 0]]),
  () => lax.concatenate([f32([2, 1]), f32([3, 2])], 0),
  () => lax.gather(f32([2]), f32([1]), 0),
  () => lax.scatterAdd(f32([2]), f32([1]), f32([1]), 0),
  () => lax.scatterAdd(f32([2]), i32([1]), f32([2]), 0),
  () => lax.broadcastInDim(f32([2]), [3], [0]),
  () => lax.reduceSum(f32([2]), [0, 0]),
  () => lax.reshape(f32([2]), [-2]),
  () => lax.convertElementType(f32([2]), "float16" as never),
  () => lax.stopGradient("x" as never),
  () => Tree.flatten([1], { isLeaf: 3 as never })
]

describe("error messages", () => {
  it("the errors-doc examples do not double their prefix", async () => {
    let checked = 0
    for (const example of errorExamples) {
      if (example.needsWebGpu === true) continue
      try {
        await example.trigger()
      } catch (e) {
        const message = (e as Error).message
        assert.isFalse(doubledPrefix(message), `${example.tag}: ${message}`)
        checked++
      }
    }
    assert.isAbove(checked, 25)
  })

  it("the validation errors do not double their prefix", () => {
    for (const mistake of mistakes) {
      let thrown: unknown
      try {
        mistake()
      } catch (e) {
        thrown = e
      }
      const tagged = asTagged(thrown)
      assert.isDefined(tagged, `${mistake.toString()} threw ${String(thrown)}`)
      assert.isFalse(doubledPrefix(tagged!.message), tagged!.message)
    }
  })

  it("the detector finds a doubled prefix", () => {
    assert.isTrue(doubledPrefix("pad: pad: widths must be non-negative"))
    assert.isTrue(doubledPrefix("take: take: indices must be integers"))
    assert.isTrue(doubledPrefix("add: add got incompatible shapes"))
    assert.isFalse(doubledPrefix("pad: widths must be non-negative"))
  })
})
