/**
 * Kernel outputs that view an input's storage without being the input array itself (a contiguous
 * slice's `subarray`, a bitcast's reinterpretation). The backend compares storage (`.buffer`) only
 * for these: every other output is fresh or is one of its inputs. Reading `.buffer` of a typed
 * array of 64 bytes or less makes V8 move it off its heap, which costs as much as allocating
 * storage (2.5-4 us in Node 22), so small fresh outputs are never asked.
 *
 * @internal
 */
const views = new WeakSet<ArrayBufferView>()

/** Marks `array` as a view of another array's storage; returns it. */
export const storageView = <A extends ArrayBufferView>(array: A): A => {
  views.add(array)
  return array
}

/** Whether a kernel made `array` as a view of another array's storage. */
export const isStorageView = (array: ArrayBufferView): boolean => views.has(array)
