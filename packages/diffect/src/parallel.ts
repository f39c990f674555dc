/**
 * `diffect/parallel`: data-parallel maps over worker threads. `pmap` maps a
 * function declared with `Remote.make` over the leading axis of its arguments
 * across a `Mesh` of workers; collectives over the mapped axis are all-reduces
 * in rank order, equal to a one-process `vmap` bit for bit. See
 * docs/guide/data-parallel.md.
 *
 * @since 0.1.0
 */
export * from "@diffect/parallel"
