import { describe, expect, it } from 'vitest';
import { nodesNote } from './report.js';
import type { RunResult } from './run-result.js';

describe('nodesNote', () => {
  const run = (nodes?: RunResult['nodes']): RunResult => ({ scenario: 'cluster3-quorum', broker: 'warren', warnings: 0, firstWarnings: [], ...(nodes === undefined ? {} : { nodes }) });

  it('names each node\'s CPU and where the producer and the consumer were', () => {
    expect(nodesNote(run({ cpuPercent: [81.4, 40.2, 35], producer: 0, consumer: 1 }))).toEqual([
      'cluster3-quorum (Warren): broker CPU per node, % of one core: node 1 (leader, producer) 81%, node 2 (consumer) 40%, node 3 35%',
    ]);
    expect(nodesNote(run({ cpuPercent: [10, 20, 30], producer: 2, consumer: 2 }))).toEqual([
      'cluster3-quorum (Warren): broker CPU per node, % of one core: node 1 10%, node 2 20%, node 3 (leader, producer, consumer) 30%',
    ]);
  });

  it('says nothing for a single node', () => {
    expect(nodesNote(run())).toEqual([]);
  });
});
