/**
 * The Node flags every broker process runs with, wherever it is started: the shared launcher
 * (tests, scripts, the bench), `npm run cluster`, the container's command, the `warren` bin's
 * shebang and the root package's `start` and `warren` scripts. The last three cannot import this
 * list, so test/docker/manifests.test.ts checks that they say the same.
 *
 * `--initial-old-space-size=256` (MB): with V8's default a replicating leader at a steady 2,000
 * msgs/s ran a full mark-compact collection about every second (the Raft log it keeps until a
 * snapshot is promoted, then freed), and each one left publishes waiting 20–40 ms on every node
 * that waits for that leader. With this floor under the old generation's limit it runs one about
 * every 9 s, and the end-to-end p99 at that rate fell from 19.9 to 8.5 ms over 45 s; the price is
 * up to ~50 MB more heap before each collection (docs/performance.md, "The fixed-rate tail").
 * The memory alarm still collects above its watermark, so a small container stays within it.
 */
export const BROKER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=256'];
