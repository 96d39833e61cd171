// Types of the bindings the Workers-runtime tests see (`env` from cloudflare:workers).
declare namespace Cloudflare {
  interface Env {
    SHARD: DurableObjectNamespace<import('../../src/objects/shard.js').ShardObject>;
    ACL: DurableObjectNamespace<import('../../src/objects/acl-store.js').AclObject>;
    HUB: DurableObjectNamespace<import('../../src/objects/hub.js').HubObject>;
    SHARDS: string;
    KEYFLARE_TOKEN: string;
    KEYFLARE_READONLY_TOKEN: string;
  }
}
