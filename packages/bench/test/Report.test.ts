/**
 * The report's arithmetic: ratios to the fastest agreeing library, the
 * subject-versus-best-peer column, and marks for disagreeing or failed cells.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Cell, Results } from "../src/Bench.js"
import { defaultPolicy } from "../src/Harness.js"
import type { Library } from "../src/Library.js"
import { render } from "../src/Report.js"

const lib = (name: string): Library => ({
  name,
  versions: { [name]: "1.0.0" },
  settings: () => `${name} settings`,
  activate: async () => {},
  cases: {}
})

const measured = (medianMs: number, agrees = true): Cell => ({
  _tag: "Measured",
  medianMs,
  minMs: medianMs,
  runs: 10,
  errors: agrees ? [1e-7] : [0.5],
  agrees
})

const report = (results: Results) =>
  render({
    date: new Date("2026-01-01T00:00:00Z"),
    machine: ["CPU(s): 2"],
    libraries: [lib("diffect"), lib("peerA"), lib("peerB")],
    subject: "diffect",
    ids: ["B5"],
    results,
    policy: defaultPolicy,
    micro: { ok: true, output: "micro output" },
    totalSeconds: 1,
    commit: "abc"
  })

const row = (md: string) => md.split("\n").find((l) => l.startsWith("| B5 matmul"))!

describe("report", () => {
  it("gives each cell its ratio to the fastest library and the subject's ratio to the best peer", () => {
    const md = report({ B5: { diffect: measured(30), peerA: measured(10), peerB: measured(20) } })
    const cells = row(md).split("|").map((c) => c.trim())
    assert.deepStrictEqual(cells.slice(1, 6), ["B5 matmul", "30.0 (3.0x)", "10.0 (1.0x)", "20.0 (2.0x)", "3.00x"])
    assert.include(md, "- B5 matmul: diffect takes 3.0x the time of peerA.")
    assert.include(md, "micro output")
  })

  it("never counts a disagreeing result as fastest, and marks it", () => {
    const md = report({ B5: { diffect: measured(30), peerA: measured(1, false), peerB: measured(20) } })
    const cells = row(md).split("|").map((c) => c.trim())
    assert.deepStrictEqual(cells.slice(2, 6), ["30.0 (1.5x)", "1.00 (0.1x) ✗", "20.0 (1.0x)", "1.50x"])
  })

  it("shows unsupported and failed cells, and lists failures", () => {
    const md = report({
      B5: { diffect: measured(5), peerA: { _tag: "Unsupported" }, peerB: { _tag: "Failed", message: "boom" } }
    })
    const cells = row(md).split("|").map((c) => c.trim())
    assert.deepStrictEqual(cells.slice(2, 6), ["5.00 (1.0x)", "—", "failed", "—"])
    assert.include(md, "- B5 matmul, peerB: boom")
  })
})
