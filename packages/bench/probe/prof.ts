import { cases } from "../src/Cases.js"
import { diffect } from "../src/libs/diffect.js"
const id = (process.argv[2] ?? "B3") as "B3"
const data = cases[id].data()
const p = await diffect.cases[id]!(data as never)
for (let i = 0; i < 2; i++) await p.run()
const t0 = performance.now()
for (let i = 0; i < 5; i++) await p.run()
console.log(id, ((performance.now() - t0) / 5).toFixed(2), "ms")
