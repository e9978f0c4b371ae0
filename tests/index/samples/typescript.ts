import { EventEmitter } from "node:events";
import type { Logger } from "./logger";
import * as fs from "node:fs";

export const MAX_RETRIES = 5;

export interface Store<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
}

export type Key = string | number;

export enum Level {
  Debug,
  Info,
}

export abstract class BaseStore<T> implements Store<T> {
  abstract get(key: string): T | undefined;
  abstract set(key: string, value: T): void;
}

export class MemoryStore<T> extends BaseStore<T> {
  private items = new Map<string, T>();

  constructor(private readonly logger: Logger) {
    super();
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  set(key: string, value: T): void {
    this.logger.debug(`set ${key}`);
    this.items.set(key, value);
  }
}

export namespace Stores {
  export function open(path: string): MemoryStore<string> {
    const text: string = fs.readFileSync(path, "utf8");
    return createStore(text);
  }
}

declare function createStore(seed: string): MemoryStore<string>;

export const toKey = (value: Key): string => String(value);

const bus = new EventEmitter();
