// The one typed key lookup of every command family: the value as its type's class, undefined when
// the key is missing, or WRONGTYPE (Redis's lookupKeyRead/lookupKeyWrite plus checkType).
import { E, type Frame } from '../protocol/frame.js';
import { typeOf, type Keyspace, type TypeName, type Value } from '../engine/keyspace.js';
import type { HashObj } from '../engine/types/hash.js';
import type { List } from '../engine/types/list.js';
import type { RSet } from '../engine/types/set.js';
import type { Stream } from '../engine/types/stream.js';
import type { ZSet } from '../engine/types/zset.js';

/** Each type name's value as the keyspace holds it (a string is stored as itself). */
export interface TypeOfName {
  string: string;
  list: List;
  hash: HashObj;
  set: RSet;
  zset: ZSet;
  stream: Stream;
}

/** A looked-up value: the type asked for, undefined (no such key), or the WRONGTYPE error. */
export type Typed<T extends TypeName> = TypeOfName[T] | undefined | Frame;

/** A value (or none) checked against a type. */
export function valueAs<T extends TypeName>(v: Value | undefined, type: T): Typed<T> {
  if (v === undefined) return undefined;
  return typeOf(v) === type ? (v as TypeOfName[T]) : E.wrongType;
}

/** For reading (lookupKeyRead: counts a hit or miss, touches the key's access clock). */
export function readAs<T extends TypeName>(ks: Keyspace, key: string, type: T): Typed<T> {
  return valueAs(ks.read(key), type);
}

/** For writing (lookupKeyWrite: no hit/miss accounting). */
export function writeAs<T extends TypeName>(ks: Keyspace, key: string, type: T): Typed<T> {
  return valueAs(ks.get(key), type);
}
