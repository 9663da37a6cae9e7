/**
 * Sockets per client address that have not finished their handshake yet (dashboard token,
 * graphql-ws `connection_init`): one address may hold at most `max` of them at once.
 */
export class PendingByAddress {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Admits one more pending socket of `ip`: its release function (idempotent), or null at the cap. */
  admit(ip: string): (() => void) | null {
    const pending = this.counts.get(ip) ?? 0;
    if (pending >= this.max) return null;
    this.counts.set(ip, pending + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(ip) ?? 1) - 1;
      if (left > 0) this.counts.set(ip, left);
      else this.counts.delete(ip);
    };
  }
}
