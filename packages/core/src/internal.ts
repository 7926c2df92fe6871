/** For sibling packages' tests only (`./internal`, never deep paths: README, "Layout"): the in-memory store and a hand-moved clock. */
export { MemoryStore, MemoryDisk } from './testing/memory-store.js';
export { FakeClock } from './testing/fake-clock.js';
