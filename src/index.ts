// Worker entry: the Hono app serves REST and RESP-over-WebSocket; shard DOs hold the data.
import { app } from './worker/app.js';

export { ShardObject } from './objects/shard.js';
export { HubObject } from './objects/hub.js';
export { AclObject } from './objects/acl-store.js';
export { ClientsObject } from './objects/clients.js';
export default app;
