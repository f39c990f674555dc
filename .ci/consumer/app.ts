// A strict TypeScript program against the installed tarballs' declarations; type-checked with
// `tsc` under NodeNext and under bundler resolution (tsconfig.nodenext.json, tsconfig.bundler.json).
import {
  grad,
  itemSync,
  jit,
  np,
  optim,
  runSync,
  type Tensor,
  toJsSync,
  TypedArrayBackend,
  valueAndGrad
} from "diffect"
import { bind } from "diffect/extend"
import { Effect } from "effect"

type Params = { readonly w: Tensor; readonly b: Tensor }
const loss = (p: Params, x: Tensor): Tensor => np.mean(np.square(np.add(np.matmul(x, p.w), p.b)))

const params: Params = { w: np.array([[1, 2], [3, 4]]), b: np.array([0.5, -0.5]) }
const x = np.array([[1, 0], [0, 1]])
const opt = optim.adam(1e-2)
const state = opt.init(params)
const [value, grads] = runSync(valueAndGrad(loss)(params, x))
const [updates] = opt.update(grads, state, params)
const next: Params = optim.applyUpdates(params, updates)
const dsin: Tensor = runSync(grad(np.sin)(np.array(1)))
const program = Effect.gen(function*() {
  const f = jit((t: Tensor) => np.sum(np.square(t)))
  return yield* f(np.array([1, 2]))
}).pipe(Effect.provide(TypedArrayBackend.layer))
// Reads typed without casts: a number, and rows of numbers.
const lossValue: number = itemSync(value)
const wValues: Array<Array<number>> = toJsSync(next.w, { rank: 2 })
console.log(lossValue.toFixed(3), wValues[0]![0]! + 1, toJsSync(dsin), typeof bind, program)
