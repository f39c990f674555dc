/**
 * random.keyDtype and random.clone (JAX's key_dtype and clone): the dtype of
 * diffect's raw keys (the element dtype of random.key's result), JAX's
 * implementation names, and clone as the checked identity (JAX's docstring
 * example: a cloned key draws the same values).
 */
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, DTypeError, jit, np, random, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"

describe("random.keyDtype", () => {
  it("is the dtype of every key random makes; only threefry2x32 is an implementation", () => {
    assert.strictEqual(random.keyDtype(), "uint32")
    assert.strictEqual(random.keyDtype("threefry2x32"), "uint32")
    for (
      const k of [random.key(0), random.PRNGKey(3), random.split(random.key(1), 3), random.foldIn(random.key(2), 5)]
    ) {
      assert.strictEqual(k.dtype, random.keyDtype())
    }
    assert.throws(() => random.keyDtype("rbg"), ArgumentError)
    assert.throws(() => random.keyDtype("fry"), ArgumentError)
    assert.throws(() => random.keyDtype(3 as never), ArgumentError)
  })
})

describe("random.clone", () => {
  it("JAX's docstring example: data drawn from the clone equals data drawn from the key", () => {
    const key = random.key(0)
    const data = toJsSync(random.uniform(key, [3]))
    const cloned = random.clone(key)
    assert.deepStrictEqual(toJsSync(random.uniform(cloned, [3])), data)
    assert.deepStrictEqual(toJsSync(cloned), [0, 0])
  })

  it("keeps key arrays, under jit and vmap", () => {
    const keys = random.split(random.key(7), 4)
    assert.deepStrictEqual(toJsSync(random.clone(keys)), toJsSync(keys))
    assert.deepStrictEqual(toJsSync(runSync(jit((k: Tensor) => random.clone(k))(keys))), toJsSync(keys))
    const normals = runSync(vmap((k: Tensor) => random.normal(random.clone(k), [2]))(keys))
    assert.deepStrictEqual(toJsSync(normals), toJsSync(runSync(vmap((k: Tensor) => random.normal(k, [2]))(keys))))
  })

  it("rejects what is not a key", () => {
    assert.throws(() => random.clone(np.array([1, 2])), DTypeError)
    assert.throws(() => random.clone(np.array([1, 2, 3], { dtype: "uint32" })), DTypeError)
    assert.throws(() => random.clone("key" as never), ArgumentError)
  })
})
