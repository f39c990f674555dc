import {
  ArgnumsError,
  AsyncEffectError,
  AuxOutputError,
  CotangentMismatchError,
  grad,
  InputDTypeError,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jvp,
  linearTranspose,
  LinearTransposeDTypeError,
  NonScalarOutputError,
  NotCallableError,
  OutputDTypeError,
  TangentMismatchError,
  UnboundAxisError,
  valueAndGrad,
  vjp
} from "@diffect/ad"
import * as ad from "@diffect/ad"
import { diffErrors } from "@diffect/ad"
import type { DiffError } from "@diffect/ad"
import * as core from "@diffect/core"
import { EscapedTracerError, lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schema } from "effect"
import { expect, failure, provideCpu, run, tensor } from "./gradHelpers.js"

const sum = (x: Tensor) => lax.reduceSum(x, x.shape.map((_, i) => i))
const id = (x: Tensor) => x
const two = (x: Tensor, y: Tensor) => lax.add(sum(x), sum(y))

describe("errors: grad output checks (JAX's _check_scalar, _check_output_dtype_revderiv)", () => {
  it("non-scalar output names the shape and hints at sum/jacobian", () => {
    expect.error(
      failure(grad(id)(tensor([1, 2, 3]))),
      NonScalarOutputError,
      "Gradient only defined for scalar-output functions. Output had shape: (3,). To get the gradient, reduce the output to a scalar with output.sum(), or use jacrev (or jacfwd) to differentiate a function with a non-scalar output."
    )
  })

  it("a size-1 output gets JAX's extraction hint", () => {
    const e = failure(grad((x: Tensor) => lax.reshape(x, [1]))(tensor(1)))
    assert.include((e as Error).message, "Output had shape: (1,).")
    assert.include((e as Error).message, "output.reshape([]) or output.at(0)")
    const e2 = failure(grad((x: Tensor) => lax.reshape(x, [1, 1]))(tensor(1)))
    assert.include(
      (e2 as Error).message,
      "Output had shape: (1, 1). To get the gradient, extract the scalar with output.reshape([]), reduce"
    )
  })

  it("a tuple output is not a scalar (JAX's test_grad_tuple_output)", () => {
    const e = failure(grad((x: Tensor) => [x, x])(tensor(1)))
    assert.instanceOf(e, NonScalarOutputError)
    assert.match(
      (e as Error).message,
      /^Gradient only defined for scalar-output functions\. Output was \[Traced<float32\[\]>with<linearize>/
    )
  })

  it("integer output", () => {
    expect.error(
      failure(grad((x: Tensor) => lax.convertElementType(x, "int32"))(tensor(1))),
      OutputDTypeError,
      "grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got int32. For differentiation of functions with integer outputs, use vjp directly."
    )
  })

  it("complex output without holomorphic", () => {
    expect.error(
      failure(grad((x: Tensor) => lax.complex(x, x))(tensor(1))),
      OutputDTypeError,
      "grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got complex64. For holomorphic differentiation, pass holomorphic=True. For differentiation of non-holomorphic functions involving complex outputs, use vjp directly."
    )
  })

  it("holomorphic with a real output", () => {
    expect.error(
      failure(grad((z: Tensor) => lax.real(z), { holomorphic: true })(tensor({ re: 1, im: 1 }, "complex64"))),
      OutputDTypeError,
      "grad with holomorphic=True requires outputs with complex dtype, but got float32."
    )
  })
})

describe("errors: grad input checks (JAX's _check_input_dtype_revderiv)", () => {
  it("int32 input without allowInt", () => {
    expect.error(
      failure(grad((x: Tensor) => lax.convertElementType(x, "float32"))(tensor(3, "int32"))),
      InputDTypeError,
      "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got int32. If you want to use Boolean- or integer-valued inputs, use vjp or set allowInt to true."
    )
  })

  it("bool input without allowInt", () => {
    const e = failure(grad((x: Tensor) => lax.convertElementType(x, "float32"))(tensor(true, "bool")))
    assert.include((e as Error).message, "but got bool.")
  })

  it("holomorphic with a real input is checked before anything else", () => {
    expect.error(
      failure(grad((x: Tensor) => lax.mul(x, x), { holomorphic: true })(tensor(3))),
      InputDTypeError,
      "grad with holomorphic=True requires inputs with complex dtype, but got float32."
    )
  })

  it("a string in a differentiated position", () => {
    const e = failure(grad(id)("foo" as unknown as Tensor))
    assert.instanceOf(e, InvalidArgumentError)
    assert.strictEqual(
      (e as Error).message,
      "grad: \"foo\" (argument 0) is not a valid diffect type: expected a Tensor, a number or a boolean."
    )
  })
  it("names the key path of a bad leaf inside a pytree argument", () => {
    const f = (p: { w: Tensor; tag: string }) => lax.mul(p.w, p.w)
    expect.error(
      failure(grad(f)({ w: tensor(1), tag: "foo" })),
      InvalidArgumentError,
      "grad: \"foo\" (argument 0 at [\"tag\"]) is not a valid diffect type: expected a Tensor, a number or a boolean."
    )
  })
})

describe("errors: argnums (JAX's value_and_grad and _ensure_inbounds)", () => {
  it("out of range names the count needed", () => {
    expect.error(
      failure(grad(two, { argnums: 2 })(tensor(1), tensor(2))),
      ArgnumsError,
      "differentiating with respect to argnums=2 requires at least 3 positional arguments to be passed by the caller, but got only 2 positional arguments."
    )
    const e = failure(grad(two, { argnums: [0, 3] })(tensor(1), tensor(2)))
    assert.include((e as Error).message, "argnums=[0, 3] requires at least 4 positional arguments")
  })

  it("below -len(args)", () => {
    expect.error(
      failure(grad(two, { argnums: -3 })(tensor(1), tensor(2))),
      ArgnumsError,
      "argnums must have values greater than or equal to -len(args) and less than len(args), but got value -3 for len(args) == 2."
    )
  })

  it("duplicates (also after resolving negative indices)", () => {
    const e = failure(grad(two, { argnums: [0, -2] })(tensor(1), tensor(2)))
    assert.instanceOf(e, ArgnumsError)
    assert.strictEqual(
      (e as Error).message,
      "argnums must not repeat an argument, but got argnums=[0, -2] (-2 appears more than once)."
    )
  })

  it("empty array and non-integers", () => {
    expect.error(
      failure(grad(two, { argnums: [] })(tensor(1), tensor(2))),
      ArgnumsError,
      "argnums must be an integer or a non-empty array of integers, but got argnums=[]."
    )
    expect.error(
      failure(grad(two, { argnums: 0.5 })(tensor(1), tensor(2))),
      ArgnumsError,
      "argnums must be an integer or an array of integers, but got argnums=0.5."
    )
  })
})

describe("errors: hasAux", () => {
  it("a non-pair output (JAX's test_grad_and_aux_error)", () => {
    // The value printed is the traced output: `Traced<float32[]>with<linearize>`.
    const e1 = failure(grad(id, { hasAux: true })(tensor(1)))
    assert.instanceOf(e1, AuxOutputError)
    assert.match(
      (e1 as Error).message,
      /^expected function with aux output to return a two-element tuple, but got a Tensor with value Traced<float32\[\]>/
    )
    const e = failure(grad((x: Tensor) => [x], { hasAux: true })(tensor(1)))
    assert.match(
      (e as Error).message,
      /^expected function with aux output to return a two-element tuple, but got an array of length 1 with value \[Traced<float32\[\]>/
    )
    assert.instanceOf(failure(grad((x: Tensor) => [x, x, x], { hasAux: true })(tensor(1))), AuxOutputError)
  })
})

describe("errors: jvp arguments (JAX's _jvp checks)", () => {
  it("not arrays", () => {
    const e = failure(jvp(id, tensor(1) as never, [tensor(1)]))
    assert.instanceOf(e, TangentMismatchError)
    assert.strictEqual(
      (e as Error).message,
      "primal and tangent arguments to jvp must be arrays of arguments; found Tensor(f32[]) and array."
    )
  })

  it("different tree structures", () => {
    const e = failure(jvp(two, [tensor(1), tensor(2)], [tensor(1)] as never))
    assert.instanceOf(e, TangentMismatchError)
    assert.include(
      (e as Error).message,
      "primal and tangent arguments to jvp must have the same tree structure; primals have tree structure TreeDef([*, *]) whereas tangents have tree structure TreeDef([*])."
    )
  })

  it("tangent dtype must be the primal's tangent dtype", () => {
    expect.error(
      failure(jvp(id, [tensor(1)], [tensor(1, "float64")])),
      TangentMismatchError,
      "primal and tangent arguments to jvp do not match; dtypes must be equal, or in case of int/bool primal dtype the tangent dtype must be float0. Got primal dtype float32 and so expected tangent dtype float32, but got tangent dtype float64 instead."
    )
    const e = failure(jvp(id, [tensor(1, "int32")], [tensor(1, "int32")]))
    assert.include(
      (e as Error).message,
      "Got primal dtype int32 and so expected tangent dtype float0, but got tangent dtype int32 instead."
    )
  })

  it("shapes must be equal", () => {
    expect.error(
      failure(jvp(id, [tensor([1, 2, 3])], [tensor([1, 2, 3, 4])])),
      TangentMismatchError,
      "jvp called with different primal and tangent shapes; Got primal shape (3,) and tangent shape as (4,)"
    )
  })
})

describe("errors: VJP cotangents (JAX's test_vjp_mismatched_arguments, test_vjp_bad_cotangent_shape)", () => {
  it("wrong tree structure and wrong shape", () => {
    const [, pullback] = run(vjp((x: Tensor, y: Tensor) => lax.mul(x, y), [tensor(3), tensor(4)]))
    const e = failure(pullback([tensor(7), tensor(100)] as never))
    assert.instanceOf(e, CotangentMismatchError)
    assert.include((e as Error).message, "unexpected tree structure")
    const [, pb2] = run(vjp((x: Tensor) => lax.mul(x, x), [tensor([1, 2])]))
    expect.error(
      failure(pb2(tensor([1, 2, 3]))),
      CotangentMismatchError,
      "unexpected type (e.g. shape/dtype) for argument to the VJP function: got float32(3,), but expected float32(2,)."
    )
  })
})

describe("errors: jacobians", () => {
  it("jacfwd of a complex input without holomorphic (JAX's test_jacfwd_of_complex_errors)", () => {
    expect.error(
      failure(jacfwd((z: Tensor) => lax.mul(z, z))(tensor({ re: 3, im: 1 }, "complex64"))),
      InputDTypeError,
      "jacfwd requires real-valued inputs (input dtype that is a sub-dtype of np.floating), but got complex64. For holomorphic differentiation, pass holomorphic=True. For differentiation of non-holomorphic functions involving complex inputs or integer inputs, use jvp directly."
    )
  })

  it("holomorphic jacfwd/jacrev of float inputs", () => {
    const sq = (x: Tensor) => lax.mul(x, x)
    assert.strictEqual(
      (failure(jacfwd(sq, { holomorphic: true })(tensor(3))) as Error).message,
      "jacfwd with holomorphic=True requires inputs with complex dtype, but got float32."
    )
    assert.strictEqual(
      (failure(jacrev(sq, { holomorphic: true })(tensor(3))) as Error).message,
      "jacrev with holomorphic=True requires inputs with complex dtype, but got float32."
    )
  })

  it("jacrev of a complex output (JAX's test_complex_output_jacrev_raises_error)", () => {
    const e = failure(jacrev((z: Tensor) => lax.sin(z))(tensor({ re: 1, im: 2 }, "complex64")))
    assert.instanceOf(e, OutputDTypeError)
    assert.include((e as Error).message, "jacrev requires real-valued outputs")
  })
})

describe("errors: linearTranspose", () => {
  it("mixing integer and float dtypes (JAX's test_linear_transpose_error)", () => {
    const e = failure(linearTranspose((x: Tensor) => lax.convertElementType(x, "float32"), tensor(1, "int32")))
    expect.error(
      e,
      LinearTransposeDTypeError,
      "linearTranspose only supports [float or complex] -> [float or complex], and integer -> integer functions, but got [int32] -> [float32]."
    )
  })
})

describe("errors: callables and VJP arity", () => {
  it("a transformation of a non-function (JAX's check_callable)", () => {
    type Fn = (x: Tensor) => Tensor
    expect.error(
      failure(grad(3 as unknown as Fn)(tensor(1))),
      NotCallableError,
      "grad: Expected a callable value, got 3"
    )
    expect.error(
      failure(jacfwd("f" as unknown as Fn)(tensor(1))),
      NotCallableError,
      "jacfwd: Expected a callable value, got \"f\""
    )
    expect.error(
      failure(vjp(null as unknown as Fn, [tensor(1)])),
      NotCallableError,
      "vjp: Expected a callable value, got null"
    )
  })

  it("a VJP function called with two cotangents (JAX's test_vjp_too_many_args)", () => {
    const pair = function pair(x: Tensor) {
      return [x, x]
    }
    const [, pullback] = run(vjp(pair, [tensor(1)]))
    const e = failure(
      (pullback as unknown as (...cts: ReadonlyArray<Tensor>) => ReturnType<typeof pullback>)(tensor(1), tensor(1))
    )
    expect.error(
      e,
      CotangentMismatchError,
      "The function returned by vjp applied to pair was called with 2 arguments, but functions returned by vjp must be called with a single argument corresponding to the single value returned by the function being differentiated (even if that returned value is an array or other container)."
    )
  })
})

describe("errors: the Effect shell", () => {
  it("an Effect that cannot complete synchronously is a typed AsyncEffectError", () => {
    const e = failure(grad((x: Tensor) => Effect.as(Effect.sleep("10 millis"), x))(tensor(1)))
    assert.instanceOf(e, AsyncEffectError)
    assert.include((e as Error).message, "grad: the function returned an Effect that cannot complete synchronously.")
  })

  it("an unbound axis in reduceAxes names the axis", () => {
    expect.error(
      failure(valueAndGrad(sum, { reduceAxes: ["batch"] })(tensor([1, 2]))),
      UnboundAxisError,
      "unbound axis name: batch. The following axis names (e.g. defined by vmap) are available to collective operations: []"
    )
  })

  it("a tracer leaked out of grad fails with EscapedTracerError when used", () => {
    let leaked: Tensor | undefined
    run(
      grad((x: Tensor) => {
        leaked = x
        return lax.mul(x, x)
      })(tensor(1))
    )
    const e = failure(grad((y: Tensor) => lax.mul(y, leaked!))(tensor(2)))
    assert.instanceOf(e, EscapedTracerError)
  })

  it("a plain exception in the user's function is a defect, not a typed failure", () => {
    const exit = Effect.runSyncExit(
      Effect.exit(
        grad((_x: Tensor): Tensor => {
          throw new RangeError("user bug")
        })(tensor(1))
      ).pipe(provideCpu)
    )
    assert.isTrue(exit._tag === "Success" && exit.value._tag === "Failure")
    const cause = exit._tag === "Success" && exit.value._tag === "Failure" ? exit.value.cause : undefined
    assert.isTrue(cause !== undefined && cause.reasons.some((r) => r._tag === "Die"))
  })
})

describe("errors: the set of diffect's error tags is the union's", () => {
  // Schema.TaggedError classes carry their `_tag` among their fields.
  const isTaggedErrorClass = (v: unknown): v is { readonly name: string } =>
    typeof v === "function" && v.prototype instanceof Error &&
    (v as unknown as { fields?: Record<string, unknown> }).fields?.["_tag"] !== undefined

  it("diffErrors is keyed by exactly DiffError's tags (checked by the compiler)", () => {
    expectTypeOf<keyof typeof diffErrors>().toEqualTypeOf<DiffError["_tag"]>()
  })

  it("files every class under its own tag", () => {
    for (const [tag, cls] of Object.entries(diffErrors)) {
      assert.strictEqual(cls.name, tag)
      assert.isTrue(isTaggedErrorClass(cls), `${tag} is not a tagged error class`)
    }
  })

  it("has every tagged error class the packages export, and no other", () => {
    const exported = [...Object.values(ad), ...Object.values(core), ...Object.values(core.Tree)].filter(
      isTaggedErrorClass
    )
    const names = new Set(exported.map((c) => c.name))
    assert.deepStrictEqual([...names].sort(), Object.keys(diffErrors).sort())
    assert.isAbove(names.size, 30)
  })

  it("isDiffError accepts diffect's errors and rejects a user's error of the same tag", () => {
    assert.isTrue(ad.isDiffError(new core.ShapeError({ operation: "add", detail: "x" })))
    assert.isTrue(ad.isDiffError(new core.TreeStructureError({ operation: "unflatten", path: "", detail: "x" })))
    assert.isTrue(ad.isDiffError(new UnboundAxisError({ axisName: "i", available: [] })))
    class ShapeError extends Schema.TaggedError<ShapeError>()("ShapeError", { detail: Schema.String }) {}
    assert.isFalse(ad.isDiffError(new ShapeError({ detail: "mine" })))
    assert.isFalse(ad.isDiffError(new Error("plain")))
    assert.isFalse(ad.isDiffError({ _tag: "ShapeError" }))
  })

  it("a user's own tagged error thrown from a transformed function is a defect, not a DiffError", () => {
    class ShapeError extends Schema.TaggedError<ShapeError>()("ShapeError", { detail: Schema.String }) {}
    const exit = Effect.runSyncExit(
      grad((_x: Tensor): Tensor => {
        throw new ShapeError({ detail: "mine" })
      })(tensor(1)).pipe(provideCpu)
    )
    assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
  })
})
