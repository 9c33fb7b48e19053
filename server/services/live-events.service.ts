import type { LiveEvent } from '../contract';
import { formatCursor, parseCursor, type LiveCursor } from '../contract/live-events';
import { AppError } from '../http/app-error';
import type { JobRepository } from '../repositories/job.repository';
import type { ChannelService } from './channel.service';
import type { JobEventBus } from './job-event-bus';

export type LiveItem = { id: string; event: LiveEvent };

/** Job events read per query, so replaying a long history never holds it all in memory. */
const PAGE = 500;

/**
 * The one live stream per browser: job events of every job and channel moves, each with the
 * cursor (see contract/live-events.ts) a reconnecting client sends back as Last-Event-ID.
 */
export class LiveEventService {
  private readonly open = new Set<LiveFeed>();

  constructor(
    private readonly jobs: JobRepository,
    private readonly channels: ChannelService,
    private readonly bus: JobEventBus,
  ) {}

  /** The cursor of the newest stored events: where a client with no Last-Event-ID starts. */
  now(): LiveCursor {
    return { job: this.jobs.lastEventId(), channel: this.channels.lastMoveId() };
  }

  /**
   * A feed from `after` (null: from now). A cursor past the logs' ends (the database was
   * replaced) is pulled back to now, or the client would wait forever for ids already taken.
   */
  follow(after: string | null): LiveFeed {
    const now = this.now();
    const from = after === null ? now : parseCursor(after);
    if (!from) {
      throw new AppError(
        400,
        'invalid_request',
        `"${after}" is not a live event id`,
        'Send back the id of an event this stream sent, or no Last-Event-ID to start from now.',
      );
    }
    const feed = new LiveFeed(this, {
      job: Math.min(from.job, now.job),
      channel: Math.min(from.channel, now.channel),
    });
    this.open.add(feed);
    return feed;
  }

  /** Ends every stream, so a shutting-down server does not wait for browsers to hang up. */
  closeAll() {
    for (const feed of this.open) feed.close();
  }

  listen(feed: LiveFeed, poke: () => void) {
    const stopJobs = this.bus.subscribeAll(poke);
    const stopMoves = this.channels.subscribe(poke);
    return () => {
      this.open.delete(feed);
      stopJobs();
      stopMoves();
    };
  }

  /** What follows `cursor` in both logs, each item with the cursor that includes it. */
  read(cursor: LiveCursor): { items: LiveItem[]; cursor: LiveCursor; more: boolean } {
    const items: LiveItem[] = [];
    let { job, channel } = cursor;
    const jobEvents = this.jobs.eventsOfAllJobsAfter(job, PAGE);
    for (const e of jobEvents) {
      job = e.id;
      const event: LiveEvent = { type: 'job', jobId: e.jobId, event: e.event };
      items.push({ id: formatCursor({ job, channel }), event });
    }
    for (const move of this.channels.movesAfter(channel)) {
      channel = move.id;
      items.push({ id: formatCursor({ job, channel }), event: { type: 'channel', move } });
    }
    return { items, cursor: { job, channel }, more: jobEvents.length === PAGE };
  }
}

/**
 * One client's position in the stream. The database logs are the truth: live listeners only
 * wake the feed, which then reads everything after its cursor, so a replay and the live events
 * that arrive during it can neither leave a gap nor send an id twice.
 */
export class LiveFeed {
  private dirty = true;
  private ended = false;
  private wake: () => void = () => {};
  private readonly stop: () => void;

  constructor(
    private readonly service: LiveEventService,
    private cursor: LiveCursor,
  ) {
    // Listening starts before the first read, so nothing stored in between goes unheard.
    this.stop = service.listen(this, () => {
      this.dirty = true;
      this.wake();
    });
  }

  get closed() {
    return this.ended;
  }

  get id() {
    return formatCursor(this.cursor);
  }

  /** The events not yet sent, oldest first; [] when nothing came within `waitMs` or it closed. */
  async next(waitMs: number): Promise<LiveItem[]> {
    if (!this.dirty && !this.ended) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
    }
    if (this.ended || !this.dirty) return [];
    const { items, cursor, more } = this.service.read(this.cursor);
    this.dirty = more;
    this.cursor = cursor;
    return items;
  }

  close() {
    this.ended = true;
    this.stop();
    this.wake();
  }
}
