/**
 * Data-parallel maps for diffect: `pmap` over a `Mesh` of worker threads, with
 * collectives over the mapped axis as all-reduces in rank order.
 *
 * @since 0.1.0
 */

export * as Cluster from "./Cluster.js"
export * from "./Errors.js"
export * from "./Mesh.js"
export * from "./Pmap.js"
export * as Remote from "./Remote.js"
export * as Resident from "./Resident.js"
