import type { ClientConnection } from "./ClientConnection.js";

/** The live connections of one hub and their group memberships. */
export class Hub {
  readonly connections = new Map<string, ClientConnection>();
  private readonly groups = new Map<string, Set<ClientConnection>>();

  constructor(readonly name: string) {}

  add(connection: ClientConnection): void {
    this.connections.set(connection.id, connection);
  }

  /** Removes the connection and all its group memberships. */
  remove(connection: ClientConnection): void {
    this.leaveAll(connection);
    this.connections.delete(connection.id);
  }

  join(connection: ClientConnection, group: string): void {
    let members = this.groups.get(group);
    if (!members) {
      members = new Set();
      this.groups.set(group, members);
    }
    members.add(connection);
    connection.groups.add(group);
  }

  leave(connection: ClientConnection, group: string): void {
    const members = this.groups.get(group);
    members?.delete(connection);
    if (members?.size === 0) this.groups.delete(group);
    connection.groups.delete(group);
  }

  leaveAll(connection: ClientConnection): void {
    for (const group of [...connection.groups]) this.leave(connection, group);
  }

  members(group: string): ClientConnection[] {
    return [...(this.groups.get(group) ?? [])];
  }

  hasGroup(group: string): boolean {
    return (this.groups.get(group)?.size ?? 0) > 0;
  }

  ofUser(userId: string): ClientConnection[] {
    return this.all().filter((connection) => connection.userId === userId);
  }

  all(): ClientConnection[] {
    return [...this.connections.values()];
  }
}
