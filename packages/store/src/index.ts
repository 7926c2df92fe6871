/** @warren/store: the core's Store port on LevelDB. */
export { LevelStore } from './level-store.js';
