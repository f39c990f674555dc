/**
 * Hostile inputs (issue 15's "no defect from any input", issue 12's defects):
 * each is a value or a tagged error with a clear message, named here with the
 * error it must give. Messages are swept for doubled prefixes in messages.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Checkpoint,
  checkpointPolicies,
  customJvp,
  customVjp,
  evalProgram,
  grad,
  jit,
  lax,
  linearize,
  makeProgram,
  Memory,
  nn,
  np,
  optim,
  printProgram,
  psum,
  runSync,
  special,
  stopGradient,
  Tensor,
  TensorSchema,
  toJsSync,
  Tree,
  vjp,
  vmap
} from "diffect"
import { Schema } from "effect"
import { caught } from "./hostile.js"

const tag = (f: () => unknown): string => caught(f)._tag
const message = (f: () => unknown): string => caught(f).message

describe("shapes", () => {
  for (const make of [np.zeros, np.ones, np.empty, (s: never) => np.full(s, 1)] as const) {
    it(`${make.name || "full"} refuses negative, fractional, NaN, infinite and non-array shapes`, () => {
      for (const bad of [[-1], [1.5], [NaN], [Infinity], -2, [2, -3]]) {
        assert.strictEqual(tag(() => make(bad as never)), "ShapeError", JSON.stringify(bad))
      }
      for (const bad of ["3", ["3"], null, { length: 2 }, [[2]], 10n]) {
        assert.strictEqual(tag(() => make(bad as never)), "ArgumentError", String(bad))
      }
    })
  }

  it("sizes over the limit fail before allocating", () => {
    assert.match(message(() => np.zeros([2 ** 31])), /more than the 2147483647 an array may hold/)
    assert.strictEqual(tag(() => np.zeros([1e6, 1e6])), "ShapeError")
    assert.strictEqual(tag(() => np.ones([65536, 65536], { dtype: "bool" })), "ShapeError")
    assert.strictEqual(tag(() => np.arange(0, 1e12)), "ShapeError")
    assert.strictEqual(tag(() => np.tile(np.ones([2]), [1e6, 1e6])), "ShapeError")
    assert.strictEqual(tag(() => np.repeat(np.ones([4]), 1e9)), "ShapeError")
    assert.strictEqual(tag(() => np.broadcastTo(1, [1e5, 1e5])), "ShapeError")
  })

  it("lax.convDimensionNumbers and np.fromfunction read a number as a 1-d shape, as every shape argument (fuzz seed 2067)", () => {
    assert.deepStrictEqual(toJsSync(np.fromfunction((i) => np.multiply(i, 2), 3 as never)), [0, 2, 4])
    // the raw arguments were used after checkShape: `lhsShape.map is not a function`
    assert.deepStrictEqual(lax.convDimensionNumbers(0 as never, 0 as never, undefined as never), {
      lhsSpec: [0],
      rhsSpec: [0],
      outSpec: [0]
    })
    assert.strictEqual(tag(() => lax.convDimensionNumbers(3 as never, [1, 2], ["NC", "OI", "NC"])), "ShapeError")
    assert.include(
      message(() => lax.convDimensionNumbers(2 as never, 2 as never, ["NC", "OI", "NC"])),
      "must have len equal to the ndim of lhs and rhs, got 2 for lhs and rhs shapes [2] and [2]"
    )
  })

  it("np.eye and np.arange check their sizes", () => {
    assert.strictEqual(tag(() => np.eye(-1)), "ShapeError")
    assert.strictEqual(tag(() => np.eye(2.5)), "ArgumentError")
    assert.strictEqual(tag(() => np.arange(NaN)), "ArgumentError")
    assert.strictEqual(tag(() => np.arange(0, Infinity)), "ArgumentError")
    assert.strictEqual(tag(() => np.arange(0, 1, { step: 0 })), "ShapeError")
    assert.deepStrictEqual(toJsSync(np.arange(0, 1, { step: 0.25 })), [0, 0.25, 0.5, 0.75])
    assert.deepStrictEqual(toJsSync(np.eye(2, { m: 3, k: 1 })), [[0, 1, 0], [0, 0, 1]])
  })
})

describe("options and axes", () => {
  it("a number where an options object goes is an ArgumentError, not ignored", () => {
    assert.strictEqual(
      message(() => np.sum(np.ones([2, 3]), 5 as never)),
      "sum: options must be an options object ({ axis, keepdims, where, initial, dtype }), got the number 5"
    )
    assert.strictEqual(tag(() => np.mean(np.ones([2]), "0" as never)), "ArgumentError")
    assert.strictEqual(tag(() => np.flip(np.ones([2]), 0 as never)), "ArgumentError")
  })

  it("unknown option keys are refused", () => {
    assert.strictEqual(
      message(() => np.sum(np.ones([2, 3]), { axes: 0 } as never)),
      "sum: options must be an object with keys among axis, keepdims, where, initial, dtype, got the unknown key \"axes\""
    )
  })

  it("axes that are not integers are ArgumentErrors", () => {
    assert.strictEqual(
      message(() => np.sum(np.ones([2, 3]), { axis: 0.5 })),
      "sum: axis must be an integer or an array of integers, got the number 0.5"
    )
    assert.strictEqual(tag(() => np.sum(np.ones([2, 3]), { axis: "1" as never })), "ArgumentError")
    assert.strictEqual(tag(() => np.sum(np.ones([2, 3]), { axis: [0, "1"] as never })), "ArgumentError")
    assert.strictEqual(tag(() => np.swapaxes(np.ones([2, 3]), "0" as never, 1)), "ArgumentError")
    assert.strictEqual(tag(() => np.expandDims(np.ones([2]), 0.5)), "ArgumentError")
    assert.strictEqual(tag(() => np.take(np.ones([2]), [0], { axis: NaN })), "ArgumentError")
    assert.strictEqual(tag(() => np.sum(np.ones([2, 3]), { axis: 2 })), "AxisError")
  })

  it("the moved optional parameters work as options", () => {
    const x = np.array([[1, 2], [3, 4]])
    assert.deepStrictEqual(toJsSync(np.flip(x, { axis: 1 })), [[2, 1], [4, 3]])
    assert.deepStrictEqual(toJsSync(np.transpose(x, { axes: [1, 0] })), [[1, 3], [2, 4]])
    assert.deepStrictEqual(toJsSync(np.squeeze(np.ones([1, 2, 1]), { axis: 0 })), [[1], [1]])
    assert.deepStrictEqual(np.split(np.ones([2, 4]), [1], { axis: 1 }).map((t) => t.shape), [[2, 1], [2, 3]])
    assert.deepStrictEqual(toJsSync(np.concatenate([x, x], { axis: 1 })), [[1, 2, 1, 2], [3, 4, 3, 4]])
    assert.deepStrictEqual(toJsSync(np.stack([np.array([1, 2]), np.array([3, 4])], { axis: 1 })), [[1, 3], [2, 4]])
    assert.deepStrictEqual(toJsSync(np.clip(np.array([-2, 0.5, 3]), { min: 0, max: 1 })), [0, 0.5, 1])
    assert.deepStrictEqual(toJsSync(np.round(np.array([1.25, 2.5]), { decimals: 1 })), [1.2000000476837158, 2.5])
    assert.deepStrictEqual(toJsSync(np.tensordot(np.ones([2, 3]), np.ones([3, 4]), { axes: 1 })), [[3, 3, 3, 3], [
      3,
      3,
      3,
      3
    ]])
    assert.deepStrictEqual(toJsSync(np.linspace(0, 1, { num: 3 })), [0, 0.5, 1])
  })
})

describe("dtypes", () => {
  it("dtype names diffect lacks, and values that are not names", () => {
    assert.match(
      message(() => np.zeros([2], { dtype: "float16" as never })),
      /dtype float16 is not supported by diffect/
    )
    assert.strictEqual(tag(() => np.zeros([2], { dtype: "evil" as never })), "InvalidArrayError")
    assert.strictEqual(tag(() => np.zeros([2], { dtype: 10n as never })), "ArgumentError")
    assert.strictEqual(tag(() => np.astype(np.ones([2]), 10n as never)), "ArgumentError")
    assert.strictEqual(tag(() => lax.convertElementType(np.ones([2]), "float16" as never)), "InvalidArrayError")
  })

  it("float -> int32 saturates everywhere (XLA's convert), NaN -> 0", () => {
    const values = [1e10, -1e10, 2.7, -2.7, NaN]
    const expected = [2147483647, -2147483648, 2, -2, 0]
    assert.deepStrictEqual(toJsSync(np.array(values, { dtype: "int32" })), expected)
    assert.deepStrictEqual(toJsSync(np.astype(np.array(values, { dtype: "float64" }), "int32")), expected)
    assert.deepStrictEqual(toJsSync(np.array(new Float64Array(values), { dtype: "int32" })), expected)
    assert.deepStrictEqual(toJsSync(np.full([1], 1e10, { dtype: "int32" })), [2147483647])
    const decoded = Schema.decodeUnknownSync(TensorSchema.fromJs({ dtype: "int32" }))(values)
    assert.deepStrictEqual(toJsSync(decoded), expected)
  })

  it("np.array of no entries is float32, as in JAX", () => {
    assert.strictEqual(np.array([]).dtype, "float32")
    assert.deepStrictEqual(np.array([[]]).shape, [1, 0])
    assert.strictEqual(np.array([[]]).dtype, "float32")
    assert.strictEqual(np.array([true]).dtype, "bool")
  })

  it("typed arrays: Uint8ClampedArray is int32, Uint32Array is uint32, BigInt64Array is refused", () => {
    const t = np.array(new Uint8ClampedArray([0, 255]))
    assert.strictEqual(t.dtype, "int32")
    assert.deepStrictEqual(toJsSync(t), [0, 255])
    const u = np.array(new Uint32Array([4294967295, 7]))
    assert.strictEqual(u.dtype, "uint32")
    assert.deepStrictEqual(toJsSync(u), [4294967295, 7])
    assert.match(message(() => np.array(new BigInt64Array([1n]) as never)), /BigInt64Array: diffect has no dtype/)
    assert.strictEqual(tag(() => np.array(new BigInt64Array([1n]) as never)), "InvalidArrayError")
  })
})

describe("values that are not tensors", () => {
  it("forged tensors are refused by np and lax", () => {
    const forged = Object.create(Tensor.prototype) as Tensor
    assert.strictEqual(tag(() => np.add(forged, 1)), "ArgumentError")
    assert.strictEqual(tag(() => lax.neg(forged)), "ArgumentError")
    assert.strictEqual(tag(() => np.array([forged])), "ArgumentError")
    // printing one (a template literal, an error message) says what it is instead of throwing
    assert.strictEqual(`${forged}`, "Tensor(not a genuine tensor)")
  })

  it("forged tensors are a SchemaError from tensor schemas, not the Schema adapter's plain Error (fuzz seed 263)", () => {
    const forged = Object.create(Tensor.prototype) as Tensor
    for (
      const s of [TensorSchema.fromJs({}), TensorSchema.fromJs({ shape: [2] }), Tensor.schema({ dtype: "float32" })]
    ) {
      const decode = () => Schema.decodeUnknownSync(s as Schema.Codec<Tensor, unknown>)(forged)
      assert.strictEqual(tag(decode), "SchemaError")
      assert.match(message(decode), /got Tensor\(not a genuine tensor\)/)
    }
  })

  it("circular and very deep nested arrays are typed errors, quickly", () => {
    const circular: Array<unknown> = []
    circular.push(circular)
    const started = Date.now()
    assert.strictEqual(tag(() => np.array(circular as never)), "InvalidArrayError")
    assert.strictEqual(
      tag(() => Schema.decodeUnknownSync(TensorSchema.fromJs())(circular)),
      "SchemaError"
    )
    let deep: unknown = [1]
    for (let i = 0; i < 100_000; i++) deep = [deep]
    assert.strictEqual(tag(() => np.array(deep as never)), "InvalidArrayError")
    assert.isBelow(Date.now() - started, 2000)
  })

  it("integerPow exponents outside int32 are DTypeErrors, not wrapped", () => {
    assert.strictEqual(tag(() => lax.integerPow(np.array(2), 2 ** 32)), "DTypeError")
    // np.power with a huge integer exponent takes the float path: 2 ** 2**32 overflows.
    assert.deepStrictEqual(toJsSync(np.power(np.array(2), 2 ** 32)), Infinity)
  })
})

describe("lax takes JS numbers and broadcasts rank-0 operands", () => {
  it("a JS number takes the other operand's dtype", () => {
    assert.deepStrictEqual(toJsSync(lax.add(np.array([1, 2]), 2)), [3, 4])
    assert.deepStrictEqual(toJsSync(lax.mul(3, np.array([1, 2], { dtype: "int32" }))), [3, 6])
    assert.strictEqual(lax.add(np.array([1, 2], { dtype: "float64" }), 2).dtype, "float64")
    assert.strictEqual(tag(() => lax.add(np.array([1, 2], { dtype: "int32" }), 2.5)), "DTypeError")
    assert.strictEqual(tag(() => lax.add(np.array([true]), 1)), "DTypeError")
  })

  it("rank-0 operands and size-1 dimensions broadcast; other ranks do not", () => {
    assert.deepStrictEqual(toJsSync(lax.sub(np.array([[1, 2], [3, 4]]), np.array(1))), [[0, 1], [2, 3]])
    assert.deepStrictEqual(toJsSync(lax.add(np.array([[1], [2]]), np.array([[10, 20]]))), [[11, 21], [12, 22]])
    assert.strictEqual(tag(() => lax.add(np.ones([2, 2]), np.ones([2]))), "ShapeError")
  })

  it("a value that is neither is an ArgumentError", () => {
    assert.strictEqual(
      message(() => lax.sin("1" as never)),
      "sin: x must be a Tensor or a JS number, got the string \"1\""
    )
    assert.strictEqual(tag(() => lax.stopGradient((() => 1) as never)), "ArgumentError")
  })
})

describe("pytrees", () => {
  it("a circular tree is a TreeStructureError naming where it repeats", () => {
    const tree: Record<string, unknown> = { a: [1, 2] }
    ;(tree["a"] as Array<unknown>).push(tree)
    assert.strictEqual(
      message(() => Tree.flatten(tree)),
      "flatten: the tree is circular: the node at the root contains itself (at [\"a\"][2])"
    )
    assert.strictEqual(tag(() => Tree.numLeaves(tree)), "TreeStructureError")
    assert.strictEqual(tag(() => Tree.map(tree, (x: number) => x)), "TreeStructureError")
  })

  it("a tree deeper than 1000 levels is a TreeStructureError, not a stack overflow", () => {
    let deep: unknown = 1
    for (let i = 0; i < 5000; i++) deep = { x: deep }
    assert.match(message(() => Tree.leaves(deep)), /nested deeper than 1000 levels \(at \["x"\]\["x"\]/)
    let ok: unknown = 1
    for (let i = 0; i < 900; i++) ok = [ok]
    assert.deepStrictEqual(Tree.leaves(ok), [1])
  })

  it("Symbol-keyed properties are not part of a record (documented)", () => {
    const key = Symbol("meta")
    const tree = { a: 1, [key]: 2 }
    assert.deepStrictEqual(Tree.leaves(tree), [1])
    assert.deepStrictEqual(Object.getOwnPropertySymbols(Tree.map(tree, (x: number) => x + 1)), [])
  })

  it("options of the wrong kind are ArgumentErrors", () => {
    assert.strictEqual(tag(() => Tree.flatten([1], (() => true) as never)), "ArgumentError")
    assert.strictEqual(tag(() => Tree.leaves([1], { isLeaf: 3 as never })), "ArgumentError")
  })
})

describe("derivatives of integer powers at 0 (JAX's integer_pow and _pow_jvp_lhs)", () => {
  const at0 = (f: (x: Tensor) => Tensor): unknown => toJsSync(runSync(grad(f)(np.array(0))))
  it("a JS integer exponent n: n * 0 ** (n - 1), with 0 ** 0 = 1", () => {
    assert.deepStrictEqual([0, 1, 2, 3].map((n) => at0((x) => np.power(x, n))), [0, 1, 0, 0])
    assert.deepStrictEqual([0, 1, 2, 3].map((n) => at0((x) => x.pow(n))), [0, 1, 0, 0])
  })
  it("an int32 tensor exponent stays integral: 0 where n = 0, never NaN", () => {
    const int = (n: number) => np.array(n, { dtype: "int32" })
    assert.deepStrictEqual([0, 1, 2, 3].map((n) => at0((x) => np.power(x, int(n)))), [0, 1, 0, 0])
    assert.deepStrictEqual(toJsSync(np.power(np.array([0, 2]), int(0))), [1, 1])
    // a float exponent 0 keeps JAX's float rule: 0 * 0 ** -1 is NaN there
    assert.isNaN(at0((x) => np.power(x, np.array(0))) as number)
  })
})

describe("stopGradient and collectives refuse values that are not arrays", () => {
  it("stopGradient of a function is an ArgumentError naming the leaf (JAX raises)", () => {
    assert.strictEqual(
      message(() => stopGradient({ f: () => 1 })),
      "stopGradient: the leaf at [\"f\"] must be a Tensor, a number or a boolean, got a function"
    )
    assert.deepStrictEqual(stopGradient({ a: 1, b: true }), { a: 1, b: true })
  })
  it("axis names that are not strings are ArgumentErrors", () => {
    assert.strictEqual(
      tag(() => runSync(vmap((x: Tensor) => psum(x, 3 as never), { axisName: "i" })(np.ones([2])))),
      "ArgumentError"
    )
    assert.strictEqual(
      tag(() => runSync(vmap((x: Tensor) => psum(x, [3] as never), { axisName: "i" })(np.ones([2])))),
      "ArgumentError"
    )
  })
})

describe("vjp and linearize take the primals as one array and options after them", () => {
  it("vjp with hasAux; a non-array primals is an ArgumentError", () => {
    const [y, pullback, aux] = runSync(
      vjp((x: Tensor) => [np.sin(x), { sq: np.square(x) }] as const, [np.array(0)], { hasAux: true })
    )
    assert.deepStrictEqual(toJsSync(y), 0)
    assert.deepStrictEqual(toJsSync(aux.sq), 0)
    assert.deepStrictEqual(toJsSync(runSync(pullback(np.array(2)))), [2])
    assert.strictEqual(tag(() => runSync(vjp(np.sin, np.array(0) as never))), "ArgumentError")
    assert.strictEqual(tag(() => runSync(vjp(np.sin, [np.array(0)], { hasAux: 1 } as never))), "ArgumentError")
  })
  it("linearize with hasAux", () => {
    const [y, df, aux] = runSync(
      linearize((x: Tensor) => [np.multiply(x, 3), x] as const, [np.array(2)], { hasAux: true })
    )
    assert.deepStrictEqual(toJsSync(y), 6)
    assert.deepStrictEqual(toJsSync(aux), 2)
    assert.deepStrictEqual(toJsSync(runSync(df(np.array(1)))), 3)
  })
})

describe("Tree, TensorSchema and the transformations' options (found by the fuzz test)", () => {
  it("Tree.reduce, Tree.mapN and Tree.register check their functions and classes", () => {
    assert.strictEqual(
      message(() => Tree.reduce([1, 2], 3 as never)),
      "Tree.reduce: f must be a function, got the number 3"
    )
    assert.strictEqual(tag(() => Tree.mapN(new Int16Array(2) as never, (x: number) => x)), "ArgumentError")
    assert.strictEqual(tag(() => Tree.mapN([[1]], 3 as never)), "ArgumentError")
    assert.strictEqual(
      message(() => (Tree.register as (...xs: Array<unknown>) => void)()),
      "Tree.register: constructor must be a function, got undefined"
    )
    class Plain {}
    assert.match(message(() => Tree.register(Plain as never)), /Schema\.Class/)
    assert.strictEqual(tag(() => Tree.register(Plain, () => [], 3 as never)), "ArgumentError")
    assert.isFalse(Tree.isRegistered(Plain))
  })
  it("TensorSchema.specOf of a non-schema, fromJs and formatSpec of a non-spec", () => {
    assert.strictEqual(
      message(() => TensorSchema.specOf(3 as never)),
      "TensorSchema.specOf: schema must be an effect/Schema schema, got the number 3"
    )
    assert.isUndefined(TensorSchema.specOf(Schema.String))
    assert.strictEqual(
      message(() => TensorSchema.fromJs(new Float32Array(2) as never)),
      "TensorSchema.fromJs: options must be an options object ({ dtype, shape }), got a Float32Array"
    )
    assert.strictEqual(tag(() => TensorSchema.formatSpec(undefined as never)), "ArgumentError")
  })
  it("options = null or of the wrong kind are ArgumentErrors naming the transformation", () => {
    const f = (x: Tensor) => np.sum(np.sin(x))
    const x = np.array([1, 2])
    assert.strictEqual(
      message(() => runSync(grad(f, null as never)(x))),
      "grad: options must be an options object ({ argnums, hasAux, holomorphic, allowInt, reduceAxes }), got null"
    )
    assert.strictEqual(tag(() => runSync(grad(f, 3 as never)(x))), "ArgumentError")
    assert.strictEqual(tag(() => runSync(grad(f, { hasAux: "yes" } as never)(x))), "ArgumentError")
    assert.strictEqual(tag(() => runSync(grad(f, { argnum: 0 } as never)(x))), "ArgumentError")
  })
})

describe("entry points outside np and lax (found by calling every export with values of the wrong kind)", () => {
  it("custom rules, programs, memory regions, checkpoint keys and remat policies", () => {
    assert.strictEqual(message(() => customJvp(3 as never)), "customJvp: Expected a callable value, got 3")
    assert.strictEqual(tag(() => customVjp({} as never)), "NotCallableError")
    const program = runSync(makeProgram((x: Tensor) => np.sin(x))(np.array([1, 2])))
    assert.strictEqual(tag(() => evalProgram({} as never, [], [])), "ArgumentError")
    assert.match(
      message(() => evalProgram(program, program.consts, [])),
      /evalProgram: inputs must be an array of 1 tensors \(one per input variable\), got an array of length 0/
    )
    assert.match(message(() => evalProgram(program, program.consts, ["a" as never])), /inputs\[0\].*the string "a"/)
    assert.strictEqual(tag(() => printProgram(null as never)), "ArgumentError")
    assert.strictEqual(tag(() => Memory.tidy({} as never)), "ArgumentError")
    assert.strictEqual(tag(() => Checkpoint.keyOf("a.b" as never)), "ArgumentError")
    assert.strictEqual(tag(() => checkpointPolicies.saveOnlyTheseNames(Symbol("s") as never)), "ArgumentError")
    assert.strictEqual(tag(() => checkpointPolicies.saveAnyNamesButThese("a", 3 as never)), "ArgumentError")
    assert.strictEqual(tag(() => optim.trace(null as never)), "OptimizerArgumentError")
    assert.strictEqual(tag(() => nn.oneHot(np.array([1]), Symbol("n") as never)), "ArgumentError")
  })
  it("jit's options: a cache of no signatures, argnums without a printable value", () => {
    const id = (x: Tensor) => x
    assert.strictEqual(
      message(() => jit(id, { cacheSize: 0 })),
      "jit: cacheSize must be a positive integer, got the number 0"
    )
    assert.match(
      message(() => runSync(jit(id, { staticArgnums: Object.create(null) as never })(np.array(1)))),
      /staticArgnums must be an integer or an array of integers, got an object/
    )
    assert.match(
      message(() => runSync(jit(id, { donateArgnums: [Symbol("s") as never] })(np.array(1)))),
      /donateArgnums must be integers, got a symbol/
    )
  })
})

describe("the fuzz's findings of session 15 (seeds 1-50)", () => {
  it("a forged Tensor in a tree mismatch, a missing schema spec, a string axis", () => {
    const forged = Object.create(Tensor.prototype) as Tensor
    assert.strictEqual(tag(() => Tree.broadcast([0], forged as never)), "TreeStructureError")
    assert.include(message(() => Tree.broadcast([0], forged as never)), "a leaf (Tensor(not a genuine tensor))")
    assert.strictEqual(tag(() => TensorSchema.matches(undefined as never, np.ones([2]))), "ArgumentError")
    assert.strictEqual(tag(() => np.gradient(np.ones([3]), [], { axis: "1" as never })), "ArgumentError")
    assert.strictEqual(tag(() => np.gradient(np.ones([3]), [], { step: 1 } as never)), "ArgumentError")
  })

  it("results past the host's largest array, a split into 2^31 parts, a list inside itself", () => {
    // pad widths of 2^31 - 1: 8 GB of int32
    assert.match(message(() => np.pad(np.ones([2], { dtype: "int32" }), 2 ** 31 - 1)), /largest host array/)
    // one value of 2e9: the counts would take 8 GB (the fuzz's took a minute to allocate and fill)
    assert.strictEqual(tag(() => np.bincount(np.array([2e9], { dtype: "int32" }))), "BackendError")
    assert.strictEqual(tag(() => np.split(np.zeros([0]), 2 ** 31)), "ArgumentError")
    const cyclic: Array<unknown> = [1]
    cyclic.push(cyclic)
    assert.include(message(() => np.block(cyclic as never)), "contains itself")
    // 100,000 levels of lists overflowed the stack (a RangeError)
    let deep: unknown = np.ones([1])
    for (let i = 0; i < 100_000; i++) deep = [deep]
    assert.include(message(() => np.block(deep as never)), "deeper than 64 levels")
  })

  it("Legendre tables past degree 1024 (degree 23,055 exhausted the heap); rng_uniform's dtype message", () => {
    const z = np.array([0.5])
    assert.match(message(() => special.sphHarmY(np.array([23055]), np.array([1]), z, z)), /nMax .*at most 1024/)
    assert.strictEqual(tag(() => special.lpmn(2000, 2000, z)), "ArgumentError")
    assert.strictEqual(tag(() => special.lpmnValues(1025, 1025, z, true)), "ArgumentError")
    assert.deepStrictEqual(special.lpmnValues(2, 2, z, true).shape, [3, 3, 1])
    assert.strictEqual(
      message(() => lax.rngUniform(np.array(true), np.array(true), [2])),
      "rng_uniform: takes float32, float64, int32 or uint32, got bool"
    )
  })
})
