/** For tests only (style.md: `./internal`, never deep paths): how the client reads the broker's frame headers. */
export { ServerHeaders } from './server-headers.js';
export { LazyDeliverFrame } from './deliver-frame.js';
