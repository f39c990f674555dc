/**
 * The JSDoc examples of np.ts are claims: each example line of the form
 * `np.f(...) // expected` (optionally `// dtype expected`) is evaluated here and
 * compared with its comment. Lines whose comment is prose are skipped, but most
 * examples must be checked.
 */
import * as core from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { expect, js } from "./npSetup.js"

const source = readFileSync(new URL("../src/np.ts", import.meta.url), "utf8")
const examples = source.split("\n")
  .map((line) => /^\s*\*\s*(np\.[^/]*?)\s*\/\/\s*(.+)$/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ code: m[1]!, comment: m[2]! }))

const dtypes = new Set(["float32", "float64", "int32", "bool", "complex64", "complex128"])

// The expected value of a comment, or undefined when it is prose.
const expectedOf = (comment: string): { dtype?: string; value: unknown } | undefined => {
  let text = comment.trim()
  let dtype: string | undefined
  const first = text.split(" ")[0]!
  if (dtypes.has(first)) {
    dtype = first
    text = text.slice(first.length).trim()
  }
  if (text.includes("...") || /[a-zA-Z]{3,}/.test(text.replace(/\b(re|im|pi|true|false|NaN|Infinity)\b/g, ""))) {
    return undefined
  }
  const js = text
    .replace(/(\d+)pi/g, "$1*Math.PI")
    .replace(/\bpi\b/g, "Math.PI")
    .replace(/\blog\(/g, "Math.log(")
  try {
    return { ...(dtype === undefined ? {} : { dtype }), value: new Function(`return (${js})`)() }
  } catch {
    return undefined
  }
}

describe("np JSDoc examples", () => {
  it("every example with a value in its comment computes that value", () => {
    let checked = 0
    for (const { code, comment } of examples) {
      const expected = expectedOf(comment)
      if (expected === undefined) continue
      const got = new Function("np", `return (${code})`)(core.np) as unknown
      if (got instanceof core.Tensor) {
        if (expected.dtype !== undefined) assert.strictEqual(got.dtype, expected.dtype, code)
        expect.close(js(got), expected.value, 1e-4)
      } else if (Array.isArray(got) && got.every((t) => t instanceof core.Tensor)) {
        assert.deepStrictEqual(got.map(js), expected.value, code)
      } else {
        assert.deepStrictEqual(got, expected.value, code)
      }
      checked++
    }
    // most examples state a value; a parser regression must not silently check nothing
    assert.isAbove(checked, 90, `checked ${checked} of ${examples.length} examples`)
  })
})
