/**
 * Small kernel outputs that view an input's storage without being the input array itself (a
 * contiguous slice's `subarray`, a bitcast's reinterpretation). Reading `.buffer` of a typed array
 * of at most `ON_HEAP_MAX_BYTES` makes V8 move it off its heap, which costs as much as allocating
 * storage (2.5-4 us in Node 22), so the backend compares the storage of a small output only when it
 * is marked here (every other output is fresh or is one of its inputs); larger arrays' storage is
 * read as it is, at no cost.
 *
 * @internal
 */
const views = new WeakSet<ArrayBufferView>()

/** The largest typed array (in bytes) that V8 keeps on its heap until its `.buffer` is read. */
export const ON_HEAP_MAX_BYTES = 64

/** Marks `array` as a view of another array's storage (kept only for small arrays); returns it. */
export const storageView = <A extends ArrayBufferView>(array: A): A => {
  if (array.byteLength <= ON_HEAP_MAX_BYTES) views.add(array)
  return array
}

/** Whether a kernel made the small `array` as a view of another array's storage. */
export const isStorageView = (array: ArrayBufferView): boolean => views.has(array)
