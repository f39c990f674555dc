/**
 * Fuzzing the public API with arbitrary JS values (issue 15): every call of
 * every np and lax function, with
 * arguments drawn by fast-check from all kinds of JS values (and from values
 * close to valid ones), ends as a value or as one of diffect's tagged errors:
 * never a plain exception (TypeError, RangeError), a hang or a crash. Each
 * message is also checked for a doubled prefix. Tree and TensorSchema are swept
 * the same way; the transformations get a valid function and tensor with
 * arbitrary options (their first runs found `grad(f, null)` and
 * `Tree.reduce(tree, 3)` throwing TypeErrors).
 */
import { assert, describe, it } from "@effect/vitest"
import * as diffect from "diffect"
import { Effect, Schema } from "effect"
import fc from "fast-check"
import { asTagged, doubledPrefix } from "./hostile.js"

const { lax, np, Tree, TensorSchema } = diffect

const forged = Object.create(diffect.Tensor.prototype) as unknown
const circular: Array<unknown> = [1]
circular.push(circular)
const circularRecord: Record<string, unknown> = { axis: 0 }
circularRecord.self = circularRecord
// lists 100,000 deep: a recursive walk over them overflows the stack (np.block's did)
let deepList: unknown = [1]
for (let i = 0; i < 100_000; i++) deepList = [deepList]

// Small tensors of every dtype.
const tensor = fc.oneof(
  fc.constantFrom<Array<number>>([], [0], [2], [1, 3], [2, 2], [2, 1, 3]).chain((shape) => {
    const size = shape.reduce((a, b) => a * b, 1)
    return fc.tuple(
      fc.array(fc.oneof(fc.double({ noDefaultInfinity: false }), fc.integer({ min: -3, max: 3 })), {
        minLength: size,
        maxLength: size
      }),
      fc.constantFrom("float32", "float64", "int32", "bool", "complex64")
    ).map(([values, dtype]) => {
      const flat = np.array(values, { dtype: dtype as diffect.DType.DType })
      return shape.length === 0 ? np.reshape(flat, []) : np.reshape(flat, shape)
    })
  })
)

// Values close to what the functions take: axes, shapes, dtypes, options, callbacks.
const nearValid = fc.oneof(
  fc.integer({ min: -4, max: 5 }),
  fc.constantFrom(0.5, -1, NaN, Infinity, -0, 2 ** 31, 2 ** 32, 1e10),
  fc.array(fc.integer({ min: -3, max: 4 }), { maxLength: 4 }),
  fc.array(fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(0.5, NaN, "1")), { maxLength: 3 }),
  fc.constantFrom("float32", "int32", "bool", "float16", "evil", "", "complex128", "float0"),
  fc.record(
    {
      axis: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant("1"), fc.constant(0.5)),
      keepdims: fc.oneof(fc.boolean(), fc.constant("yes")),
      dtype: fc.constantFrom("float32", "int32", "float16"),
      axes: fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 3 }),
      isLeaf: fc.constantFrom((x: unknown) => x === null, 3),
      hasAux: fc.oneof(fc.boolean(), fc.constant(1)),
      argnums: fc.oneof(fc.integer({ min: -1, max: 2 }), fc.constant("0")),
      inAxes: fc.oneof(fc.integer({ min: -1, max: 2 }), fc.constant(null), fc.constant("x")),
      num: fc.integer({ min: -2, max: 5 }),
      step: fc.oneof(fc.double(), fc.constant(0))
    },
    { requiredKeys: [] }
  ),
  fc.constantFrom<unknown>(
    forged,
    circular,
    circularRecord,
    deepList,
    (x: diffect.Tensor) => np.sum(np.sin(x)),
    (x: unknown) => x,
    () => "not a tensor",
    Symbol("s"),
    10n,
    { re: 1, im: 2 },
    new Uint32Array([1, 2]),
    new Uint8ClampedArray([1, 2]),
    new Float64Array([1.5, -2]),
    [[1, 2], [3]],
    [[]],
    []
  )
)

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: tensor },
  { weight: 3, arbitrary: nearValid },
  {
    weight: 2,
    arbitrary: fc.anything({ maxDepth: 2, withBigInt: true, withTypedArray: true, withNullPrototype: true })
  }
)

const args = fc.array(value, { minLength: 0, maxLength: 4 })

/**
 * Runs a call (and the Effect it returns); returns the problem (a plain exception, a
 * doubled message), or "tagged" when it ended as a tagged error, or undefined for a value.
 */
const problem = (call: () => unknown): string | undefined => {
  try {
    const out = call()
    if (Effect.isEffect(out)) diffect.runSync(out as Effect.Effect<unknown, unknown, diffect.Backend>)
    return undefined
  } catch (e) {
    const tagged = asTagged(e)
    if (tagged === undefined) {
      return `plain exception: ${
        e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split("\n").slice(1, 6).join("\n")}` : String(e)
      }`
    }
    if (doubledPrefix(tagged.message)) return `doubled prefix: ${tagged.message}`
    return "tagged"
  }
}

const functionsOf = (namespace: object): Array<readonly [string, (...xs: ReadonlyArray<unknown>) => unknown]> =>
  Object.entries(namespace).flatMap(([name, f]) =>
    typeof f === "function" && !/^[A-Z]/.test(name)
      ? [[name, f as (...xs: ReadonlyArray<unknown>) => unknown] as const]
      : []
  )

// Runs the property; returns how many calls gave a value and how many a tagged error.
const check = (
  label: string,
  fns: ReadonlyArray<readonly [string, (...xs: ReadonlyArray<unknown>) => unknown]>,
  runs: number,
  argsOf: fc.Arbitrary<Array<unknown>> = args
): { values: number; errors: number } => {
  const counts = { values: 0, errors: 0 }
  fc.assert(
    fc.property(fc.constantFrom(...fns), argsOf, ([name, f], xs) => {
      const found = problem(() => f(...xs))
      if (found === "tagged") counts.errors++
      else if (found === undefined) counts.values++
      else throw new Error(`${label}.${name}(${xs.map((x) => fc.stringify(x)).join(", ")}): ${found}`)
    }),
    { numRuns: runs, seed: 20261203, endOnFailure: true }
  )
  return counts
}

// Each transformation applied with arbitrary options to a function it can transform, then called.
const f1 = (x: diffect.Tensor) => np.sum(np.sin(x))
const vec = np.array([0.5, -1])
const transformations: ReadonlyArray<readonly [string, (options: unknown) => unknown]> = [
  ["grad", (o) => diffect.grad(f1, o as never)(vec)],
  ["valueAndGrad", (o) => diffect.valueAndGrad(f1, o as never)(vec)],
  ["jacfwd", (o) => diffect.jacfwd(np.sin, o as never)(vec)],
  ["jacrev", (o) => diffect.jacrev(np.sin, o as never)(vec)],
  ["jacobian", (o) => diffect.jacobian(np.sin, o as never)(vec)],
  ["hessian", (o) => diffect.hessian(f1, o as never)(vec)],
  ["jvp", (o) => diffect.jvp(f1, [vec], [vec], o as never)],
  ["vjp", (o) => diffect.vjp(f1, [vec], o as never)],
  ["linearize", (o) => diffect.linearize(f1, [vec], o as never)],
  ["vmap", (o) => diffect.vmap(np.sin, o as never)(vec)],
  ["jit", (o) => diffect.jit(f1, o as never)(vec)],
  // the value as a static argument (the cache key's walk: a cyclic one overflowed the stack)
  ["jit static argument", (o) => diffect.jit((x: diffect.Tensor, _s: unknown) => f1(x), { staticArgnums: 1 })(vec, o)],
  // the value as fwdAndBwd's options, as evalShape's argument, bound in a Tree.partial passed to jit,
  // and as raggedAllToAll's offsets
  ["fwdAndBwd", (o) => {
    const [fwd, bwd] = diffect.fwdAndBwd(f1, o as never)
    return Effect.flatMap(fwd(vec), ([y, residuals]) => bwd(residuals as never, y))
  }],
  ["evalShape", (o) => diffect.evalShape(f1, o as never)],
  [
    "a Tree.partial argument of jit",
    (o) =>
      diffect.jit((p: (x: diffect.Tensor) => diffect.Tensor, x: diffect.Tensor) => p(x))(
        Tree.partial((a: diffect.Tensor, x: diffect.Tensor) => np.add(a, x), o as never),
        vec
      )
  ],
  [
    "raggedAllToAll",
    (o) =>
      diffect.vmap(
        (x: diffect.Tensor) => diffect.raggedAllToAll(x, x, o as never, o as never, o as never, o as never, "i"),
        {
          axisName: "i"
        }
      )(np.ones([2, 3]))
  ]
]

describe("fuzzing every public function with arbitrary JS values", () => {
  it("np", () => {
    const { errors, values } = check("np", functionsOf(np), 4000)
    // Both outcomes are exercised: valid calls give values, hostile ones tagged errors.
    assert.isAbove(values, 100)
    assert.isAbove(errors, 1000)
  }, 60_000)
  it("Tree", () => {
    const { errors, values } = check("Tree", functionsOf(Tree), 2000)
    assert.isAbove(values, 100)
    assert.isAbove(errors, 300)
  }, 60_000)
  it("TensorSchema, and decoding arbitrary values with its schemas", () => {
    const decode = (spec: unknown, u: unknown) => Schema.decodeUnknownSync(TensorSchema.fromJs(spec as never))(u)
    const { errors, values } = check(
      "TensorSchema",
      [...functionsOf(TensorSchema), ["decode", decode as (...xs: ReadonlyArray<unknown>) => unknown]],
      1500
    )
    assert.isAbove(values, 20)
    assert.isAbove(errors, 300)
  }, 60_000)
  it("the transformations' options", () => {
    const options = fc.oneof(
      fc.constantFrom<unknown>(null, 0, "x", [], true, new Float32Array(1), undefined, {}),
      nearValid,
      fc.anything({ maxDepth: 1 })
    )
    const { errors, values } = check(
      "options",
      transformations.map(([n, t]) => [n, (o: unknown) => t(o)]),
      600,
      options.map((o) => [o])
    )
    assert.isAbove(values, 20)
    assert.isAbove(errors, 200)
  }, 60_000)
  it("lax", () => {
    const { errors, values } = check("lax", functionsOf(lax), 3000)
    assert.isAbove(values, 50)
    assert.isAbove(errors, 1000)
  }, 60_000)
  it("random (a key, or any value, first) and nn", () => {
    const withKey = fc.tuple(
      fc.oneof({
        weight: 3,
        arbitrary: fc.constantFrom(diffect.random.key(0), diffect.random.split(diffect.random.key(1), 2))
      }, {
        weight: 1,
        arbitrary: value
      }),
      fc.array(value, { maxLength: 3 })
    ).map(([first, rest]) => [first, ...rest])
    const random = check("random", functionsOf(diffect.random), 1500, withKey)
    assert.isAbove(random.values, 50)
    assert.isAbove(random.errors, 300)
    const nn = check("nn", functionsOf(diffect.nn), 1500)
    assert.isAbove(nn.values, 50)
    assert.isAbove(nn.errors, 300)
  }, 120_000)
  it("custom rules, programs, memory regions, checkpoints and remat policies", () => {
    const fns = [
      ["customJvp", diffect.customJvp],
      ["customVjp", diffect.customVjp],
      ["evalProgram", diffect.evalProgram],
      ["printProgram", diffect.printProgram],
      ["Memory.tidy", diffect.Memory.tidy],
      ["Checkpoint.keyOf", diffect.Checkpoint.keyOf],
      ...functionsOf(diffect.checkpointPolicies).map(([n, f]) => [`checkpointPolicies.${n}`, f] as const),
      ...functionsOf(diffect.optim).map(([n, f]) => [`optim.${n}`, f] as const)
    ] as ReadonlyArray<readonly [string, (...xs: ReadonlyArray<unknown>) => unknown]>
    const { errors, values } = check("api", fns, 1500)
    assert.isAbove(values, 20)
    assert.isAbove(errors, 300)
  }, 120_000)
  it("special, losses, SciPy's linalg, Checkpoint, Memory and DType", () => {
    const fns = [
      ...functionsOf(diffect.special).map(([n, f]) => [`special.${n}`, f] as const),
      ...functionsOf(diffect.losses).map(([n, f]) => [`losses.${n}`, f] as const),
      ...functionsOf(diffect.linalg).map(([n, f]) => [`linalg.${n}`, f] as const),
      // (save and load need the FileSystem service, which runSync does not provide)
      ...functionsOf(diffect.Checkpoint).filter(([n]) => n !== "save" && n !== "load").map(([n, f]) =>
        [`Checkpoint.${n}`, f] as const
      ),
      ...functionsOf(diffect.Memory).map(([n, f]) => [`Memory.${n}`, f] as const),
      // (toInt32 is the kernels' per-element conversion of a JS number: not checked per call)
      ...functionsOf(diffect.DType).filter(([n]) => n !== "toInt32").map(([n, f]) => [`DType.${n}`, f] as const)
    ]
    const { errors, values } = check("api", fns, 3000)
    assert.isAbove(values, 100)
    assert.isAbove(errors, 800)
  }, 120_000)
  it("stats (every distribution's functions), sparse.linalg and the implicit solves", () => {
    const stats = diffect.stats as unknown as Record<string, object>
    const fns = [
      ...functionsOf(stats).map(([n, f]) => [`stats.${n}`, f] as const),
      ...Object.entries(stats).flatMap(([family, ns]) =>
        typeof ns === "object" && ns !== null
          ? functionsOf(ns).map(([n, f]) => [`stats.${family}.${n}`, f] as const)
          : []
      ),
      ...functionsOf(diffect.sparse.linalg).map(([n, f]) => [`sparse.linalg.${n}`, f] as const),
      ...functionsOf(diffect.optimize).map(([n, f]) => [`optimize.${n}`, f] as const),
      ["customLinearSolve", diffect.customLinearSolve],
      ["customRoot", diffect.customRoot]
    ] as ReadonlyArray<readonly [string, (...xs: ReadonlyArray<unknown>) => unknown]>
    const { errors, values } = check("api", fns, 3000)
    assert.isAbove(values, 100)
    assert.isAbove(errors, 800)
  }, 120_000)
  it("fft (jax.scipy.fft), signal, ndimage, integrate and interpolate", () => {
    const interpolant = diffect.interpolate.RegularGridInterpolator([np.array([0, 1, 2])], np.array([1, 3, 2]))
    const fns = [
      ...functionsOf(diffect.fft).map(([n, f]) => [`fft.${n}`, f] as const),
      ...functionsOf(diffect.signal).map(([n, f]) => [`signal.${n}`, f] as const),
      ...functionsOf(diffect.ndimage).map(([n, f]) => [`ndimage.${n}`, f] as const),
      ...functionsOf(diffect.integrate).map(([n, f]) => [`integrate.${n}`, f] as const),
      ["interpolate.RegularGridInterpolator", diffect.interpolate.RegularGridInterpolator],
      ["a RegularGridInterpolator's interpolant", interpolant]
    ] as ReadonlyArray<readonly [string, (...xs: ReadonlyArray<unknown>) => unknown]>
    const { errors, values } = check("api", fns, 3000)
    assert.isAbove(values, 100)
    assert.isAbove(errors, 800)
  }, 120_000)
  it("np.linalg (SciPy's names too) and lax.linalg", () => {
    const fns = [
      ...functionsOf(np.linalg).map(([n, f]) => [`linalg.${n}`, f] as const),
      ...functionsOf(lax.linalg).map(([n, f]) => [`lax.linalg.${n}`, f] as const)
    ]
    const { errors, values } = check("np", fns, 2500)
    assert.isAbove(values, 50)
    assert.isAbove(errors, 800)
  }, 60_000)
})
