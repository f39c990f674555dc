/**
 * A pool of worker threads that run exported functions of WebAssembly modules
 * over shared memories: `node:worker_threads` in Node, Web Workers in
 * cross-origin-isolated browsers, and no workers elsewhere (the calling thread
 * does everything).
 *
 * A job is `fn(lo, hi, ...args)` over the units `[0, total)`, cut into chunks
 * of `grain` units. The chunks are claimed through one atomic counter by the
 * calling thread and the workers alike, so a worker that is still starting, or
 * busy elsewhere, costs nothing: the caller takes its chunks. Every chunk writes
 * its own outputs and the chunking depends only on the job, never on the
 * number of threads, so results are bit-identical for any pool size.
 *
 * One pool serves many modules (the GEMM kernel, each fused kernel): a module
 * is registered with the workers on its first job (a message carrying the
 * module and its shared memory; each worker instantiates it) and known by an
 * id afterwards. A worker that meets a job of a module it has not received yet
 * returns to its event loop once, so the message is delivered, and joins the
 * next job; the caller does the chunks meanwhile. The pool keeps at most
 * `MAX_MODULES` modules registered (least recently used dropped, in the workers
 * too), so instances do not pile up in the workers.
 *
 * Control block (an `Int32Array` over a `SharedArrayBuffer`): `SEQ` (the job
 * number; -1 tells workers to exit), `COUNTER` (`seq << 20 | next chunk`, so a
 * claim for a finished job fails its compare-exchange), `DONE` (chunks
 * finished), the job's `MODULE`, `TOTAL`, `GRAIN`, function index and
 * arguments, and `FAILED` (a chunk threw). The caller writes a job's fields
 * before it publishes `COUNTER` and `SEQ` (sequentially consistent stores), and
 * reads the outputs after it sees `DONE` reach the chunk count, so every write
 * a worker made to the shared memory is visible to it.
 */
import { BackendError } from "@diffect/core"

const SEQ = 0
const COUNTER = 1
const DONE = 2
const TOTAL = 3
const GRAIN = 4
const FN = 5
const NARGS = 6
const FAILED = 7
const MODULE = 8
const ARGS = 9
const MAX_ARGS = 16
/** Workers instantiated and waiting, and chunks run by workers (for tests). */
const READY = ARGS + MAX_ARGS
const WORKER_CHUNKS = READY + 1
/** A word no one writes, for the `Atomics.wait` probe. */
const PROBE = WORKER_CHUNKS + 1
const MAX_CHUNKS = 1 << 20
/** Modules registered with a pool's workers at once. */
const MAX_MODULES = 64

/**
 * How long a worker spins on the job number after a job before it sleeps in `Atomics.wait`, and
 * how long the caller spins for the workers' last chunks. Waking a thread from a wait took tens
 * to hundreds of microseconds on the project's 2-core VM, about what a chunk of a B1-sized
 * product takes: the second thread joined late and the caller slept on its last chunk, so the
 * 128 x 784 x 256 product ran 1.0 ms on two threads as on one (packing 86 -> 271 us, the kernel
 * 873 -> 689 us). Spinning is what OpenMP runtimes and pthreadpool do before blocking too.
 */
const WORKER_SPIN_MS = 2
const CALLER_SPIN_MS = 5

/**
 * A module and the shared memory its instances use; `names` are the exports a
 * job may call, by index; `imports`, the `Math` functions it imports (`env.<name>`).
 */
export interface SharedModule {
  readonly module: WebAssembly.Module
  readonly memory: WebAssembly.Memory
  readonly names: ReadonlyArray<string>
  readonly imports?: ReadonlyArray<string>
}

/** An export callable by a job: `(lo, hi, ...args)`. */
type Export = (...args: Array<number>) => void

/**
 * The claim loop, run by the caller and (as source text below) by each worker:
 * claims chunks of job `seq` until none is left.
 */
const work = (c: Int32Array, fns: ReadonlyArray<Export>, seq: number): void => {
  for (;;) {
    const w = Atomics.load(c, COUNTER)
    if (w >>> 20 !== seq) return
    const total = c[TOTAL]!
    const grain = c[GRAIN]!
    const lo = (w & (MAX_CHUNKS - 1)) * grain
    if (lo >= total) return
    if (Atomics.compareExchange(c, COUNTER, w, w + 1) !== w) continue
    const args = Array.from(c.subarray(ARGS, ARGS + c[NARGS]!))
    try {
      fns[c[FN]!]!(lo, Math.min(total, lo + grain), ...args)
    } catch {
      Atomics.store(c, FAILED, 1)
    }
    const chunks = Math.ceil(total / grain)
    if (Atomics.add(c, DONE, 1) + 1 === chunks) Atomics.notify(c, DONE)
  }
}

/**
 * The worker's program: keep the registered modules' instances, wait for jobs
 * and claim their chunks (the same loop as `work`). A job of a module not yet
 * received sends the worker back to its event loop (which delivers the message).
 * Reading `MODULE` after `SEQ`: either it is this job's, or this job is already
 * complete (its chunks all claimed), so a claim never runs the wrong module.
 */
const workerBody = `
const mods = new Map();
function register(m) {
  if (m.drop !== undefined) { mods.delete(m.drop); return; }
  try {
    const env = { memory: m.memory };
    for (const name of m.imports) env[name] = Math[name];
    const inst = new WebAssembly.Instance(m.module, { env });
    mods.set(m.id, m.names.map((n) => inst.exports[n]));
  } catch {
    mods.set(m.id, null);
  }
}
let c;
let seen = 0;
function loop() {
  for (;;) {
    // spin a while before sleeping: jobs often come back to back, and waking from a wait costs more
    const until = performance.now() + ${WORKER_SPIN_MS};
    while (Atomics.load(c, ${SEQ}) === seen && performance.now() < until) {}
    Atomics.wait(c, ${SEQ}, seen);
    const s = Atomics.load(c, ${SEQ});
    if (s < 0) return;
    const fns = mods.get(Atomics.load(c, ${MODULE}));
    if (fns === undefined) { setTimeout(loop, 0); return; }
    seen = s;
    if (fns === null) continue;
    for (;;) {
      const w = Atomics.load(c, ${COUNTER});
      if (w >>> 20 !== seen) break;
      const total = c[${TOTAL}], grain = c[${GRAIN}];
      const lo = (w & ${MAX_CHUNKS - 1}) * grain;
      if (lo >= total) break;
      if (Atomics.compareExchange(c, ${COUNTER}, w, w + 1) !== w) continue;
      // the claim is this job's: its parameters, its module, read now
      const job = mods.get(Atomics.load(c, ${MODULE}));
      const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[${NARGS}]));
      try { job[c[${FN}]](lo, Math.min(c[${TOTAL}], lo + c[${GRAIN}]), ...args); } catch { Atomics.store(c, ${FAILED}, 1); }
      Atomics.add(c, ${WORKER_CHUNKS}, 1);
      if (Atomics.add(c, ${DONE}, 1) + 1 === Math.ceil(c[${TOTAL}] / c[${GRAIN}])) Atomics.notify(c, ${DONE});
    }
  }
}
function main(d) {
  c = new Int32Array(d.control);
  Atomics.add(c, ${READY}, 1);
  loop();
}
`

/** A started worker: how to send it a module, how to stop it. */
interface WorkerHandle {
  readonly post: (message: unknown) => void
  readonly terminate: () => void
}

interface NodeWorkerThreads {
  readonly Worker: new(
    source: string,
    options: { eval: true; workerData: unknown }
  ) => {
    unref(): void
    terminate(): Promise<number>
    once(event: "exit", f: () => void): void
    postMessage(message: unknown): void
  }
}

/** `node:worker_threads` where the platform is Node (synchronously, through `process.getBuiltinModule`). */
const nodeWorkerThreads = (): NodeWorkerThreads | undefined => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  try {
    return proc?.getBuiltinModule?.("node:worker_threads") as NodeWorkerThreads | undefined
  } catch {
    return undefined
  }
}

/**
 * Starts one worker running `workerBody` on `data` (calling `onExit` when its
 * thread has ended), or `undefined` where the platform has no workers.
 */
const startWorker = (data: Record<string, unknown>, onExit: () => void): WorkerHandle | undefined => {
  const node = nodeWorkerThreads()
  if (node !== undefined) {
    const w = new node.Worker(
      `${workerBody}\nconst wt = require("node:worker_threads");\nwt.parentPort.on("message", register);\nmain(wt.workerData);`,
      { eval: true, workerData: data }
    )
    // idle workers must not keep the process alive
    w.unref()
    w.once("exit", onExit)
    return { post: (m) => w.postMessage(m), terminate: () => void w.terminate() }
  }
  const g = globalThis as {
    Worker?: new(url: string) => { postMessage(d: unknown): void; terminate(): void }
    Blob?: typeof Blob
    URL?: typeof URL
  }
  if (g.Worker === undefined || g.Blob === undefined || g.URL === undefined) return undefined
  const url = g.URL.createObjectURL(
    new g.Blob([`${workerBody}\nonmessage = (e) => e.data.control !== undefined ? main(e.data) : register(e.data);`], {
      type: "text/javascript"
    })
  )
  const w = new g.Worker(url)
  w.postMessage(data)
  g.URL.revokeObjectURL(url)
  return {
    post: (m) => w.postMessage(m),
    terminate: () => {
      w.terminate()
      onExit() // a terminated Web Worker ends at once and has no exit event
    }
  }
}

/**
 * Whether threads can share memory here: `SharedArrayBuffer` and `Atomics`
 * exist and, in browsers, the page is cross-origin isolated.
 */
export const sharedMemoryAvailable = (): boolean => {
  const g = globalThis as { crossOriginIsolated?: boolean }
  return typeof SharedArrayBuffer === "function" && typeof Atomics === "object" && g.crossOriginIsolated !== false
}

/** The number of logical cores (`os.availableParallelism` in Node, `navigator.hardwareConcurrency` in browsers). */
export const availableCores = (): number => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  try {
    const os = proc?.getBuiltinModule?.("node:os") as
      | { availableParallelism?: () => number; cpus: () => ReadonlyArray<unknown> }
      | undefined
    if (os !== undefined) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
  } catch {
    // fall through
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
  return Math.max(1, nav?.hardwareConcurrency ?? 1)
}

/**
 * A pool of `threads - 1` workers plus the calling thread, started on the first
 * job big enough to split (`run` with more than one chunk) and stopped by `close`.
 */
export interface Pool {
  /** The requested number of threads, the caller included. */
  readonly threads: number
  /** Workers started so far (0 until the first split job, and where the platform has none). */
  readonly started: () => number
  /** Worker threads still running (started and not yet exited). */
  readonly live: () => number
  /** Workers instantiated and waiting for jobs, and the chunks they ran so far (for tests). */
  readonly stats: () => { readonly ready: number; readonly workerChunks: number }
  /**
   * Runs export `fn` (an index into `shared.names`) as `fn(lo, hi, ...args)` over
   * the chunks of `[0, total)` and returns when all of them are done. `fn` must
   * compute each unit's outputs independently of the others (so that any split
   * gives the same bits). Throws a `BackendError` when a chunk trapped.
   */
  readonly run: (
    shared: SharedModule,
    fns: ReadonlyArray<Export>,
    fn: number,
    total: number,
    grain: number,
    args: ReadonlyArray<number>
  ) => void
  /** Stops the workers (a later `run` runs on the calling thread only). */
  readonly close: () => void
  readonly closed: () => boolean
}

/** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
const canBlock = (c: Int32Array): boolean => {
  try {
    Atomics.wait(c, PROBE, 1, 0)
    return true
  } catch {
    return false
  }
}

/** Makes a pool of `threads` threads (the caller counts as one); nothing starts until a job needs it. */
export const makePool = (threads: number): Pool => {
  let control: Int32Array | undefined
  let blocking = false
  let workers: Array<WorkerHandle> = []
  // registered modules, least recently used first
  const ids = new Map<SharedModule, number>()
  let nextId = 1
  let seq = 0
  let closed = false
  let live = 0
  let started = 0
  const ensure = (): Int32Array | undefined => {
    if (closed || threads <= 1 || !sharedMemoryAvailable()) return undefined
    if (control === undefined) {
      control = new Int32Array(new SharedArrayBuffer(4 * (PROBE + 1)))
      blocking = canBlock(control)
      const data = { control: control.buffer }
      for (let i = 1; i < threads; i++) {
        let w: WorkerHandle | undefined
        try {
          w = startWorker(data, () => live--)
        } catch {
          // a platform whose workers cannot run this (module-only workers, a CSP without blob:)
          w = undefined
        }
        if (w === undefined) break
        live++
        started++
        workers.push(w)
      }
    }
    return workers.length > 0 ? control : undefined
  }
  /** The id of `shared` in the workers (registered now if new; the least recently used dropped past the cap). */
  const idOf = (shared: SharedModule): number => {
    let id = ids.get(shared)
    if (id !== undefined) {
      ids.delete(shared)
      ids.set(shared, id)
      return id
    }
    id = nextId++
    ids.set(shared, id)
    const message = {
      id,
      module: shared.module,
      memory: shared.memory,
      names: shared.names,
      imports: shared.imports ?? []
    }
    for (const w of workers) w.post(message)
    if (ids.size > MAX_MODULES) {
      const [oldest, old] = ids.entries().next().value!
      ids.delete(oldest)
      for (const w of workers) w.post({ drop: old })
    }
    return id
  }
  const close = (): void => {
    if (closed) return
    closed = true
    if (control !== undefined) {
      Atomics.store(control, SEQ, -1)
      Atomics.notify(control, SEQ)
    }
    for (const w of workers) w.terminate()
    workers = []
    ids.clear()
  }
  const run: Pool["run"] = (shared, fns, fn, total, grain, args) => {
    const chunks = Math.ceil(total / grain)
    const c = chunks > 1 && chunks < MAX_CHUNKS && args.length <= MAX_ARGS ? ensure() : undefined
    if (c === undefined) {
      // one thread: all units in one call (a unit's outputs depend on nothing else, see `run`)
      fns[fn]!(0, total, ...args)
      return
    }
    seq = (seq % 2047) + 1
    // first make every claim of the previous job fail: a worker that read the counter while that
    // job was complete could otherwise claim a "chunk" of it with this job's parameters, half
    // written (seq 0 is never a job's)
    Atomics.store(c, COUNTER, 0)
    c[MODULE] = idOf(shared)
    c[TOTAL] = total
    c[GRAIN] = grain
    c[FN] = fn
    c[NARGS] = args.length
    for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i]!
    Atomics.store(c, FAILED, 0)
    Atomics.store(c, DONE, 0)
    Atomics.store(c, COUNTER, seq << 20)
    Atomics.store(c, SEQ, seq)
    Atomics.notify(c, SEQ)
    work(c, fns, seq)
    // the chunks still running are the workers' last ones: spin for them before sleeping
    const until = performance.now() + CALLER_SPIN_MS
    for (;;) {
      const done = Atomics.load(c, DONE)
      if (done >= chunks) break
      if (blocking && performance.now() > until) Atomics.wait(c, DONE, done, 50)
    }
    if (Atomics.load(c, FAILED) !== 0) {
      throw new BackendError({ backend: "typed-array", detail: "a WebAssembly kernel trapped in a worker thread" })
    }
  }
  const stats = () =>
    control === undefined
      ? { ready: 0, workerChunks: 0 }
      : { ready: Atomics.load(control, READY), workerChunks: Atomics.load(control, WORKER_CHUNKS) }
  return { threads, started: () => started, live: () => live, stats, run, close, closed: () => closed }
}
