/**
 * Algebraic laws of np ops, checked by fast-check on random shapes and values
 * (float64, so exact laws hold exactly and rounding-sensitive ones within 1e-12).
 */
import { np, Shape, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { expect } from "./npSetup.js"

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 })
const valuesFor = (shape: ReadonlyArray<number>) =>
  fc.array(fc.double({ min: -100, max: 100, noNaN: true }), {
    minLength: Shape.sizeOf(shape),
    maxLength: Shape.sizeOf(shape)
  })
const tensorArb = shapeArb.chain((shape) => valuesFor(shape).map((v) => tensorOf(shape, v)))
const tensorOf = (shape: ReadonlyArray<number>, values: ReadonlyArray<number>): Tensor =>
  np.reshape(np.array(new Float64Array(values)), shape)
const flat = (t: Tensor): Array<number> => [toJsSync(t)].flat(Infinity as 1) as Array<number>

// Two or three tensors of one shape.
const sameShape = (n: number) =>
  shapeArb.chain((shape) =>
    fc.tuple(...Array.from({ length: n }, () => valuesFor(shape))).map((vs) => vs.map((v) => tensorOf(shape, v)))
  )

describe("np laws (fast-check)", () => {
  it("addition and multiplication commute, also with broadcasting", () => {
    fc.assert(fc.property(sameShape(2), ([a, b]) => {
      assert.deepStrictEqual(flat(np.add(a!, b!)), flat(np.add(b!, a!)))
      assert.deepStrictEqual(flat(np.multiply(a!, b!)), flat(np.multiply(b!, a!)))
    }))
    fc.assert(fc.property(tensorArb, fc.double({ min: -10, max: 10, noNaN: true }), (a, s) => {
      const row = np.array(new Float64Array([s]))
      assert.deepStrictEqual(flat(np.add(a, row)), flat(np.add(row, a)))
    }))
  })
  it("multiplication associates (within rounding)", () => {
    fc.assert(fc.property(sameShape(3), ([a, b, c]) => {
      expect.close(flat(np.multiply(np.multiply(a!, b!), c!)), flat(np.multiply(a!, np.multiply(b!, c!))), 1e-12)
    }))
  })
  it("transposing by a permutation and then by its inverse is the identity", () => {
    const arb = tensorArb.chain((t) =>
      fc.shuffledSubarray(Array.from({ length: t.ndim }, (_, i) => i), { minLength: t.ndim, maxLength: t.ndim }).map((
        perm
      ) => [t, perm] as const)
    )
    fc.assert(fc.property(arb, ([t, perm]) => {
      const inverse = perm.map((_, i) => perm.indexOf(i))
      const back = np.transpose(np.transpose(t, { axes: perm }), { axes: inverse })
      assert.deepStrictEqual(back.shape, t.shape)
      assert.deepStrictEqual(flat(back), flat(t))
      assert.deepStrictEqual(flat(np.transpose(np.transpose(t))), flat(t))
    }))
  })
  it("reshape round trip keeps the row-major order", () => {
    fc.assert(fc.property(tensorArb, (t) => {
      const r = np.reshape(t, [-1])
      assert.deepStrictEqual(flat(r), flat(t))
      assert.deepStrictEqual(flat(np.reshape(r, t.shape)), flat(t))
      assert.deepStrictEqual(np.reshape(r, t.shape).shape, t.shape)
    }))
  })
  it("the sum over all axes is the sum of the sums over each axis in turn", () => {
    fc.assert(fc.property(tensorArb, (t) => {
      let s = t
      while (s.ndim > 0) s = np.sum(s, { axis: 0 })
      const direct = toJsSync(np.sum(t)) as number
      const naive = flat(t).reduce((x, y) => x + y, 0)
      expect.close(toJsSync(s), direct, 1e-12)
      expect.close(direct, naive, 1e-12)
    }))
  })
  it("matmul agrees with a naive triple loop, batched and broadcast", () => {
    const arb = fc.record({
      batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      m: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 1, max: 4 }),
      n: fc.integer({ min: 1, max: 4 }),
      broadcastRight: fc.boolean()
    }).chain(({ batch, broadcastRight, k, m, n }) => {
      const ls = [...batch, m, k]
      const rs = broadcastRight ? [k, n] : [...batch, k, n]
      return fc.tuple(valuesFor(ls), valuesFor(rs)).map(([lv, rv]) => ({ batch, m, k, n, ls, rs, lv, rv }))
    })
    fc.assert(fc.property(arb, ({ batch, k, ls, lv, m, n, rs, rv }) => {
      const out = np.matmul(tensorOf(ls, lv), tensorOf(rs, rv))
      assert.deepStrictEqual(out.shape, [...batch, m, n])
      const nb = Shape.sizeOf(batch)
      const expected: Array<number> = []
      for (let b = 0; b < nb; b++) {
        const rOff = rs.length === 2 ? 0 : b * k * n
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0
            for (let p = 0; p < k; p++) acc += lv[b * m * k + i * k + p]! * rv[rOff + p * n + j]!
            expected.push(acc)
          }
        }
      }
      expect.close(flat(out), expected, 1e-12)
      // einsum names the same contraction
      if (batch.length === 0) {
        expect.close(flat(np.einsum("ik,kn->in", tensorOf(ls, lv), tensorOf(rs, rv))), expected, 1e-12)
      }
    }))
  })
  it("integer floorDivide and mod satisfy a = (a // b) * b + a % b with 0 <= |a % b| < |b|, sign of b", () => {
    const ints = fc.array(
      fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -50, max: 50 }).filter((b) => b !== 0)),
      {
        minLength: 1,
        maxLength: 20
      }
    )
    fc.assert(fc.property(ints, (pairs) => {
      const a = np.array(pairs.map((p) => p[0]), { dtype: "int32" })
      const b = np.array(pairs.map((p) => p[1]), { dtype: "int32" })
      const q = flat(np.floorDivide(a, b))
      const r = flat(np.mod(a, b))
      pairs.forEach(([x, y], i) => {
        assert.strictEqual(q[i]! * y + r[i]!, x)
        assert.strictEqual(q[i], Math.floor(x / y))
        assert.isTrue(Math.abs(r[i]!) < Math.abs(y) && (r[i] === 0 || Math.sign(r[i]!) === Math.sign(y)))
      })
    }))
  })
  it("float floorDivide and mod are Python's divmod: q integral, r = fmod-like remainder with the divisor's sign, q * b + r ~ a", () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true })
    const pairs = fc.array(fc.tuple(finite, finite.filter((b) => Math.abs(b) > 1e-3)), { minLength: 1, maxLength: 20 })
    fc.assert(fc.property(pairs, (ps) => {
      const a = np.array(ps.map((p) => p[0]), { dtype: "float64" })
      const b = np.array(ps.map((p) => p[1]), { dtype: "float64" })
      const q = flat(np.floorDivide(a, b))
      const r = flat(np.mod(a, b))
      ps.forEach(([x, y], i) => {
        assert.isTrue(Number.isInteger(q[i]!), `${x} // ${y} = ${q[i]}`)
        // |r| <= |y|: r + y can round to y itself (Python: 5e-324 % -0.001 is -0.001)
        assert.isTrue(Math.abs(r[i]!) <= Math.abs(y) && (r[i] === 0 || Math.sign(r[i]!) === Math.sign(y)))
        // CPython's float_divmod: the quotient rounds (x - x % y) / y, so it is floor(x / y) or one below
        assert.isTrue(q[i] === Math.floor(x / y) || q[i] === Math.floor(x / y) - 1, `${x} // ${y} = ${q[i]}`)
        assert.closeTo(q[i]! * y + r[i]!, x, 1e-9 * (Math.abs(x) + Math.abs(q[i]! * y)) + 1e-12)
      })
    }))
  })
  it("broadcasting agrees with NumPy's rule on shapes", () => {
    const arb = fc.tuple(
      shapeArb,
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 0, max: 3 })
    )
    fc.assert(fc.property(arb, ([shape, ones, drop]) => {
      // a compatible shape: some dims replaced by 1, some leading dims dropped
      const other = shape.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, shape.length))
      const out = np.add(np.zeros(shape), np.ones(other))
      assert.deepStrictEqual(out.shape, shape)
      assert.isTrue(flat(out).every((v) => v === 1))
    }))
  })
})
