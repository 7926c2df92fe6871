/** For tests only (`./internal`, never deep paths: README, "Layout"): a Session can be driven without a socket. */
export { Session, type SessionSocket } from './ws/session.js';
export { systemClock } from './clock.js';
export { deliverHeader } from './ws/deliver-header.js';
