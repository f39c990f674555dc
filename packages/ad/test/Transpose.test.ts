/**
 * Transposition and reverse mode: JAX's complex conventions, cotangent dtypes,
 * accumulation, linear_transpose, non-linear errors, higher order.
 */
import { aval, DTypeError, lax, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { linearTransposeFlat, NonLinearTransposeError, vjpFlat } from "../src/index.js"
import { ctensor, grad, scalar, tensor, value, values } from "./finiteDifferencesUtil.js"

describe("complex conventions (JAX's)", () => {
  it("the gradient of |z|^2 is 2 conj(z)", () => {
    const absSq = (z: Tensor) => lax.real(lax.mul(z, lax.conj(z)))
    assert.deepStrictEqual(values(grad(absSq)(ctensor([[1, 2]], []))), [2, -4])
  })

  it("the gradient of a real function of z = x + iy is df/dx - i df/dy", () => {
    // f = x^2 + 3y at z = 1.5 - 2i: df/dx = 3, df/dy = 3
    const f = (z: Tensor) => lax.add(lax.mul(lax.real(z), lax.real(z)), lax.mul(scalar(3), lax.imag(z)))
    assert.deepStrictEqual(values(grad(f)(ctensor([[1.5, -2]], []))), [3, -3])
  })

  it("holomorphic: the cotangent-one vjp of z^3 at 1+2i is f'(z) = -9+12i", () => {
    const cube = (z: Tensor) => lax.mul(z, lax.mul(z, z))
    assert.deepStrictEqual(values(grad(cube)(ctensor([[1, 2]], []))), [-9, 12])
    assert.deepStrictEqual(values(grad((z) => lax.integerPow(z, 3))(ctensor([[1, 2]], []))), [-9, 12])
  })

  it("a real input through a complex computation gets a real cotangent", () => {
    // f(x) = Re((x + 2i)^2) = x^2 - 4: gradient 2x
    const f = (x: Tensor) => {
      const z = lax.complex(x, scalar(2))
      return lax.real(lax.mul(z, z))
    }
    const g = grad(f)(scalar(1.5))
    assert.strictEqual(g.dtype, "float64")
    assert.strictEqual(value(g), 3)
  })
})

describe("vjpFlat", () => {
  it("accumulates cotangents where a value fans out", () => {
    // x*x + sin(x): 2x + cos x
    const g = grad((x) => lax.add(lax.mul(x, x), lax.sin(x)))(scalar(0.5))
    assert.closeTo(value(g), 1 + Math.cos(0.5), 1e-15)
  })

  it("unreached inputs get zeros of their dtype, int inputs get float0", () => {
    const [[y], vjpFn] = vjpFlat(
      ([a, , i]) => [lax.mul(a!, lax.convertElementType(i!, "float32"))],
      [tensor([1, 2], [2], "float32"), tensor([7]), tensor([3, 4], [2], "int32")]
    )
    assert.deepStrictEqual(values(y!), [3, 8])
    const [ga, gb, gi] = vjpFn([tensor([1, 1], [2], "float32")])
    assert.strictEqual(ga!.dtype, "float32")
    assert.deepStrictEqual(values(ga!), [3, 4])
    assert.strictEqual(gb!.dtype, "float64")
    assert.deepStrictEqual(values(gb!), [0])
    assert.strictEqual(gi!.dtype, "float0")
    assert.deepStrictEqual(gi!.shape, [2])
  })

  it("several outputs: cotangents of each are summed into the inputs", () => {
    const [, vjpFn] = vjpFlat(([x]) => [lax.mul(x!, x!), lax.neg(x!)], [tensor([1, 2])])
    assert.deepStrictEqual(values(vjpFn([tensor([1, 1]), tensor([10, 0])])[0]!), [-8, 4])
  })

  it("identity: the cotangent passes straight through", () => {
    const [, vjpFn] = vjpFlat(([x, y]) => [y!, x!, x!], [tensor([1, 2]), scalar(3)])
    const [gx, gy] = vjpFn([scalar(5), tensor([1, 2]), tensor([10, 20])])
    assert.deepStrictEqual(values(gx!), [11, 22])
    assert.strictEqual(value(gy!), 5)
  })

  it("checks cotangents against the outputs", () => {
    const [, vjpFn] = vjpFlat(([x]) => [lax.sin(x!)], [tensor([1, 2])])
    assert.throws(() => vjpFn([tensor([1, 2, 3])]), ShapeError)
    assert.throws(() => vjpFn([tensor([1, 2], [2], "float32")]), DTypeError)
    assert.throws(() => vjpFn([]), ShapeError)
  })

  it("vjpFn can be called repeatedly", () => {
    const [, vjpFn] = vjpFlat(([x]) => [lax.sin(x!)], [scalar(0)])
    assert.strictEqual(value(vjpFn([scalar(2)])[0]!), 2)
    assert.strictEqual(value(vjpFn([scalar(3)])[0]!), 3)
  })
})

describe("higher order", () => {
  it("grad of grad of grad of sin is -cos", () => {
    const x = scalar(0.9)
    assert.closeTo(value(grad(grad(grad(lax.sin)))(x)), -Math.cos(0.9), 1e-15)
    assert.closeTo(value(grad(grad(grad(grad(lax.sin))))(x)), Math.sin(0.9), 1e-15)
  })

  it("the Hessian of x^T A x is A + A^T (reverse over reverse, through dot_general)", () => {
    const a = tensor([1, 2, 3, 4], [2, 2])
    const quad = (x: Tensor) => lax.dotGeneral(x, lax.dotGeneral(a, x, [[1], [0]]), [[0], [0]])
    const gradQuad = (x: Tensor) => {
      const [, vjpFn] = vjpFlat(([y]) => [quad(y!)], [x])
      return vjpFn([scalar(1)])[0]!
    }
    const rows = [0, 1].map((i) => {
      const [, vjpFn] = vjpFlat(([y]) => [gradQuad(y!)], [tensor([0.3, -0.7])])
      return values(vjpFn([tensor(i === 0 ? [1, 0] : [0, 1])])[0]!)
    })
    assert.deepStrictEqual(rows, [[2, 5], [5, 8]])
  })
})

describe("linearTransposeFlat", () => {
  it("transposes a linear function (JAX's linear_transpose example shape)", () => {
    // f(x, y) = [0.5 x - 0.5 y, sum(x)]
    const f = ([x, y]: ReadonlyArray<Tensor>) => [
      lax.sub(lax.mul(x!, tensor([0.5, 0.5])), lax.mul(y!, tensor([0.5, 0.5]))),
      lax.reduceSum(x!, [0])
    ]
    const fT = linearTransposeFlat(f, [aval([2], "float64"), aval([2], "float64")])
    const [cx, cy] = fT([tensor([1, 2]), scalar(10)])
    assert.deepStrictEqual(values(cx!), [10.5, 11])
    assert.deepStrictEqual(values(cy!), [-0.5, -1])
  })

  it("transposes structural ops: reshape, transpose, slice, pad, concatenate", () => {
    const f = ([x]: ReadonlyArray<Tensor>) => [
      lax.concatenate([
        lax.transpose(lax.reshape(x!, [2, 3]), [1, 0]),
        lax.slice(lax.reshape(x!, [3, 2]), [0, 0], [3, 1])
      ], 1)
    ]
    const fT = linearTransposeFlat(f, [aval([6], "float64")])
    // f(x)[i][j] for j < 2 is x[3j + i]; column 2 is x[2i]
    const ct = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3])
    // x[k] receives ct[k % 3][floor(k / 3)] plus ct[k / 2][2] for even k
    assert.deepStrictEqual(values(fT([ct])[0]!), [1 + 3, 4, 7 + 6, 2, 5 + 9, 8])
  })

  it("transposes integer linear maps on integers (as jax.linear_transpose does)", () => {
    const fT = linearTransposeFlat(([x]) => [lax.mul(tensor([2, 3], [2], "int32"), x!)], [aval([2], "int32")])
    const [ct] = fT([tensor([5, 7], [2], "int32")])
    assert.strictEqual(ct!.dtype, "int32")
    assert.deepStrictEqual(values(ct!), [10, 21])
    const gT = linearTransposeFlat(() => [tensor([1], [1], "int32")], [aval([2], "int32")])
    assert.deepStrictEqual(values(gT([tensor([4], [1], "int32")])[0]!), [0, 0])
  })

  it("stop_gradient transposes to zero, as its derivative is zero", () => {
    const fT = linearTransposeFlat(([x]) => [lax.add(x!, lax.stopGradient(x!))], [aval([], "float64")])
    assert.strictEqual(value(fT([scalar(2)])[0]!), 2)
  })

  it("fails with NonLinearTransposeError on a non-linear function", () => {
    const fT = linearTransposeFlat(([x]) => [lax.mul(x!, x!)], [aval([], "float64")])
    assert.throws(() => fT([scalar(1)]), NonLinearTransposeError)
    const gT = linearTransposeFlat(([x]) => [lax.sin(x!)], [aval([], "float64")])
    assert.throws(() => gT([scalar(1)]), NonLinearTransposeError)
  })
})
