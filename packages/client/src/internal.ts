/** For tests only (a sibling's tests use `./internal`, never deep paths: README, "Layout"): how the client reads the broker's frame headers. */
export { ServerHeaders } from './server-headers.js';
export { LazyDeliverFrame } from './deliver-frame.js';
