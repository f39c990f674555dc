export * from "./Collectives.js"
