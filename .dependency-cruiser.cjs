// Import rules of the house (DESIGN.md, "Layers"): layers import one way, no cycles, and the pure
// layers never touch the runtime. Checked by test/unit/layers.test.ts with dependency-cruiser.
// Order, bottom up: protocol, cluster < consensus < engine < persistence < scripting < commands < shard < server < objects, worker.
const LAYERS = ['protocol|cluster', 'consensus', 'engine', 'persistence', 'scripting', 'commands', 'shard', 'server', 'objects|worker'];
const PURE = '^src/(protocol|cluster|consensus|engine|persistence|scripting|commands|shard|server)/';

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer.replace('|', '-')}`,
  comment: `src/(${layer}) may import only layers below it`,
  severity: 'error',
  from: { path: `^src/(${layer})/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    // No import cycle at run time anywhere.
    { name: 'no-circular-runtime', severity: 'error', from: { path: '^src/' }, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
    // No cycle at all, type imports included, outside the engine. Known debt inside src/engine:
    // keyspace.ts <-> memory.ts / evict.ts / watch.ts and memory.ts -> types/* close cycles through
    // `import type` only (memory measures each type's fields; evict and watch take a Keyspace).
    { name: 'no-circular', severity: 'error', from: { path: '^src/', pathNot: '^src/engine/' }, to: { circular: true } },
    ...upward,
    {
      name: 'pure-layers-no-runtime',
      comment: 'only src/objects and src/worker may import the Workers runtime or Hono',
      severity: 'error',
      from: { path: PURE },
      to: { path: '^(cloudflare:|hono)', dependencyTypes: ['core', 'npm', 'unknown', 'undetermined'] },
    },
    {
      name: 'pure-layers-no-node',
      comment: 'pure layers run in workerd too: no node: built-ins',
      severity: 'error',
      from: { path: PURE },
      to: { dependencyTypes: ['core'] },
    },
    { name: 'no-src-to-test', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench|scripts)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
