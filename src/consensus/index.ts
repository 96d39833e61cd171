// The consensus layer's public surface: the pure Raft core and its types.
export { bootstrap, initialPersisted, restart, step, isLeader, leaderOf } from './raft.js';
export { lastIndex, termAt, snapIndex } from './log.js';
export * from './types.js';
