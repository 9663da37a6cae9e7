/**
 * The agent's store-and-forward buffer: a durable queue of readings on disk (LevelDB through
 * classic-level, see docs/decisions.md "Edge agent"). Every polled reading is written here before
 * anything is sent; the forwarder reads from the oldest end and deletes what the API acknowledged.
 *
 * Keys are `r:` + a 16-digit sequence number, so LevelDB's key order is the replay order; values
 * are the reading's JSON exactly as `POST /ingest` takes it (the forwarder concatenates them
 * without parsing). The entries always form one contiguous range [tail, next): acknowledgements
 * and the size cap both remove from the oldest end.
 *
 * Durability: appends are written with `sync: true` (an fsync per batch write; appends arriving
 * while a write is under way are coalesced into the next one), so a reading the buffer accepted
 * survives SIGKILL and power loss. Deletes are not synced: a delete lost in a crash only resends
 * readings the API already has, which overwrite themselves (design decision 13).
 */
import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';

const PREFIX = 'r:';
/** the key just above every `r:` key */
const PREFIX_END = 'r;';
const META_NEXT = 'm:next';
const SEQ_WIDTH = 16;

export const seqKey = (seq: number): string => `${PREFIX}${String(seq).padStart(SEQ_WIDTH, '0')}`;
const seqOf = (key: string): number => Number(key.slice(PREFIX.length));

export interface BufferedEntry {
  seq: number;
  /** the reading's JSON */
  json: string;
  /** what the entry counts against the cap (key + value bytes) */
  bytes: number;
}

export interface BufferLog {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
}

export interface BufferOptions {
  /** cap on the buffered data (keys + values); the oldest readings are dropped beyond it */
  maxBytes: number;
  log?: BufferLog;
  /** fsync every append batch (default true) */
  sync?: boolean;
  /** least time between two "buffer full" warnings (default 10 s); drops in between are summed */
  dropLogIntervalMs?: number;
}

export class BufferLockedError extends Error {
  constructor(dir: string, options?: { cause?: unknown }) {
    super(`buffer_dir ${dir} is in use by another agent process (LevelDB lock held)`, options);
    this.name = 'BufferLockedError';
  }
}

const entryBytes = (json: string) => PREFIX.length + SEQ_WIDTH + Buffer.byteLength(json);

interface AppendGroup {
  items: string[];
  done: Promise<void>;
}

export class ReadingBuffer {
  private tail = 0;
  private next = 0;
  private size = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private openGroup: AppendGroup | null = null;
  private listeners: (() => void)[] = [];
  private unloggedDrops = 0;
  private lastDropLog = 0;
  private closed = false;
  /** readings appended since open */
  appended = 0;
  /** readings removed by the size cap since open */
  dropped = 0;
  /** readings acknowledged (and deleted) since open */
  acknowledged = 0;

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    readonly dir: string,
    private readonly opts: Required<Omit<BufferOptions, 'log'>> & { log?: BufferLog },
  ) {}

  /** Opens (or creates) the buffer in `dir` and counts what a previous run left in it. */
  static async open(dir: string, options: BufferOptions): Promise<ReadingBuffer> {
    await mkdir(dir, { recursive: true });
    let db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      const text = `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`;
      if (/lock/i.test(text)) throw new BufferLockedError(dir, { cause: err });
      if (!/corrupt/i.test(text)) throw err;
      // a torn write after a power loss: LevelDB's repair keeps every record it can still read
      options.log?.warn({ dir, err: text }, `buffer ${dir} is damaged (${text.trim()}); repairing it`);
      await ClassicLevel.repair(dir);
      db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      await db.open();
    }
    const buf = new ReadingBuffer(db, dir, { sync: true, dropLogIntervalMs: 10_000, ...options });
    await buf.recover();
    return buf;
  }

  /** readings waiting to be sent */
  get count(): number {
    return this.next - this.tail;
  }

  /** sequence number of the oldest buffered reading (== nextSeq when empty) */
  get tailSeq(): number {
    return this.tail;
  }

  /** sequence number the next appended reading gets */
  get nextSeq(): number {
    return this.next;
  }

  /** bytes they count against the cap */
  get bytes(): number {
    return this.size;
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /** Calls `fn` after every append (the forwarder wakes up when a full batch is waiting). */
  onAppend(fn: () => void): void {
    this.listeners.push(fn);
  }

  private async recover(): Promise<void> {
    let first: number | null = null;
    let last = -1;
    let count = 0;
    let bytes = 0;
    const it = this.db.iterator({ gte: PREFIX, lt: PREFIX_END });
    try {
      for (;;) {
        const rows = await it.nextv(2000);
        if (rows.length === 0) break;
        for (const [k, v] of rows) {
          const seq = seqOf(k);
          first ??= seq;
          last = seq;
          count++;
          bytes += entryBytes(v);
        }
      }
    } finally {
      await it.close();
    }
    const metaNext = Number((await this.db.get(META_NEXT)) ?? 0);
    this.tail = first ?? Math.max(metaNext, last + 1);
    this.next = Math.max(metaNext, last + 1);
    this.size = bytes;
    // a range with holes cannot come from this code; count what is really there
    if (first !== null && this.next - this.tail !== count) {
      this.opts.log?.warn({ first, last, count }, 'buffer has gaps in its sequence; replaying what is there');
    }
    if (count > 0) this.opts.log?.info({ buffered: count, bytes, dir: this.dir }, `buffer holds ${count} reading(s) from a previous run; replaying them first`);
  }

  /** Runs write operations one at a time (appends, acknowledgements and cap drops change the range). */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends readings (their JSON) in order; resolves once they are on disk. Appends that arrive
   * while a write is under way go to disk together in the next write.
   */
  append(items: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('buffer closed'));
    if (items.length === 0) return Promise.resolve();
    let group = this.openGroup;
    if (!group) {
      const g: AppendGroup = { items: [], done: Promise.resolve() };
      g.done = this.enqueue(async () => {
        if (this.openGroup === g) this.openGroup = null;
        await this.writeAppend(g.items);
      });
      this.openGroup = group = g;
    }
    for (const it of items) group.items.push(it);
    return group.done;
  }

  private async writeAppend(items: string[]): Promise<void> {
    const ops: { type: 'put'; key: string; value: string }[] = new Array(items.length + 1);
    let seq = this.next;
    let bytes = 0;
    for (let i = 0; i < items.length; i++) {
      const json = items[i]!;
      ops[i] = { type: 'put', key: seqKey(seq++), value: json };
      bytes += entryBytes(json);
    }
    ops[items.length] = { type: 'put', key: META_NEXT, value: String(seq) };
    await this.db.batch(ops, { sync: this.opts.sync });
    this.next = seq;
    this.size += bytes;
    this.appended += items.length;
    if (this.size > this.opts.maxBytes) await this.enforceCap();
    for (const fn of this.listeners) fn();
  }

  /** Drops the oldest readings until the buffer fits its cap again. */
  private async enforceCap(): Promise<void> {
    const excess = this.size - this.opts.maxBytes;
    let freed = 0;
    let dropped = 0;
    let newTail = this.tail;
    const it = this.db.iterator({ gte: seqKey(this.tail), lt: PREFIX_END });
    try {
      outer: for (;;) {
        const rows = await it.nextv(1000);
        if (rows.length === 0) break;
        for (const [k, v] of rows) {
          freed += entryBytes(v);
          dropped++;
          newTail = seqOf(k) + 1;
          if (freed >= excess) break outer;
        }
      }
    } finally {
      await it.close();
    }
    if (dropped === 0) return;
    await this.db.clear({ gte: seqKey(this.tail), lt: seqKey(newTail) });
    this.tail = newTail;
    this.size -= freed;
    this.dropped += dropped;
    this.unloggedDrops += dropped;
    const now = Date.now();
    if (now - this.lastDropLog >= this.opts.dropLogIntervalMs) {
      this.opts.log?.warn(
        { dropped: this.unloggedDrops, droppedTotal: this.dropped, maxBytes: this.opts.maxBytes, buffered: this.count },
        `buffer full (max_buffer_mb reached): dropped the ${this.unloggedDrops} oldest reading(s) (${this.dropped} since start)`,
      );
      this.lastDropLog = now;
      this.unloggedDrops = 0;
    }
  }

  /** Up to `limit` of the oldest readings, in order (nothing is removed). */
  async peek(limit: number): Promise<BufferedEntry[]> {
    if (this.count === 0 || limit <= 0) return [];
    const it = this.db.iterator({ gte: seqKey(this.tail), lt: PREFIX_END, limit });
    const out: BufferedEntry[] = [];
    try {
      // nextv may return fewer rows than asked for before the end
      while (out.length < limit) {
        const rows = await it.nextv(limit - out.length);
        if (rows.length === 0) break;
        for (const [k, v] of rows) out.push({ seq: seqOf(k), json: v, bytes: entryBytes(v) });
      }
      return out;
    } finally {
      await it.close();
    }
  }

  /**
   * Deletes entries the API answered for (a prefix of what `peek` returned). Entries the cap
   * dropped meanwhile are skipped.
   */
  ack(entries: readonly BufferedEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.enqueue(async () => {
      const live = entries.filter((e) => e.seq >= this.tail);
      if (live.length === 0) return;
      const last = live[live.length - 1]!.seq;
      await this.db.clear({ gte: seqKey(this.tail), lte: seqKey(last) });
      this.size -= live.reduce((n, e) => n + e.bytes, 0);
      this.acknowledged += live.length;
      this.tail = last + 1;
    });
  }

  /** Waits for pending writes and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.db.close();
  }
}
