// Worker entry: the Hono app serves REST and RESP-over-WebSocket; shard DOs hold the data.
import { app } from './worker/app.js';

export { ShardObject } from './objects/shard.js';
export default app;
