import { Hub } from "./Hub.js";

/** All hubs, created on first use. Hub names are case-insensitive. */
export class HubStore {
  private readonly hubs = new Map<string, Hub>();

  get(name: string): Hub {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = new Hub(name);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  all(): Hub[] {
    return [...this.hubs.values()];
  }
}
