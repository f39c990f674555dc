import { grad, np, runSync, toJsSync } from "diffect"
import type { Tensor } from "diffect"
const x = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: "float64" })
console.log(toJsSync(runSync(grad((t: Tensor) => np.sum(np.linalg.eigvalsh(t)))(x))))
const y = np.array([[2, 0.5, 0.1], [0.5, 1, 0.3], [0.1, 0.3, -1]], { dtype: "float64" })
console.log(toJsSync(runSync(grad((t: Tensor) => np.sum(np.linalg.eigvalsh(t)))(y))))
console.log(
  toJsSync(runSync(
    grad((t: Tensor) => np.sum(np.multiply(np.array([1, 2, 3], { dtype: "float64" }), np.linalg.eigvalsh(t))))(y)
  ))
)
const z = np.array([[2, 0.5], [0.1, 1], [0.3, -1]], { dtype: "float64" })
console.log(toJsSync(runSync(grad((t: Tensor) => np.sum(np.linalg.qr(t)[0]))(z))))
console.log(toJsSync(runSync(grad((t: Tensor) => np.sum(np.linalg.svdvals(t)))(z))))
