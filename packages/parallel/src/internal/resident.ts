/**
 * The handle of a value that lives in every worker of a mesh (`Resident.ts`):
 * its id in the workers' stores, the mesh it belongs to, and its tensor
 * leaves' shapes (so that `pmap` can check a mapped resident's axis without
 * asking the workers).
 *
 * @internal
 */

/** @internal */
export const ResidentTypeId = "~@diffect/parallel/Resident"

/** A resident tensor leaf's type. @internal */
export interface LeafAval {
  readonly shape: ReadonlyArray<number>
  readonly dtype: string
}

/** @internal */
export interface ResidentHandle {
  readonly [ResidentTypeId]: typeof ResidentTypeId
  readonly id: number
  readonly mesh: object
  readonly leaves: ReadonlyArray<LeafAval>
  /** Set when the value was released (`Resident.release`, or donated to a call). */
  released: boolean
}

/** @internal */
export const isResidentHandle = (u: unknown): u is ResidentHandle =>
  typeof u === "object" && u !== null && (u as Record<string, unknown>)[ResidentTypeId] === ResidentTypeId

/** @internal */
export const makeHandle = (id: number, mesh: object, leaves: ReadonlyArray<LeafAval>): ResidentHandle => ({
  [ResidentTypeId]: ResidentTypeId,
  id,
  mesh,
  leaves,
  released: false
})
