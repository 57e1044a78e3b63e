// Memory the host writes into. The host asks the module for a block
// (proxy_on_memory_allocate), fills it, and hands back its address and size through
// two return slots; the module owns the block from then on and must free it.

// One pair of static return slots: the filter is single-threaded and never holds two
// host results across a host call.
const RETURN_DATA: usize = memory.data(4, 4);
const RETURN_SIZE: usize = memory.data(4, 4);

export function returnDataSlot(): usize {
  store<u32>(RETURN_DATA, 0);
  return RETURN_DATA;
}

export function returnSizeSlot(): usize {
  store<u32>(RETURN_SIZE, 0);
  return RETURN_SIZE;
}

export function returnedData(): usize {
  return load<u32>(RETURN_DATA);
}

export function returnedSize(): usize {
  return load<u32>(RETURN_SIZE);
}

/** Frees a block the host obtained from proxy_on_memory_allocate. */
export function freeReturned(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** Called by the host to obtain memory for data it passes to the module. */
export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(size);
}
