/**
 * The import direction (README, "Layout"), checked by
 * dependency-cruiser: test/import-direction.test.ts runs it under `npm test` and plants one
 * wrong arrow per rule to show each rule fires. `npm run deps` prints the same report.
 *
 * A workspace import resolves to the package's dist/ (its exports map) or, before a build, stays
 * the bare name `@warren/x`; every pattern below matches both, and a relative path into the folder.
 */

/** A workspace package (or app) by folder, however the import reached it. */
const pkg = (folder) => {
  const [dir, name] = folder.includes('/') ? folder.split('/') : ['packages', folder];
  return `^(${dir}/${name}/|@warren/${name}(/|$))`;
};
const any = (...folders) => folders.map(pkg);
const sourceOf = (folder) => `^${folder.includes('/') ? folder : `packages/${folder}`}/src/`;
/** Unit tests run in Node: the rules about node:* and npm packages are for shipped code only. */
const TESTS = '\\.test\\.ts$|/testing/';
const npm = (...names) => names.map((name) => `(^|/)node_modules/${name}/|^${name}$`);

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'A cycle of runtime imports ties two files (or packages) into one; find the seam and split it. ' +
        'Type-only imports are left out: a class and the interface of its owner may name each other.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'protocol-imports-nothing-of-ours',
      comment: 'protocol is the browser-safe wire contract: no @warren package and no Node API.',
      severity: 'error',
      from: { path: sourceOf('protocol') },
      to: { path: any('core', 'store', 'cluster', 'server', 'client', 'cli', 'apps/admin') },
    },
    {
      name: 'core-imports-no-adapter',
      comment: 'core is the domain; store, cluster and server implement its ports (README, "Layout").',
      severity: 'error',
      from: { path: sourceOf('core') },
      to: { path: any('store', 'cluster', 'server', 'client', 'cli', 'apps/admin') },
    },
    {
      name: 'core-and-protocol-use-no-node-api',
      comment: 'core and protocol are pure TypeScript: no node:* (time, disk and sockets come through ports).',
      severity: 'error',
      from: { path: [sourceOf('core'), sourceOf('protocol'), sourceOf('client')], pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-uses-no-io-library',
      comment: 'core knows neither wire, disk nor log sink: ws, level and pino belong to the adapters.',
      severity: 'error',
      from: { path: sourceOf('core'), pathNot: TESTS },
      to: { path: npm('ws', 'level', 'classic-level', 'pino', 'fastify') },
    },
    {
      name: 'store-imports-core-only',
      comment: 'store implements core\'s storage ports; it speaks no wire and knows no replication or server.',
      severity: 'error',
      from: { path: sourceOf('store') },
      to: { path: any('protocol', 'cluster', 'server', 'client', 'cli', 'apps/admin') },
    },
    {
      name: 'cluster-imports-core-and-store-only',
      comment: 'cluster implements core\'s replication port and keeps its Raft log through store; peer frames are its own.',
      severity: 'error',
      from: { path: sourceOf('cluster') },
      to: { path: any('protocol', 'server', 'client', 'cli', 'apps/admin') },
    },
    {
      name: 'client-imports-protocol-only',
      comment: 'The client runs in browsers too: it depends on the wire contract and nothing else of ours.',
      severity: 'error',
      from: { path: sourceOf('client') },
      to: { path: any('core', 'store', 'cluster', 'server', 'cli', 'apps/admin') },
    },
    {
      name: 'server-imports-no-client',
      comment: 'server is the composition root of the broker; clients, warrenctl and the UI talk to it over the wire.',
      severity: 'error',
      from: { path: sourceOf('server') },
      to: { path: any('client', 'cli', 'apps/admin') },
    },
    {
      name: 'cli-and-admin-speak-http-only',
      comment: 'warrenctl and the admin UI speak the HTTP API only, typed by protocol.',
      severity: 'error',
      from: { path: [sourceOf('cli'), sourceOf('apps/admin')] },
      to: { path: any('core', 'store', 'cluster', 'server', 'client') },
    },
    {
      name: 'no-deep-imports',
      comment:
        'Another package is reached through its public entry (or ./internal), never by a path into src/ or dist/. ' +
        'One exception: the store contract suite imports vitest, so it is never built and each store\'s test runs its source.',
      severity: 'error',
      from: { path: '^((packages|apps)/[^/]+|test|scripts|examples)/' },
      to: {
        path: ['^(packages|apps)/[^/]+/src/', '^@warren/[^/]+/(src|dist)(/|$)'],
        pathNot: ['^$1/', '^packages/core/src/testing/store-contract\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '/dist/'] },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    // Through the tsconfig, `./x.js` in a TypeScript source names `./x.ts` (NodeNext style).
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
