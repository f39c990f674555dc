import { assert, it as plainIt, layer } from "@effect/vitest"
import { lax, np, runSync, type Tensor, toJsSync, vmap } from "diffect"
import { Effect, Schedule } from "effect"
import type { Worker } from "node:worker_threads"
import { Mesh, pmap, Resident } from "../src/index.js"
import {
  keptTwice,
  type Mlp,
  rowsPerStep,
  sgdStep,
  sgdStepDonating,
  sgdStepOrDie,
  sgdStepPlain
} from "./fixtures/steps.js"

const bits = (t: unknown): Array<number> => [toJsSync(t as Tensor)].flat(4) as Array<number>
const sameBits = (actual: unknown, expected: unknown, what: string): void => {
  const a = bits(actual)
  const e = bits(expected)
  assert.strictEqual(a.length, e.length, what)
  a.forEach((v, i) => assert.isTrue(Object.is(v, e[i]), `${what}, element ${i}: ${v} !== ${e[i]}`))
}

// Deterministic values whose float sums depend on their order.
const values = (n: number, seed: number): Array<number> =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 7.31 + i * 1.37) * (1 + (i % 5)))
const tensor = (shape: ReadonlyArray<number>, seed: number, dtype: "float32" | "float64") =>
  np.array(values(shape.reduce((a, b) => a * b, 1), seed), { dtype }).reshape([...shape])

const features = 5
const hidden = 6
const steps = 6
const init = (dtype: "float32" | "float64"): Mlp => ({
  w1: np.multiply(tensor([features, hidden], 1, dtype), 0.3),
  b1: np.multiply(tensor([hidden], 2, dtype), 0.1),
  w2: np.multiply(tensor([hidden, 1], 3, dtype), 0.3),
  b2: np.multiply(tensor([1], 4, dtype), 0.1)
})
// `shards` blocks of the axis, each with its rows for every step.
const dataset = (shards: number, dtype: "float32" | "float64") => ({
  x: tensor([shards, steps * rowsPerStep, features], 5, dtype),
  y: tensor([shards, steps * rowsPerStep, 1], 6, dtype)
})

// The steps' losses and final parameters equal those of the same steps vmapped in one process, bit for bit.
const sameAsVmap = (
  losses: ReadonlyArray<Tensor>,
  final: Mlp,
  p0: Mlp,
  data: { readonly x: Tensor; readonly y: Tensor }
): void => {
  let p = p0
  for (let s = 0; s < steps; s++) {
    const [next, loss] = runSync(
      vmap(sgdStep.f, { axisName: "i", inAxes: [null, 0, null], outAxes: [null, null] })(p, data, s)
    )
    sameBits(losses[s], loss, `loss of step ${s}`)
    p = next as Mlp
  }
  for (const k of ["w1", "b1", "w2", "b2"] as const) sameBits(final[k], p[k], `final ${k}`)
}

// `steps` training steps with resident state (donated each step) and a resident dataset of
// `shards` blocks: the losses, the tensor bytes each step moved, and the final parameters.
const residentRun = (remote: typeof sgdStep, dtype: "float32" | "float64", shards: number) =>
  Effect.gen(function*() {
    const mesh = yield* Mesh
    const p0 = init(dtype)
    const data = dataset(shards, dtype)
    let state = yield* Resident.replicate(p0)
    const resident = yield* Resident.replicate(data)
    const step = pmap(remote, { axisName: "i", inAxes: [null, 0, null], outAxes: ["resident", null], donate: [0] })
    const losses: Array<Tensor> = []
    const traffic: Array<{ sent: number; received: number }> = []
    for (let s = 0; s < steps; s++) {
      const before = mesh.traffic()
      const [next, loss] = yield* step(state, resident, s)
      const after = mesh.traffic()
      traffic.push({ sent: after.sentBytes - before.sentBytes, received: after.receivedBytes - before.receivedBytes })
      assert.isTrue(state.released, "the donated state is released")
      state = next
      losses.push(loss)
    }
    const final = yield* Resident.fetch(state)
    yield* Resident.release(state)
    yield* Resident.release(resident)
    return { p0, data, losses, traffic, final }
  })

layer(Mesh.layer({ workers: 2 }), { timeout: 120_000 })("resident training state", (it) => {
  for (const dtype of ["float64", "float32"] as const) {
    for (const shards of [2, 4]) {
      it.effect(`the loss curve equals vmap's bit for bit (${dtype}, ${shards} shards on 2 workers)`, () =>
        Effect.gen(function*() {
          const { data, final, losses, p0, traffic } = yield* residentRun(sgdStep, dtype, shards)
          // The reference: the same steps vmapped in one process.
          sameAsVmap(losses, final, p0, data)
          // Per step, nothing but the loss crossed: no tensor went to the workers, one scalar came back.
          const scalar = dtype === "float64" ? 8 : 4
          for (const t of traffic) assert.deepStrictEqual(t, { sent: 0, received: 2 * scalar })

          // And the plain full-batch run in one process agrees up to rounding (the mean of the
          // shards' means is the mean over the whole batch, summed in another order).
          let q = p0
          const tolerance = dtype === "float64" ? 1e-12 : 1e-5
          for (let s = 0; s < steps; s++) {
            const rows = (t: Tensor) =>
              np.reshape(
                lax.slice(t, [0, s * rowsPerStep, 0], [shards, (s + 1) * rowsPerStep, t.shape[2]!]),
                [shards * rowsPerStep, -1]
              )
            const [next, loss] = runSync(sgdStepPlain(q, rows(data.x), rows(data.y)))
            const got = bits(losses[s])[0]!
            const want = bits(loss)[0]!
            assert.isAtMost(Math.abs(got - want), tolerance * Math.abs(want), `plain loss of step ${s}`)
            q = next as Mlp
          }
        }))
    }
  }

  it.effect("a step that donates its parameters to a jitted update equals vmap's (the replicated state is never written in place)", () =>
    Effect.gen(function*() {
      const { data, final, losses, p0 } = yield* residentRun(sgdStepDonating, "float32", 2)
      sameAsVmap(losses, final, p0, data)
    }))

  it.effect("releasing a resident value frees only what no other resident value holds", () =>
    Effect.gen(function*() {
      // 65,536 float32 values (256 KiB): storage the workers' backends recycle once it is freed
      const n = 65536
      const w = yield* Resident.replicate(np.ones([n]))
      const x = np.reshape(np.remainder(np.arange(2 * n, { dtype: "float32" }), 8), [2, n])
      const total = 2 * n * 3.5 // the sum of 16,384 runs of 0 .. 7, exact in float32
      const f = pmap(keptTwice, { axisName: "i", inAxes: [null, 0], outAxes: ["resident", "resident", 0] })
      const [a, b] = yield* f(w, x)
      // `a` and `b` hold the same tensors in each worker: releasing `a` must leave `b` whole,
      // while the next calls allocate arrays of the same size
      yield* Resident.release(a)
      for (let i = 0; i < 3; i++) {
        const [c, d, doubled] = yield* f(w, x)
        assert.deepStrictEqual((toJsSync(doubled as Tensor) as Array<Array<number>>)[0]!.slice(0, 3), [0, 2, 4])
        yield* Resident.release(c)
        yield* Resident.release(d)
      }
      const kept = (yield* Resident.fetch(b)) as Tensor
      assert.isTrue((toJsSync(kept) as Array<number>).every((v) => v === 1 + total))
      yield* Resident.release(b)
      yield* Resident.release(w)
    }))

  it.effect("released and foreign handles are typed errors", () =>
    Effect.gen(function*() {
      const r = yield* Resident.replicate({ w: np.ones([2]) })
      const back = yield* Resident.fetch(r)
      assert.deepStrictEqual(toJsSync(back.w), [1, 1])
      yield* Resident.release(r)
      const again = yield* Effect.flip(Resident.fetch(r))
      assert.strictEqual(again._tag, "PmapArgumentError")
      assert.strictEqual(again.message, `Resident.fetch: resident value #${r.id} was released`)
      const used = yield* Effect.flip(
        pmap(sgdStep, { axisName: "i", inAxes: [null, 0, null] })(r as never, dataset(2, "float32"), 0)
      )
      assert.strictEqual(used._tag, "PmapArgumentError")
      assert.include(used.message, "which was released")
    }))
})

plainIt.live(
  "a worker dying mid-step fails the step with a typed error; the state is recovered from a live worker",
  () =>
    Effect.gen(function*() {
      const threads: Array<{ readonly worker: Worker; readonly rank: number }> = []
      const p0 = init("float64")
      const data = dataset(2, "float64")
      // The reference curve: vmap in one process.
      const expected: Array<Tensor> = []
      let p = p0
      for (let s = 0; s < steps; s++) {
        const [next, loss] = runSync(
          vmap(sgdStep.f, { axisName: "i", inAxes: [null, 0, null], outAxes: [null, null] })(p, data, s)
        )
        expected.push(loss)
        p = next as Mlp
      }
      yield* Effect.gen(function*() {
        const step = pmap(sgdStep, { axisName: "i", inAxes: [null, 0, null], outAxes: ["resident", null], donate: [0] })
        let state = yield* Resident.replicate(p0)
        let resident = yield* Resident.replicate(data)
        const losses: Array<Tensor> = []
        const [next0, loss0] = yield* step(state, resident, 0)
        state = next0
        losses.push(loss0)

        // Worker 1 exits in the middle of step 1, before its collective; worker 0 waits there.
        const victim = threads.find((t) => t.rank === 1)!.worker.threadId
        const lost = yield* Effect.flip(
          pmap(sgdStepOrDie, {
            axisName: "i",
            inAxes: [null, 0, null, null],
            outAxes: ["resident", null],
            donate: [0]
          })(
            state,
            resident,
            1,
            victim
          ).pipe(Effect.timeout("90 seconds"))
        )
        assert.strictEqual(lost._tag, "WorkerLostError", lost.message)
        assert.strictEqual((lost as { rank?: number }).rank, 1)
        assert.isFalse(state.released, "a failed call donates nothing")

        // The replacement worker holds no resident values: a typed error again, not a hang.
        const missing = yield* Effect.flip(
          step(state, resident, 1).pipe(
            Effect.retry({
              schedule: Schedule.spaced("500 millis"),
              times: 60,
              while: (e) => e._tag === "WorkerLostError"
            }),
            Effect.timeout("90 seconds")
          )
        )
        assert.strictEqual(missing._tag, "ResidentLostError", missing.message)
        assert.strictEqual((missing as { rank?: number }).rank, 1)

        // Recovery: read the state and the data back from worker 0, place them again, go on.
        state = yield* Resident.replicate(yield* Resident.fetch(state))
        resident = yield* Resident.replicate(yield* Resident.fetch(resident))
        for (let s = 1; s < steps; s++) {
          const [next, loss] = yield* step(state, resident, s)
          state = next
          losses.push(loss)
        }
        losses.forEach((loss, s) => sameBits(loss, expected[s], `loss of step ${s}`))
        const final = yield* Resident.fetch(state)
        for (const k of ["w1", "b1", "w2", "b2"] as const) sameBits(final[k], p[k], `final ${k}`)
      }).pipe(
        Effect.provide(Mesh.layer({ workers: 2, onSpawn: (worker, rank) => threads.push({ worker, rank }) }))
      )
      assert.strictEqual(threads.filter((t) => t.rank === 1).length, 2, "worker 1 was replaced")
    }),
  180_000
)
