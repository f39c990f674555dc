/**
 * The non-constant modes of `np.pad`, JAX's `_pad_*` helpers over `lax`: each pads
 * one axis at a time, so corners take the values padded along earlier axes.
 *
 * @since 0.1.0
 */
import { isInexact } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"

/** `[before, after]` per axis. @since 0.1.0 */
export type Pairs = ReadonlyArray<readonly [number, number]>

/** The statistics of `maximum`/`minimum`/`mean`/`median` padding. @since 0.1.0 */
export type PadStat = "maximum" | "minimum" | "mean" | "median"

const sliceAxis = (x: Tensor, axis: number, start: number, stop: number): Tensor => {
  const lo = x.shape.map(() => 0)
  const hi = x.shape.slice()
  lo[axis] = start
  hi[axis] = stop
  return lax.slice(x, lo, hi)
}

// `n` copies of a size-1 slice along `axis`.
const repeatSlice = (x: Tensor, axis: number, n: number): Tensor => {
  const shape = x.shape.slice()
  shape[axis] = n
  return lax.broadcastInDim(
    lax.reshape(x, x.shape.filter((_, i) => i !== axis)),
    shape,
    x.shape.map((_, i) => i).filter((i) => i !== axis)
  )
}

const noPaddingOfEmpty = (mode: string, [lo, hi]: readonly [number, number]): void => {
  if (lo > 0 || hi > 0) {
    throw new ShapeError({ operation: "pad", detail: `cannot apply '${mode}' padding to an empty axis` })
  }
}

/** JAX's `_pad_wrap`: the array repeated periodically. @since 0.1.0 */
export const padWrap = (x: Tensor, widths: Pairs): Tensor => {
  let a = x
  widths.forEach(([lo, hi], i) => {
    const n = a.shape[i]!
    if (n === 0) return noPaddingOfEmpty("wrap", [lo, hi])
    const parts: Array<Tensor> = []
    if (lo % n > 0) parts.push(sliceAxis(a, i, n - (lo % n), n))
    for (let r = 0; r < Math.floor(lo / n) + Math.floor(hi / n) + 1; r++) parts.push(a)
    if (hi % n > 0) parts.push(sliceAxis(a, i, 0, hi % n))
    a = lax.concatenate(parts, i)
  })
  return a
}

/** JAX's `_pad_edge`: the edge values repeated. @since 0.1.0 */
export const padEdge = (x: Tensor, widths: Pairs): Tensor => {
  let a = x
  widths.forEach(([lo, hi], i) => {
    const n = a.shape[i]!
    if (n === 0) return noPaddingOfEmpty("edge", [lo, hi])
    a = lax.concatenate(
      [repeatSlice(sliceAxis(a, i, 0, 1), i, lo), a, repeatSlice(sliceAxis(a, i, n - 1, n), i, hi)],
      i
    )
  })
  return a
}

/**
 * JAX's `_pad_symmetric_or_reflect`: mirror images (about the edge entry for
 * `reflect`, about the edge itself for `symmetric`), repeated while the width exceeds
 * the axis; `odd` reflects the values through the edge value too.
 *
 * @since 0.1.0
 */
export const padReflect = (x: Tensor, widths: Pairs, mode: "reflect" | "symmetric", odd: boolean): Tensor => {
  let a = x
  widths.forEach(([lo, hi], i) => {
    const size = a.shape[i]!
    if (size === 0) return noPaddingOfEmpty(mode, [lo, hi])
    const offset = mode === "reflect" && size > 1 ? 1 : 0
    const build = (padding: number, before: boolean): void => {
      const len = () => a.shape[i]!
      let edge = before ? sliceAxis(a, i, 0, 1) : sliceAxis(a, i, len() - 1, len())
      while (padding > 0) {
        const cur = Math.min(padding, size - offset)
        padding -= cur
        const n = len()
        const stop = mode === "symmetric" || size === 1 ? n : n - 1
        let m = lax.rev(before ? sliceAxis(a, i, offset, offset + cur) : sliceAxis(a, i, n - cur - offset, stop), [i])
        if (odd) {
          const e = lax.broadcastInDim(
            lax.reshape(edge, edge.shape.filter((_, k) => k !== i)),
            m.shape,
            m.shape.map((_, k) => k).filter((k) => k !== i)
          )
          m = lax.sub(lax.mul(lax.full(m.shape, 2, m.dtype, m.weakType), e), m)
          if (size > 1) edge = before ? sliceAxis(m, i, 0, 1) : sliceAxis(m, i, cur - 1, cur)
        }
        a = before ? lax.concatenate([m, a], i) : lax.concatenate([a, m], i)
      }
    }
    if (lo === 0 && hi === 0) return
    build(lo, true)
    build(hi, false)
  })
  return a
}

/**
 * JAX's `_pad_linear_ramp`: a ramp from each end value to the edge value (excluded),
 * as `linspace(end, edge, width, endpoint=False)` (floored for integer dtypes).
 *
 * @since 0.1.0
 */
export const padLinearRamp = (x: Tensor, widths: Pairs, ends: Pairs): Tensor => {
  let a = x
  widths.forEach(([lo, hi], i) => {
    const n = a.shape[i]!
    const compute = isInexact(a.dtype) ? a.dtype : "float32"
    const ramp = (width: number, end: number, edgeAt: number): Tensor => {
      const shape = a.shape.slice()
      shape[i] = width
      const edge = lax.convertElementType(sliceAxis(a, i, edgeAt, edgeAt + 1), compute)
      const e = lax.broadcastInDim(
        lax.reshape(edge, edge.shape.filter((_, k) => k !== i)),
        shape,
        shape.map((_, k) => k).filter((k) => k !== i)
      )
      const start = lax.full(shape, end, compute)
      const frac = lax.div(lax.iota(compute, shape, i), lax.full(shape, Math.max(width, 1), compute))
      let r = lax.add(start, lax.mul(lax.sub(e, start), frac))
      if (!isInexact(a.dtype)) r = lax.floor(r)
      return lax.convertElementType(r, a.dtype, a.weakType)
    }
    a = lax.concatenate([ramp(lo, ends[i]![0], 0), a, lax.rev(ramp(hi, ends[i]![1], n - 1), [i])], i)
  })
  return a
}

const statOf = (s: Tensor, axis: number, stat: PadStat): Tensor => {
  switch (stat) {
    case "maximum":
      return lax.reduceMax(s, [axis])
    case "minimum":
      return lax.reduceMin(s, [axis])
    case "mean": {
      const f = isInexact(s.dtype) ? s : lax.convertElementType(s, "float32")
      return lax.div(lax.reduceSum(f, [axis]), lax.full(f.shape.filter((_, k) => k !== axis), s.shape[axis]!, f.dtype))
    }
    case "median": {
      const f = isInexact(s.dtype) ? s : lax.convertElementType(s, "float32")
      const sorted = lax.sort(f, { dimension: axis })
      const n = s.shape[axis]!
      const lo = sliceAxis(sorted, axis, (n - 1) >> 1, ((n - 1) >> 1) + 1)
      const hi = sliceAxis(sorted, axis, n >> 1, (n >> 1) + 1)
      const mid = lax.mul(lax.add(lo, hi), lax.full(lo.shape, 0.5, lo.dtype))
      // a slice holding NaN has a NaN median, as jnp.median's
      const nan = lax.reduceMax(lax.convertElementType(lax.ne(f, f), "int32"), [axis])
      const m = lax.reshape(mid, mid.shape.filter((_, k) => k !== axis))
      return lax.select(lax.gt(nan, lax.full(nan.shape, 0, "int32")), lax.full(m.shape, NaN, m.dtype), m)
    }
  }
}

/**
 * JAX's `_pad_stats`: the statistic of the first/last `statLength` entries (all of
 * them without it) repeated; integer dtypes round it half to even.
 *
 * @since 0.1.0
 */
export const padStat = (x: Tensor, widths: Pairs, stat: PadStat, statLength: Pairs | undefined): Tensor => {
  let a = x
  widths.forEach(([lo, hi], i) => {
    const n = a.shape[i]!
    const [lb, la] = statLength === undefined ? [n, n] : statLength[i]!
    if (lb === 0 || la === 0) {
      throw new ShapeError({ operation: "pad", detail: "statLength of 0 yields no value for padding" })
    }
    if (n === 0) {
      throw new ShapeError({ operation: "pad", detail: `cannot take the ${stat} of an empty axis` })
    }
    const value = (s: Tensor): Tensor => {
      let v = statOf(s, i, stat)
      if (!isInexact(a.dtype) && isInexact(v.dtype)) v = lax.round(v, { roundingMethod: "toNearestEven" })
      v = lax.convertElementType(v, a.dtype, a.weakType)
      const kept = a.shape.slice()
      kept[i] = 1
      return lax.reshape(v, kept)
    }
    const before = value(sliceAxis(a, i, 0, Math.min(lb, n)))
    const after = value(sliceAxis(a, i, n - Math.min(la, n), n))
    a = lax.concatenate([repeatSlice(before, i, lo), a, repeatSlice(after, i, hi)], i)
  })
  return a
}
