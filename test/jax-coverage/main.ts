/**
 * `pnpm coverage:jax`: rewrites docs/jax-coverage.md from diffect's exports
 * (see coverage.ts).
 */
import { writeFileSync } from "node:fs"
import { render } from "./coverage.js"

const target = new URL("../../docs/jax-coverage.md", import.meta.url)
writeFileSync(target, render())
console.log(`wrote ${target.pathname}`)
