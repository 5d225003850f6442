/**
 * Coordination between replicas that share a store: a named lease (leader
 * election) and news of changed tickets (so every replica's scheduler knows
 * every deadline) and of a changed incident log. One process alone (memory, SQLite) needs neither: it is
 * always the leader and hears only itself.
 */
export interface Coordinator {
  /**
   * Takes or renews the lease `name` for `owner` for `ttlMs`; true while
   * `owner` holds it. A holder that stops renewing loses it after `ttlMs`.
   */
  holdLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  /** Tells the other replicas that ticket `id` changed. */
  publishTicketChange(id: number, from: string): Promise<void>;
  /**
   * Calls `listener` for tickets other replicas changed, and `missed` when
   * news may have been lost (the subscription was cut, by a Redis restart
   * say, and is back).
   */
  onTicketChange(listener: (id: number, from: string) => void, missed?: () => void): Promise<void>;
  /** Tells the other replicas that the incident log changed (notices may be theirs to send). */
  publishIncidentChange(from: string): Promise<void>;
  onIncidentChange(listener: (from: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** One process: it always leads, and there is nobody to tell. */
export class LocalCoordinator implements Coordinator {
  async holdLease(): Promise<boolean> {
    return true;
  }
  async releaseLease(): Promise<void> {}
  async publishTicketChange(): Promise<void> {}
  async onTicketChange(): Promise<void> {}
  async publishIncidentChange(): Promise<void> {}
  async onIncidentChange(): Promise<void> {}
  async close(): Promise<void> {}
}
