// A part of one connection's state, owned by its Session as a field: RESET and disconnect are one
// loop over the parts, so no file but the part's own knows what the part holds.
export interface SessionPart {
  /** RESET (Redis's clearClientConnectionState): this part back to a new connection's state. */
  reset(): void | Promise<void>;
  /** The connection ended: release what the part holds outside the connection (hub links, shard watches). */
  close(): void | Promise<void>;
}
