/** @warren/store: the core's Store port on LevelDB. */
export { LevelStore } from './level-store.js';
export { LevelKeyspace } from './level-keyspace.js';
