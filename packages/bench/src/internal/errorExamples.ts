/**
 * One way to trigger each tagged error of diffect through its public API, for
 * docs/errors.md: the page's example messages are the messages these produce,
 * and a test keeps them in step.
 *
 * @since 0.1.0
 */
import {
  Checkpoint,
  customJvp,
  customVjp,
  debugNans,
  eager,
  grad,
  itemSync,
  jit,
  jvp,
  lax,
  linearTranspose,
  Memory,
  np,
  optim,
  psum,
  runSync,
  Tensor,
  toJs,
  toJsSync,
  Tree,
  TypedArrayBackend,
  valueAndGrad,
  vjp,
  vmap,
  WebGpuBackend
} from "diffect"
import type { DiffError, WebGpuUnavailableError } from "diffect"
import { Effect } from "effect"

/**
 * The errors docs/errors.md documents: every `DiffError` and the WebGPU
 * backend's own.
 *
 * @since 0.1.0
 */
export type DocumentedError = DiffError | WebGpuUnavailableError

/**
 * The sections of the page, in order, by id.
 *
 * @since 0.1.0
 */
export const errorSections = {
  arrays: "Arrays, shapes and dtypes (`@diffect/core`)",
  tracing: "Tracing and pytrees (`@diffect/core`)",
  gradients: "Gradients (`@diffect/ad`: `grad`, `valueAndGrad`, jacobians)",
  jvpVjp: "jvp, vjp and linearTranspose (`@diffect/ad`)",
  custom: "Custom rules (`@diffect/ad`)",
  vmap: "vmap and named axes (`@diffect/ad`)",
  checkpoints: "Checkpoints (`Checkpoint`)",
  optim: "Optimizers (`optim`)",
  jit: "jit (`@diffect/ad`)",
  backends: "Backends"
} as const

/** How to trigger one error: its section, the mistake, and a thunk that makes it. @since 0.1.0 */
export interface ErrorTrigger {
  readonly section: keyof typeof errorSections
  readonly mistake: string
  /** The code of the page's example: TypeScript that runs as written and fails with `tag`. */
  readonly code: string
  readonly trigger: () => unknown
  /** Needs a working WebGPU adapter (a GPU, or Mesa's software GL in Node). */
  readonly needsWebGpu?: boolean
}

/** An example with its error's tag. @since 0.1.0 */
export interface ErrorExample extends ErrorTrigger {
  readonly tag: DocumentedError["_tag"]
}

const f32 = (shape: ReadonlyArray<number>) => np.zeros(shape)
const sumSq = (x: Tensor) => np.sum(np.square(x))

/**
 * One example per documented error, by tag (in the order of the page within
 * each section). Typed over the error union: an error added to `DiffError`
 * without an example here does not compile, so the page cannot miss it.
 *
 * @since 0.1.0
 */
export const errorTriggers: { readonly [K in DocumentedError["_tag"]]: ErrorTrigger } = {
  // --- core: arrays, shapes, dtypes
  ArgumentError: {
    section: "arrays",
    mistake: "an argument of the wrong kind: a bare number where an options object goes",
    code: "np.sum(np.zeros([2, 3]), 5 as never)",
    trigger: () => np.sum(f32([2, 3]), 5 as never)
  },
  InvalidArrayError: {
    section: "arrays",
    mistake: "a ragged nested array",
    code: "np.array([[1, 2], [3]])",
    trigger: () => np.array([[1, 2], [3]])
  },
  BroadcastError: {
    section: "arrays",
    mistake: "shapes that do not broadcast",
    code: "np.add(np.zeros([2, 3]), np.zeros([4]))",
    trigger: () => np.add(f32([2, 3]), f32([4]))
  },
  AxisError: {
    section: "arrays",
    mistake: "an axis the array does not have",
    code: "np.sum(np.zeros([2, 3]), { axis: 2 })",
    trigger: () => np.sum(f32([2, 3]), { axis: 2 })
  },
  ShapeError: {
    section: "arrays",
    mistake: "a matrix product of mismatched shapes",
    code: "np.matmul(np.zeros([2, 3]), np.zeros([4, 5]))",
    trigger: () => np.matmul(f32([2, 3]), f32([4, 5]))
  },
  DTypeError: {
    section: "arrays",
    mistake: "lax's strict dtypes: no implicit promotion",
    code: "lax.add(np.zeros([2]), np.zeros([2], { dtype: \"int32\" }))",
    trigger: () => lax.add(f32([2]), np.zeros([2], { dtype: "int32" }))
  },
  IndexError: {
    section: "arrays",
    mistake: "an index past the end",
    code: "np.arange(3).at(5)",
    trigger: () => np.arange(3).at(5)
  },
  NonConcreteBooleanIndexError: {
    section: "arrays",
    mistake: "a boolean mask index under jit (the result's shape would depend on its values)",
    code: "runSync(jit((x: Tensor) => np.at(x, np.greater(x, 0)).get())(np.array([1, -2, 3])))",
    trigger: () => runSync(jit((x: Tensor) => np.at(x, np.greater(x, 0)).get())(np.array([1, -2, 3])))
  },
  Float0OperationError: {
    section: "arrays",
    mistake: "arithmetic on the float0 gradient of an integer input",
    code: `const g = runSync(
  grad((x: Tensor, n: Tensor) => x.mul(n).sum(), { argnums: [0, 1], allowInt: true })(
    np.ones([2]),
    np.array([1, 2], { dtype: "int32" })
  )
)
np.add(g[1], 1)`,
    trigger: () => {
      const g = runSync(
        grad((x: Tensor, n: Tensor) => x.mul(n).sum(), { argnums: [0, 1], allowInt: true })(
          np.ones([2]),
          np.array([1, 2], { dtype: "int32" })
        )
      )
      return np.add(g[1], 1)
    }
  },
  // --- core: tracers
  EscapedTracerError: {
    section: "tracing",
    mistake: "a traced value kept after the transformation returned",
    code: `let saved: Tensor | undefined
runSync(grad((x: Tensor) => {
  saved = x
  return np.sin(x)
})(np.array(1)))
np.cos(saved!)`,
    trigger: () => {
      let saved: Tensor | undefined
      runSync(
        grad((x: Tensor) => {
          saved = x
          return np.sin(x)
        })(np.array(1))
      )
      return np.cos(saved!)
    }
  },
  ConcretizationError: {
    section: "tracing",
    mistake: "reading a batched value (to branch on it in JS) inside vmap",
    code: `runSync(vmap((x: Tensor) => (itemSync(np.sum(x)) > 0 ? x : np.negative(x)))(np.ones([3, 2])))`,
    trigger: () => runSync(vmap((x: Tensor) => (itemSync(np.sum(x)) > 0 ? x : np.negative(x)))(np.ones([3, 2])))
  },
  ControlFlowError: {
    section: "tracing",
    mistake: "branches of a lax.cond that give values of different dtypes",
    code: `lax.cond(np.array(true), (x: Tensor) => x, (x: Tensor) => np.astype(x, "int32"), np.array(1.5))`,
    trigger: () => lax.cond(np.array(true), (x: Tensor) => x, (x: Tensor) => np.astype(x, "int32"), np.array(1.5))
  },
  TreeStructureError: {
    section: "tracing",
    mistake: "mapping over trees of different structures",
    code: `Tree.mapN([{ a: 1 }, { b: 2 }] as [unknown, unknown], (x: number, y: number) => x + y)`,
    trigger: () => Tree.mapN([{ a: 1 }, { b: 2 }] as [unknown, unknown], (x: number, y: number) => x + y)
  },
  // --- ad: valueAndGrad and grad
  NonScalarOutputError: {
    section: "gradients",
    mistake: "the gradient of a function with a non-scalar output",
    code: `runSync(grad((x: Tensor) => np.sin(x))(np.array([1, 2])))`,
    trigger: () => runSync(grad((x: Tensor) => np.sin(x))(np.array([1, 2])))
  },
  InputDTypeError: {
    section: "gradients",
    mistake: "differentiating with respect to an integer input",
    code: `runSync(grad(sumSq)(np.array([1, 2], { dtype: "int32" })))`,
    trigger: () => runSync(grad(sumSq)(np.array([1, 2], { dtype: "int32" })))
  },
  OutputDTypeError: {
    section: "gradients",
    mistake: "a function whose output is an integer",
    code: `runSync(grad((x: Tensor) => np.astype(np.sum(x), "int32"))(np.array([1.5])))`,
    trigger: () => runSync(grad((x: Tensor) => np.astype(np.sum(x), "int32"))(np.array([1.5])))
  },
  ArgnumsError: {
    section: "gradients",
    mistake: "argnums past the last argument",
    code: `runSync(grad(sumSq, { argnums: 2 })(np.ones([2])))`,
    trigger: () => runSync(grad(sumSq, { argnums: 2 })(np.ones([2])))
  },
  AuxOutputError: {
    section: "gradients",
    mistake: "hasAux with a function that returns no pair",
    code: `runSync(valueAndGrad(sumSq, { hasAux: true })(np.ones([2])))`,
    trigger: () => runSync(valueAndGrad(sumSq, { hasAux: true })(np.ones([2])))
  },
  InvalidArgumentError: {
    section: "gradients",
    mistake: "an argument that is not an array",
    code: `// @ts-expect-error: from JavaScript, where nothing stops a string
runSync(grad(sumSq)("3"))`,
    trigger: () => runSync(grad(sumSq)("3" as unknown as Tensor))
  },
  NotCallableError: {
    section: "gradients",
    mistake: "transforming something that is not a function",
    code: `// @ts-expect-error: from JavaScript, where nothing stops a number
runSync(grad(42)(np.ones([2])))`,
    trigger: () => runSync(grad(42 as unknown as typeof sumSq)(np.ones([2])))
  },
  AsyncEffectError: {
    section: "gradients",
    mistake: "a function returning an Effect that cannot complete synchronously",
    code: `runSync(grad((x: Tensor) => Effect.promise(async () => np.sum(x)))(np.ones([2])))`,
    trigger: () => runSync(grad((x: Tensor) => Effect.promise(async () => np.sum(x)))(np.ones([2])))
  },
  // --- ad: jvp, vjp, linearTranspose
  TangentMismatchError: {
    section: "jvpVjp",
    mistake: "a tangent whose shape differs from its primal's",
    code: `runSync(jvp((x: Tensor) => np.sin(x), [np.ones([2])], [np.ones([3])]))`,
    trigger: () => runSync(jvp((x: Tensor) => np.sin(x), [np.ones([2])], [np.ones([3])]))
  },
  CotangentMismatchError: {
    section: "jvpVjp",
    mistake: "a cotangent of the wrong shape",
    code: `const [, back] = runSync(vjp((x: Tensor) => np.sin(x), [np.ones([2])]))
runSync(back(np.ones([3])))`,
    trigger: () => {
      const [, back] = runSync(vjp((x: Tensor) => np.sin(x), [np.ones([2])]))
      return runSync(back(np.ones([3])))
    }
  },
  NonLinearTransposeError: {
    section: "jvpVjp",
    mistake: "transposing a function that is not linear",
    code: `const t = runSync(linearTranspose((x: Tensor) => np.sin(x), np.ones([2])))
runSync(t(np.ones([2])))`,
    trigger: () => {
      const t = runSync(linearTranspose((x: Tensor) => np.sin(x), np.ones([2])))
      return runSync(t(np.ones([2])))
    }
  },
  DerivativeNotImplementedError: {
    section: "jvpVjp",
    mistake: "the derivative of eig's eigenvectors (JAX has a rule for the eigenvalues only)",
    code: `runSync(grad((x: Tensor) => np.sum(np.real(np.linalg.eig(x)[0])))(np.eye(2)))`,
    trigger: () => runSync(grad((x: Tensor) => np.sum(np.real(np.linalg.eig(x)[0])))(np.eye(2)))
  },
  WhileLoopReverseModeError: {
    section: "jvpVjp",
    mistake: "the gradient of a lax.whileLoop (its trip count is not known in advance)",
    code:
      `runSync(grad((x: Tensor) => lax.whileLoop((v: Tensor) => np.less(v, 10), (v: Tensor) => np.multiply(v, 2), x))(np.array(1)))`,
    trigger: () =>
      runSync(
        grad((x: Tensor) => lax.whileLoop((v: Tensor) => np.less(v, 10), (v: Tensor) => np.multiply(v, 2), x))(
          np.array(1)
        )
      )
  },
  UniqueIndicesError: {
    section: "jvpVjp",
    mistake: "differentiating a multiplying scatter in its updates without promising unique indices",
    code: `const i = np.array([0, 0], { dtype: "int32" })
runSync(grad((u: Tensor) => np.sum(lax.scatter(np.ones([2]), i, u, 0, "mul")))(np.ones([2])))`,
    trigger: () => {
      const i = np.array([0, 0], { dtype: "int32" })
      return runSync(grad((u: Tensor) => np.sum(lax.scatter(np.ones([2]), i, u, 0, "mul")))(np.ones([2])))
    }
  },
  LinearTransposeDTypeError: {
    section: "jvpVjp",
    mistake: "linearTranspose of an integer-valued linear map with a float cotangent",
    code: `const t = runSync(linearTranspose((n: Tensor) => n.mul(2), np.ones([2], { dtype: "int32" })))
runSync(t(np.ones([2])))`,
    trigger: () => {
      const t = runSync(linearTranspose((n: Tensor) => n.mul(2), np.ones([2], { dtype: "int32" })))
      return runSync(t(np.ones([2])))
    }
  },
  // --- ad: custom rules
  CustomVjpForwardModeError: {
    section: "custom",
    mistake: "forward mode through a function that only has a reverse-mode rule",
    code: `const f = customVjp((x: Tensor) => np.sin(x))
f.defVjp((x: Tensor) => [np.sin(x), x], (x: Tensor, g: Tensor) => [g.mul(np.cos(x))])
runSync(jvp(f, [np.ones([2])], [np.ones([2])]))`,
    trigger: () => {
      const f = customVjp((x: Tensor) => np.sin(x))
      f.defVjp((x: Tensor) => [np.sin(x), x], (x: Tensor, g: Tensor) => [g.mul(np.cos(x))])
      return runSync(jvp(f, [np.ones([2])], [np.ones([2])]))
    }
  },
  CustomRuleError: {
    section: "custom",
    mistake: "a custom JVP rule whose tangent has the wrong shape",
    code: `const f = customJvp((x: Tensor) => np.sin(x))
f.defJvp(([x]: [Tensor], [t]: [Tensor]) => [np.sin(x), np.sum(t)])
runSync(jvp(f, [np.ones([2])], [np.ones([2])]))`,
    trigger: () => {
      const f = customJvp((x: Tensor) => np.sin(x))
      f.defJvp(([x]: [Tensor], [t]: [Tensor]) => [np.sin(x), np.sum(t)])
      return runSync(jvp(f, [np.ones([2])], [np.ones([2])]))
    }
  },
  // --- ad: vmap and named axes
  VmapSizeError: {
    section: "vmap",
    mistake: "mapped arguments with different sizes along the mapped axis",
    code: `runSync(vmap((x: Tensor, y: Tensor) => np.add(x, y))(np.ones([2]), np.ones([3])))`,
    trigger: () => runSync(vmap((x: Tensor, y: Tensor) => np.add(x, y))(np.ones([2]), np.ones([3])))
  },
  VmapAxisError: {
    section: "vmap",
    mistake: "an inAxes entry beyond the argument's rank",
    code: `runSync(vmap((x: Tensor) => np.sin(x), { inAxes: 1 })(np.ones([2])))`,
    trigger: () => runSync(vmap((x: Tensor) => np.sin(x), { inAxes: 1 })(np.ones([2])))
  },
  VmapOutAxesError: {
    section: "vmap",
    mistake: "outAxes null for an output that varies along the mapped axis",
    code: `runSync(vmap((x: Tensor) => np.sin(x), { outAxes: null })(np.ones([2])))`,
    trigger: () => runSync(vmap((x: Tensor) => np.sin(x), { outAxes: null })(np.ones([2])))
  },
  VmapSpecError: {
    section: "vmap",
    mistake: "inAxes that do not match the arguments",
    code: `runSync(vmap((x: Tensor, y: Tensor) => np.add(x, y), { inAxes: [0] })(np.ones([2]), np.ones([2])))`,
    trigger: () => runSync(vmap((x: Tensor, y: Tensor) => np.add(x, y), { inAxes: [0] })(np.ones([2]), np.ones([2])))
  },
  UnboundAxisError: {
    section: "vmap",
    mistake: "a collective over an axis name no vmap binds",
    code: `runSync(vmap((x: Tensor) => psum(x, "j"), { axisName: "i" })(np.ones([2])))`,
    trigger: () => runSync(vmap((x: Tensor) => psum(x, "j"), { axisName: "i" })(np.ones([2])))
  },
  // --- ad: jit
  UnhashableStaticArgError: {
    section: "jit",
    mistake: "a tensor passed as a static argument of jit",
    code: "runSync(jit((x: Tensor, _n: Tensor) => x, { staticArgnums: 1 })(np.ones([2]), np.ones([2])))",
    trigger: () => runSync(jit((x: Tensor, _n: Tensor) => x, { staticArgnums: 1 })(np.ones([2]), np.ones([2])))
  },
  JitArgnumsError: {
    section: "jit",
    mistake: "staticArgnums naming an argument the call does not have",
    code: "runSync(jit((x: Tensor) => x, { staticArgnums: 1 })(np.ones([2])))",
    trigger: () => runSync(jit((x: Tensor) => x, { staticArgnums: 1 })(np.ones([2])))
  },
  CompiledCallError: {
    section: "jit",
    mistake: "a compiled function called with other argument types than it was lowered for",
    code:
      `const compiled = runSync(Effect.flatMap(jit((x: Tensor) => np.sin(x)).lower(np.ones([2])), (l) => l.compile()))
runSync(compiled(np.ones([3])))`,
    trigger: () => {
      const compiled = runSync(Effect.flatMap(jit((x: Tensor) => np.sin(x)).lower(np.ones([2])), (l) => l.compile()))
      return runSync(compiled(np.ones([3])))
    }
  },
  // --- backends
  WebGpuUnavailableError: {
    section: "backends",
    mistake: "asking for WebGPU where no adapter can be had",
    code: `const noGpu = { requestAdapter: async () => null } as unknown as GPU
await Effect.runPromise(toJs(np.ones([2])).pipe(Effect.provide(WebGpuBackend.layerWith({ gpu: noGpu }))))`,
    trigger: () =>
      Effect.runPromise(
        toJs(np.ones([2])).pipe(
          Effect.provide(WebGpuBackend.layerWith({ gpu: { requestAdapter: async () => null } as unknown as GPU }))
        )
      )
  },
  CheckpointFormatError: {
    section: "checkpoints",
    mistake: "bytes that are not a safetensors file",
    code: "runSync(Checkpoint.read(new Uint8Array([1, 2, 3])))",
    trigger: () => runSync(Checkpoint.read(new Uint8Array([1, 2, 3])))
  },
  CheckpointKeyError: {
    section: "checkpoints",
    mistake: "loading a tree that names a tensor the file lacks",
    code:
      "const bytes = runSync(Checkpoint.encode({ w: np.zeros([2]) }))\nrunSync(Checkpoint.decode(bytes, { w: Tensor.schema(), b: Tensor.schema() }))",
    trigger: () =>
      runSync(Checkpoint.decode(runSync(Checkpoint.encode({ w: np.zeros([2]) })), {
        w: Tensor.schema(),
        b: Tensor.schema()
      }))
  },
  CheckpointSchemaError: {
    section: "checkpoints",
    mistake: "a saved tensor of another shape than the schema's",
    code:
      "const bytes = runSync(Checkpoint.encode({ w: np.zeros([2, 4]) }))\nrunSync(Checkpoint.decode(bytes, { w: Tensor.schema({ dtype: \"float32\", shape: [2, 3] }) }))",
    trigger: () =>
      runSync(Checkpoint.decode(runSync(Checkpoint.encode({ w: np.zeros([2, 4]) })), {
        w: Tensor.schema({ dtype: "float32", shape: [2, 3] })
      }))
  },
  OptimizerArgumentError: {
    section: "optim",
    mistake: "a decay rate outside [0, 1]",
    code: "optim.adam(0.1, { b1: 2 })",
    trigger: () => optim.adam(0.1, { b1: 2 })
  },
  MissingParamsError: {
    section: "optim",
    mistake: "`update` without `params` on a transformation with weight decay",
    code: "const opt = optim.adamw(0.1)\nopt.update(np.ones([2]), opt.init(np.ones([2])))",
    trigger: () => {
      const opt = optim.adamw(0.1)
      return opt.update(np.ones([2]), opt.init(np.ones([2])))
    }
  },
  UnsupportedDTypeError: {
    section: "backends",
    mistake: "float64 on WebGPU (WGSL has no f64)",
    code: `// Eager operations in an Effect program run on the program's backend: here, WebGPU.
const program = Effect.gen(function*() {
  const x = np.ones([2], { dtype: "float64" })
  return yield* toJs(np.sin(x))
})
await Effect.runPromise(program.pipe(Effect.provide(WebGpuBackend.layer)))`,
    needsWebGpu: true,
    trigger: () =>
      Effect.runPromise(
        Effect.gen(function*() {
          const x = np.ones([2], { dtype: "float64" })
          return yield* toJs(np.sin(x))
        }).pipe(Effect.provide(WebGpuBackend.layer))
      )
  },
  ReleasedTensorError: {
    section: "backends",
    mistake: "using a tensor after the region that made it closed",
    code: `// Memory.tidy (like every transformation) releases what it made and did not return.
let inner = np.zeros([1])
Memory.tidy(() => {
  inner = np.exp(np.ones([2]))
  return np.sum(inner)
})
toJsSync(inner)`,
    trigger: () => {
      let inner = np.zeros([1])
      Memory.tidy(() => {
        inner = np.exp(np.ones([2]))
        return np.sum(inner)
      })
      return toJsSync(inner)
    }
  },
  MemoryLimitError: {
    section: "backends",
    mistake: "allocating past the layer's memoryLimit",
    code: `// 4096 bytes of float32 do not fit a budget of 1024 bytes.
const program = eager(() => np.exp(np.ones([1024])))
Effect.runSync(program.pipe(Effect.provide(TypedArrayBackend.layerWith({ memoryLimit: 1024 }))))`,
    trigger: () =>
      Effect.runSync(
        eager(() => np.exp(np.ones([1024]))).pipe(
          Effect.provide(TypedArrayBackend.layerWith({ memoryLimit: 1024 }))
        )
      )
  },
  FloatingPointError: {
    section: "arrays",
    mistake: "a NaN from an operation while `debugNans` checks every result",
    code: `runSync(debugNans(eager(() => np.log(np.array([-1, 1])))))`,
    trigger: () => runSync(debugNans(eager(() => np.log(np.array([-1, 1])))))
  },
  BackendError: {
    section: "backends",
    mistake: "reading a WebGPU tensor synchronously",
    code: `// The program's tensors live on the GPU: read them with toJs, an Effect.
const program = Effect.sync(() => toJsSync(np.ones([2]).mul(2)))
await Effect.runPromise(program.pipe(Effect.provide(WebGpuBackend.layer)))`,
    needsWebGpu: true,
    trigger: () =>
      Effect.runPromise(
        Effect.sync(() => toJsSync(np.ones([2]).mul(2))).pipe(Effect.provide(WebGpuBackend.layer))
      )
  }
}

/** Every example with its tag, in the order of the page. @since 0.1.0 */
export const errorExamples: ReadonlyArray<ErrorExample> = (Object.keys(errorSections) as Array<
  keyof typeof errorSections
>).flatMap((section) =>
  (Object.keys(errorTriggers) as Array<DocumentedError["_tag"]>).flatMap((tag) =>
    errorTriggers[tag].section === section ? [{ tag, ...errorTriggers[tag] }] : []
  )
)
