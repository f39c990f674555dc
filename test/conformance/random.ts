/**
 * Conformance cases for uint32, the bitwise primitives and jax.random: integer
 * results are compared exactly with hand-derived values, Random123's known
 * answer and JAX's pinned values, so the GPU must hash keys bit for bit.
 */
import { lax, np } from "@diffect/core"
import { random } from "@diffect/nn"
import { threefry2x32Counts } from "../../packages/nn/src/internal/threefry.js"
import type { Case } from "./cases.js"

const M = 0xffffffff
const u32 = (xs: ReadonlyArray<number>) => np.array([...xs], { dtype: "uint32" })
const i32 = (xs: ReadonlyArray<number>) => np.array([...xs], { dtype: "int32" })
const A = [0, 1, 7, 0x80000000, M, 0x1bd11bda]
const S = [0, 1, 13, 31, 32, 40]

export const uint32Cases: ReadonlyArray<Case> = [
  {
    name: "uint32 add wraps",
    run: () => lax.add(u32(A), u32([M, M, 1, 0x80000000, 1, 0])),
    expected: [M, 0, 8, 0, 0, 0x1bd11bda]
  },
  { name: "uint32 mul wraps", run: () => lax.mul(u32([0x10000, M, 3]), u32([0x10000, M, 5])), expected: [0, 1, 15] },
  {
    name: "uint32 div and rem by zero",
    run: () => lax.div(u32([7, M, 9]), u32([0, 2, 4])),
    expected: [M, 0x7fffffff, 2]
  },
  { name: "uint32 rem", run: () => lax.rem(u32([7, M, 9]), u32([0, 10, 4])), expected: [7, 5, 1] },
  { name: "uint32 xor", run: () => lax.xor(u32(A), u32([M, M, M, M, M, M])), expected: A.map((a) => (~a) >>> 0) },
  {
    name: "uint32 shift_left",
    run: () => lax.shiftLeft(u32([1, 1, 1, 1, 1, 1]), u32(S)),
    expected: [1, 2, 8192, 0x80000000, 0, 0]
  },
  {
    name: "uint32 shift_right_logical",
    run: () => lax.shiftRightLogical(u32([M, M, M, M, M, M]), u32(S)),
    expected: [M, 0x7fffffff, 0x7ffff, 1, 0, 0]
  },
  {
    name: "uint32 shift_right_arithmetic",
    run: () => lax.shiftRightArithmetic(u32([0x80000000, 0x80000000, 0x40000000]), u32([1, 40, 40])),
    expected: [0xc0000000, M, 0]
  },
  {
    name: "uint32 comparisons are unsigned",
    run: () => lax.lt(u32([0x80000000, 1]), u32([1, 0x80000000])),
    expected: [false, true]
  },
  { name: "int32 xor", run: () => lax.xor(i32([-1, 6, 0]), i32([0, 3, -8])), expected: [-1, 5, -8] },
  { name: "int32 shifts", run: () => lax.shiftRightLogical(i32([-1, -1, 8]), i32([28, 32, 2])), expected: [15, 0, 2] },
  {
    name: "int32 -> uint32 keeps the bits",
    run: () => lax.convertElementType(i32([-1, 5]), "uint32"),
    expected: [M, 5]
  },
  { name: "uint32 -> float32", run: () => lax.convertElementType(u32([M, 3]), "float32"), expected: [4294967296, 3] },
  { name: "uint32 reduce_sum wraps", run: () => lax.reduceSum(u32([M, 2, 5]), [0]), expected: 6 },
  {
    name: "threefry: Random123 known answer (key, count from the digits of pi)",
    run: () => threefry2x32Counts(u32([0x13198a2e, 0x03707344]), u32([0x243f6a88, 0x85a308d3])),
    expected: [0xc4923a9c, 0x483df7a0]
  },
  {
    name: "random.bits, legacy stream: JAX's testRngRandomBits",
    run: () => random.withPartitionable(false, () => random.bits(random.key(1701), [3])),
    expected: [56197195, 4200222568, 961309823]
  },
  {
    name: "random.split, legacy stream: JAX's testPRNGValues",
    run: () => random.withPartitionable(false, () => random.split(random.key(0), 4)),
    expected: [[2285895361, 1501764800], [1518642379, 4090693311], [433833334, 4221794875], [839183663, 3740430601]]
  },
  { name: "random.bits, partitionable stream", run: () => random.bits(random.key(42), [2, 3]) },
  { name: "random.uniform is exact (mantissa bits)", run: () => random.uniform(random.key(7), [16]), rtol: 0, atol: 0 },
  { name: "random.normal", run: () => random.normal(random.key(7), [16]), rtol: 1e-5, atol: 1e-6 },
  {
    name: "random.randint, legacy stream: JAX's testPRNGValues",
    run: () => random.withPartitionable(false, () => random.randint(random.key(0), [3, 3], 0, 8)),
    expected: [[2, 1, 3], [6, 1, 5], [6, 3, 4]]
  }
]
