/** For sibling packages' tests only (style.md: `./internal`, never deep paths): the in-memory store and a hand-moved clock. */
export { MemoryStore, MemoryDisk } from './testing/memory-store.js';
export { FakeClock } from './testing/fake-clock.js';
