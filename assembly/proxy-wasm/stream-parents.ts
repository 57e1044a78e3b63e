// Which root context each stream belongs to, without an object per stream. Envoy creates a
// stream's context and calls its request-headers callback in the same step (the filter
// chain is built when the request headers are complete), so a small table indexed by the
// low bits of the stream id always still holds the entry when it is read; a stream whose
// slot was reused since is reported as unknown rather than guessed. Nothing here needs a
// per-stream delete, so the module does not export one for streams' sake.
const SLOTS: u32 = 256;
const ids = new StaticArray<u32>(SLOTS);
const parents = new StaticArray<u32>(SLOTS);

/** No root has this id: Envoy numbers contexts from 1. */
export const NO_PARENT: u32 = 0;

export function rememberParent(streamId: u32, rootId: u32): void {
  const slot = streamId & (SLOTS - 1);
  unchecked((ids[slot] = streamId));
  unchecked((parents[slot] = rootId));
}

export function parentOf(streamId: u32): u32 {
  const slot = streamId & (SLOTS - 1);
  return unchecked(ids[slot]) == streamId ? unchecked(parents[slot]) : NO_PARENT;
}
