/**
 * One way to trigger each tagged error of diffect through its public API, for
 * docs/errors.md: the page's example messages are the messages these produce,
 * and a test keeps them in step.
 *
 * @since 0.1.0
 */
import {
  Backend,
  customJvp,
  customVjp,
  grad,
  jvp,
  lax,
  linearTranspose,
  np,
  psum,
  runSync,
  type Tensor,
  toJs,
  toJsSync,
  Tree,
  valueAndGrad,
  vjp,
  vmap,
  WebGpuBackend,
  withBackend
} from "diffect"
import { Effect } from "effect"

/** How to trigger one error: a description of the mistake and a thunk that makes it. @since 0.1.0 */
export interface ErrorExample {
  readonly tag: string
  readonly mistake: string
  readonly code: string
  readonly trigger: () => unknown
  /** Needs a working WebGPU adapter (a GPU, or Mesa's software GL in Node). */
  readonly needsWebGpu?: boolean
}

const f32 = (shape: ReadonlyArray<number>) => np.zeros(shape)
const sumSq = (x: Tensor) => np.sum(np.square(x))

/** Every example, in the order of the page. @since 0.1.0 */
export const errorExamples: ReadonlyArray<ErrorExample> = [
  // --- core: arrays, shapes, dtypes
  {
    tag: "InvalidArrayError",
    mistake: "a ragged nested array",
    code: "np.array([[1, 2], [3]])",
    trigger: () => np.array([[1, 2], [3]])
  },
  {
    tag: "BroadcastError",
    mistake: "shapes that do not broadcast",
    code: "np.add(np.zeros([2, 3]), np.zeros([4]))",
    trigger: () => np.add(f32([2, 3]), f32([4]))
  },
  {
    tag: "AxisError",
    mistake: "an axis the array does not have",
    code: "np.sum(np.zeros([2, 3]), { axis: 2 })",
    trigger: () => np.sum(f32([2, 3]), { axis: 2 })
  },
  {
    tag: "ShapeError",
    mistake: "a matrix product of mismatched shapes",
    code: "np.matmul(np.zeros([2, 3]), np.zeros([4, 5]))",
    trigger: () => np.matmul(f32([2, 3]), f32([4, 5]))
  },
  {
    tag: "DTypeError",
    mistake: "lax's strict dtypes: no implicit promotion",
    code: "lax.add(np.zeros([2]), np.zeros([2], { dtype: \"int32\" }))",
    trigger: () => lax.add(f32([2]), np.zeros([2], { dtype: "int32" }))
  },
  {
    tag: "IndexError",
    mistake: "an index past the end",
    code: "np.arange(3).at(5)",
    trigger: () => np.arange(3).at(5)
  },
  {
    tag: "Float0OperationError",
    mistake: "arithmetic on the float0 gradient of an integer input",
    code:
      "const g = runSync(grad((x, n) => x.mul(n).sum(), { argnums: [0, 1], allowInt: true })(np.ones([2]), np.array([1, 2], { dtype: \"int32\" })))\nnp.add(g[1], 1)",
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
  {
    tag: "EscapedTracerError",
    mistake: "a traced value kept after the transformation returned",
    code: "let saved\nrunSync(grad((x) => {\n  saved = x\n  return np.sin(x)\n})(np.array(1)))\nnp.cos(saved)",
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
  {
    tag: "ConcretizationError",
    mistake: "reading a batched value (to branch on it in JS) inside vmap",
    code: "runSync(vmap((x) => (toJsSync(np.sum(x)) > 0 ? x : np.negative(x)))(np.ones([3, 2])))",
    trigger: () =>
      runSync(vmap((x: Tensor) => ((toJsSync(np.sum(x)) as number) > 0 ? x : np.negative(x)))(np.ones([3, 2])))
  },
  {
    tag: "TreeStructureError",
    mistake: "mapping over trees of different structures",
    code: "Tree.mapN([{ a: 1 }, { b: 2 }], (x, y) => x + y)",
    trigger: () => Tree.mapN([{ a: 1 }, { b: 2 }] as [unknown, unknown], (x: number, y: number) => x + y)
  },
  // --- ad: valueAndGrad and grad
  {
    tag: "NonScalarOutputError",
    mistake: "the gradient of a function with a non-scalar output",
    code: "runSync(grad(np.sin)(np.array([1, 2])))",
    trigger: () => runSync(grad((x: Tensor) => np.sin(x))(np.array([1, 2])))
  },
  {
    tag: "InputDTypeError",
    mistake: "differentiating with respect to an integer input",
    code: "runSync(grad(sumSq)(np.array([1, 2], { dtype: \"int32\" })))",
    trigger: () => runSync(grad(sumSq)(np.array([1, 2], { dtype: "int32" })))
  },
  {
    tag: "OutputDTypeError",
    mistake: "a function whose output is an integer",
    code: "runSync(grad((x) => np.astype(np.sum(x), \"int32\"))(np.array([1.5])))",
    trigger: () => runSync(grad((x: Tensor) => np.astype(np.sum(x), "int32"))(np.array([1.5])))
  },
  {
    tag: "ArgnumsError",
    mistake: "argnums past the last argument",
    code: "runSync(grad(sumSq, { argnums: 2 })(np.ones([2])))",
    trigger: () => runSync(grad(sumSq, { argnums: 2 })(np.ones([2])))
  },
  {
    tag: "AuxOutputError",
    mistake: "hasAux with a function that returns no pair",
    code: "runSync(valueAndGrad(sumSq, { hasAux: true })(np.ones([2])))",
    trigger: () => runSync(valueAndGrad(sumSq, { hasAux: true })(np.ones([2])))
  },
  {
    tag: "InvalidArgumentError",
    mistake: "an argument that is not an array",
    code: "runSync(grad(sumSq)(\"3\"))",
    trigger: () => runSync(grad(sumSq)("3" as unknown as Tensor))
  },
  {
    tag: "NotCallableError",
    mistake: "transforming something that is not a function",
    code: "runSync(grad(42)(np.ones([2])))",
    trigger: () => runSync(grad(42 as unknown as typeof sumSq)(np.ones([2])))
  },
  {
    tag: "AsyncEffectError",
    mistake: "a function returning an Effect that cannot complete synchronously",
    code: "runSync(grad((x) => Effect.promise(async () => np.sum(x)))(np.ones([2])))",
    trigger: () => runSync(grad((x: Tensor) => Effect.promise(async () => np.sum(x)))(np.ones([2])))
  },
  // --- ad: jvp, vjp, linearTranspose
  {
    tag: "TangentMismatchError",
    mistake: "a tangent whose shape differs from its primal's",
    code: "runSync(jvp(np.sin, [np.ones([2])], [np.ones([3])]))",
    trigger: () => runSync(jvp((x: Tensor) => np.sin(x), [np.ones([2])], [np.ones([3])]))
  },
  {
    tag: "CotangentMismatchError",
    mistake: "a cotangent of the wrong shape",
    code: "const [, back] = runSync(vjp(np.sin, np.ones([2])))\nrunSync(back(np.ones([3])))",
    trigger: () => {
      const [, back] = runSync(vjp((x: Tensor) => np.sin(x), np.ones([2])))
      return runSync(back(np.ones([3])))
    }
  },
  {
    tag: "NonLinearTransposeError",
    mistake: "transposing a function that is not linear",
    code: "const t = runSync(linearTranspose(np.sin, np.ones([2])))\nrunSync(t(np.ones([2])))",
    trigger: () => {
      const t = runSync(linearTranspose((x: Tensor) => np.sin(x), np.ones([2])))
      return runSync(t(np.ones([2])))
    }
  },
  {
    tag: "LinearTransposeDTypeError",
    mistake: "linearTranspose of an integer-valued linear map with a float cotangent",
    code:
      "const t = runSync(linearTranspose((n) => n.mul(2), np.ones([2], { dtype: \"int32\" })))\nrunSync(t(np.ones([2])))",
    trigger: () => {
      const t = runSync(linearTranspose((n: Tensor) => n.mul(2), np.ones([2], { dtype: "int32" })))
      return runSync(t(np.ones([2])))
    }
  },
  // --- ad: custom rules
  {
    tag: "CustomVjpForwardModeError",
    mistake: "forward mode through a function that only has a reverse-mode rule",
    code:
      "const f = customVjp((x) => np.sin(x))\nf.defVjp((x) => [np.sin(x), x], (x, g) => [g.mul(np.cos(x))])\nrunSync(jvp(f, [np.ones([2])], [np.ones([2])]))",
    trigger: () => {
      const f = customVjp((x: Tensor) => np.sin(x))
      f.defVjp((x: Tensor) => [np.sin(x), x], (x: Tensor, g: Tensor) => [g.mul(np.cos(x))])
      return runSync(jvp(f, [np.ones([2])], [np.ones([2])]))
    }
  },
  {
    tag: "CustomRuleError",
    mistake: "a custom JVP rule whose tangent has the wrong shape",
    code:
      "const f = customJvp((x) => np.sin(x))\nf.defJvp(([x], [t]) => [np.sin(x), np.sum(t)])\nrunSync(jvp(f, [np.ones([2])], [np.ones([2])]))",
    trigger: () => {
      const f = customJvp((x: Tensor) => np.sin(x))
      f.defJvp(([x]: [Tensor], [t]: [Tensor]) => [np.sin(x), np.sum(t)])
      return runSync(jvp(f, [np.ones([2])], [np.ones([2])]))
    }
  },
  // --- ad: vmap and named axes
  {
    tag: "VmapSizeError",
    mistake: "mapped arguments with different sizes along the mapped axis",
    code: "runSync(vmap(np.add)(np.ones([2]), np.ones([3])))",
    trigger: () => runSync(vmap((x: Tensor, y: Tensor) => np.add(x, y))(np.ones([2]), np.ones([3])))
  },
  {
    tag: "VmapAxisError",
    mistake: "an inAxes entry beyond the argument's rank",
    code: "runSync(vmap(np.sin, { inAxes: 1 })(np.ones([2])))",
    trigger: () => runSync(vmap((x: Tensor) => np.sin(x), { inAxes: 1 })(np.ones([2])))
  },
  {
    tag: "VmapOutAxesError",
    mistake: "outAxes null for an output that varies along the mapped axis",
    code: "runSync(vmap(np.sin, { outAxes: null })(np.ones([2])))",
    trigger: () => runSync(vmap((x: Tensor) => np.sin(x), { outAxes: null })(np.ones([2])))
  },
  {
    tag: "VmapSpecError",
    mistake: "inAxes that do not match the arguments",
    code: "runSync(vmap(np.add, { inAxes: [0] })(np.ones([2]), np.ones([2])))",
    trigger: () => runSync(vmap((x: Tensor, y: Tensor) => np.add(x, y), { inAxes: [0] })(np.ones([2]), np.ones([2])))
  },
  {
    tag: "UnboundAxisError",
    mistake: "a collective over an axis name no vmap binds",
    code: "runSync(vmap((x) => psum(x, \"j\"), { axisName: \"i\" })(np.ones([2])))",
    trigger: () => runSync(vmap((x: Tensor) => psum(x, "j"), { axisName: "i" })(np.ones([2])))
  },
  // --- backends
  {
    tag: "WebGpuUnavailableError",
    mistake: "asking for WebGPU where no adapter can be had",
    code:
      "const noGpu = { requestAdapter: async () => null }\nEffect.runPromise(toJs(np.ones([2])).pipe(Effect.provide(WebGpuBackend.layerWith({ gpu: noGpu }))))",
    trigger: () =>
      Effect.runPromise(
        toJs(np.ones([2])).pipe(
          Effect.provide(WebGpuBackend.layerWith({ gpu: { requestAdapter: async () => null } as unknown as GPU }))
        )
      )
  },
  {
    tag: "UnsupportedDTypeError",
    mistake: "float64 on WebGPU (WGSL has no f64)",
    code:
      "Effect.runPromise(toJs(np.sin(np.ones([2], { dtype: \"float64\" }))).pipe(Effect.provide(WebGpuBackend.layer)))",
    needsWebGpu: true,
    trigger: () =>
      Effect.runPromise(
        Effect.gen(function*() {
          const backend = yield* Backend
          const x = np.ones([2], { dtype: "float64" })
          return yield* toJs(withBackend(backend, () => np.sin(x)))
        }).pipe(Effect.provide(WebGpuBackend.layer))
      )
  },
  {
    tag: "BackendError",
    mistake: "reading a WebGPU tensor synchronously",
    code: "// inside a program on WebGpuBackend.layer, with the backend installed:\ntoJsSync(np.ones([2]).mul(2))",
    needsWebGpu: true,
    trigger: () =>
      Effect.runPromise(
        Effect.gen(function*() {
          const backend = yield* Backend
          return withBackend(backend, () => toJsSync(np.ones([2]).mul(2)))
        }).pipe(Effect.provide(WebGpuBackend.layer))
      )
  }
]
