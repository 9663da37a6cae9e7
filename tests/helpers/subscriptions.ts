import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';

/** How long a test waits for a subscription event by default. */
export const WAIT_MS = 5_000;
export type Msg = Record<string, any>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Payloads of one subscription, and bounded waits on them (an error received ends a wait at once). */
export class Inbox<T = Msg> {
  readonly items: T[] = [];
  readonly errors: unknown[] = [];

  constructor(private readonly pollMs = 25) {}

  /** The first payload matching `pred`. */
  async waitFor(pred: (m: T) => boolean, what: string, ms = WAIT_MS): Promise<T> {
    let hit: T | undefined;
    await this.until((items) => (hit = items.find(pred)) !== undefined, what, ms);
    return hit!;
  }

  /** Until `pred` holds for all payloads received so far. */
  async until(pred: (items: T[]) => boolean, what: string, ms = WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.items)) {
      if (this.errors.length) throw new Error(`failed while waiting for ${what}: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.items)}`);
      await sleep(this.pollMs);
    }
  }

  /** The first error (a refused subscription). */
  async error(ms = WAIT_MS): Promise<unknown> {
    const deadline = Date.now() + ms;
    while (!this.errors.length) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for an error; got ${JSON.stringify(this.items)}`);
      await sleep(this.pollMs);
    }
    return this.errors[0];
  }
}

export interface Subscription<T = Msg> {
  inbox: Inbox<T>;
  client: Client;
}

export interface SubscribeOptions {
  /** connect on subscribe (default) or at once */
  lazy?: boolean;
  /** poll interval of the inbox's waits */
  pollMs?: number;
}

/**
 * Subscribes over graphql-ws as the bearer of `token` (no reconnects: a dropped socket is an error):
 * every `data[field]` goes to the inbox's items, every GraphQL error list or socket error to its errors.
 * `url` is the server's base URL (as from startTestApp). Dispose `client` when done.
 */
export function subscribe<T = Msg>(url: string, token: string, query: string, field: string, variables: Record<string, unknown> = {}, o: SubscribeOptions = {}): Subscription<T> {
  const inbox = new Inbox<T>(o.pollMs);
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: o.lazy ?? true });
  client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) inbox.errors.push(r.errors);
        else if (r.data?.[field]) inbox.items.push(r.data[field]);
      },
      error: (e) => inbox.errors.push(e),
      complete: () => undefined,
    },
  );
  return { inbox, client };
}

/**
 * The server subscribes to the bus only after the subscribe message, so a change made right after
 * subscribing may pass unseen: makes changes through `send` (which returns how to recognise its
 * payload) until the subscriber receives one; an error or `ms` without one fails.
 */
export async function warmUp<T>(inbox: Inbox<T>, send: () => Promise<(m: T) => boolean>, what = 'warm-up', ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const sent = await send();
    try {
      return await inbox.waitFor(sent, what, 300);
    } catch (err) {
      if (inbox.errors.length || Date.now() > deadline) throw err;
    }
  }
}

/** Expects the server to refuse `sub` with an error whose text matches `pattern`; disposes it either way. */
export async function expectRefused<T>(sub: Subscription<T>, pattern: RegExp, ms = WAIT_MS): Promise<void> {
  try {
    await expect(sub.inbox.waitFor(() => false, 'a refusal', ms)).rejects.toThrow(pattern);
  } finally {
    await sub.client.dispose();
  }
}
