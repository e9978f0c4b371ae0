// Event bus with typed listeners and a small HTTP helper.
import fs from "node:fs";
import { EventEmitter, once as onceEvent } from "node:events";
import * as path from "node:path";

const { readFile } = require("node:fs/promises");

export const DEFAULT_TIMEOUT = 30_000;
const RETRIES = 3;
let counter = 0;

export class Bus extends EventEmitter {
  listeners = new Map();

  constructor(name) {
    super();
    this.name = name;
  }

  subscribe(topic, handler) {
    this.on(topic, handler);
    return () => this.off(topic, handler);
  }

  static create(name) {
    return new Bus(name);
  }

  get size() {
    return this.listeners.size;
  }
}

export function loadConfig(file) {
  const text = fs.readFileSync(path.join(process.cwd(), file), "utf8");
  return JSON.parse(text);
}

const retry = async (fn, times = RETRIES) => {
  for (let i = 0; i < times; i++) {
    try {
      return await fn();
    } catch (err) {
      counter += 1;
    }
  }
};

function* ids() {
  while (true) yield counter++;
}

module.exports.helpers = { retry, ids, format: function (value) { return String(value); } };

export function Greeting({ name }) {
  return <Panel title="hello"><Label text={name} /><span>{ids().next().value}</span></Panel>;
}
