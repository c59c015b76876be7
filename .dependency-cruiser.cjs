/**
 * The layering of DESIGN.md §1, checked by `npm run lint` (dependency-cruiser). Imports only
 * flow down this table; nothing imports in a circle; a bolt folder imports no other bolt folder.
 *
 * | folder      | may import                 |
 * |-------------|----------------------------|
 * | core/       | nothing of ours            |
 * | spouts/     | core                       |
 * | bolts/      | core                       |
 * | worker/     | core                       |
 * | nimbus/     | core, worker               |
 * | topologies/ | core, spouts, bolts        |
 * | examples/   | anything public            |
 *
 * Breaks that existed when the check came in are listed in .dependency-cruiser-known.json and
 * reported as warnings until they are fixed (issue #13); a new break fails the lint.
 */
const SOURCE = '^(core|spouts|bolts|worker|nimbus|topologies|examples)/';
const notTest = '\\.test\\.ts$|(^|/)(test-fixtures|sink-test-kit|spout-test-kit)\\.ts$';

/** A rule that `from` may not import `to`. */
const forbid = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: notTest },
  to: { path: to },
});

module.exports = {
  forbidden: [
    forbid('core-imports-nothing-of-ours', '^core/', '^(spouts|bolts|worker|nimbus|topologies|examples|infra|bench|test)/', 'core is the bottom layer: it imports nothing of ours (DESIGN.md §1)'),
    forbid('spouts-import-only-core', '^spouts/', '^(bolts|worker|nimbus|topologies|examples|infra|bench)/', 'spouts import only core (DESIGN.md §1): move a shared contract into core'),
    forbid('bolts-import-only-core', '^bolts/', '^(spouts|worker|nimbus|topologies|examples|infra|bench)/', 'bolts import only core (DESIGN.md §1): move a shared contract into core'),
    {
      name: 'no-bolt-folder-imports-another',
      comment: 'a bolt folder imports no other bolt folder: a topology composes them (DESIGN.md §1)',
      severity: 'error',
      from: { path: '^bolts/([^/]+)/', pathNot: notTest },
      to: { path: '^bolts/([^/]+)/', pathNot: '^bolts/$1/' },
    },
    forbid('worker-imports-only-core', '^worker/', '^(spouts|bolts|nimbus|topologies|examples|infra|bench)/', 'a worker loads spouts and bolts through the topology file it runs, never directly (DESIGN.md §1)'),
    forbid('nimbus-imports-core-and-worker', '^nimbus/', '^(spouts|bolts|topologies|examples|infra|bench)/', 'nimbus imports core and worker (DESIGN.md §1): a CLI command that moves data runs a shipped topology'),
    forbid('topologies-import-core-spouts-bolts', '^topologies/', '^(worker|nimbus|examples|infra|bench)/', 'topologies import core, spouts and bolts (DESIGN.md §1)'),
    {
      name: 'no-circular',
      comment: 'nothing imports in a circle (DESIGN.md §1)',
      severity: 'error',
      from: { path: SOURCE },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|out|\\.state|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
