/** For sibling packages' tests only (style.md: `./internal`, never deep paths): the in-memory store. */
export { MemoryStore, MemoryDisk } from './testing/memory-store.js';
