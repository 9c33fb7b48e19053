import { LiveEvent } from '$contract';
import { api } from '$lib/api/client';
import type { LiveStatus } from './leader-protocol';
import { backoffDelay } from './reconnect-backoff';

export type ConnectionListener = {
  event: (event: LiveEvent, id: string) => void;
  status: (status: LiveStatus, id: string | null) => void;
};

/**
 * The leader tab's EventSource on /api/events. Every (re)connect asks for a fresh single-use
 * ticket, because EventSource cannot send the Authorization header and the token must stay out
 * of URLs; for the same reason the browser's own retry (same URL, spent ticket) is never used:
 * on any error the source is closed and reopened here, from the last id, after a backoff.
 */
export class LiveConnection {
  private source: EventSource | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;
  private opened = false;
  private readonly online = () => this.retry(0);
  private readonly offline = () => this.drop();

  constructor(
    private lastId: string | null,
    private readonly listener: ConnectionListener,
  ) {
    addEventListener('online', this.online);
    addEventListener('offline', this.offline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source?.close();
    removeEventListener('online', this.online);
    removeEventListener('offline', this.offline);
  }

  private report(status: LiveStatus) {
    this.listener.status(status, this.lastId);
  }

  private connect() {
    if (this.stopped) return;
    if (!navigator.onLine) return this.report('offline');
    this.report(this.opened ? 'reconnecting' : 'connecting');
    void this.open().catch(() => this.drop());
  }

  private async open() {
    const response = await api.events.ticket.$post();
    if (!response.ok) throw new Error(`no event ticket: ${response.status}`);
    const { ticket } = await response.json();
    if (this.stopped) return;
    const query = this.lastId ? { ticket, after: this.lastId } : { ticket };
    const source = new EventSource(api.events.$url({ query }));
    this.source = source;
    source.onopen = () => {
      this.opened = true;
      this.attempt = 0;
      this.report('open');
    };
    source.onerror = () => {
      if (this.source === source) this.drop();
    };
    source.addEventListener('ready', (e) => {
      this.lastId = e.lastEventId || this.lastId;
      this.report('open');
    });
    for (const name of ['job', 'channel'] as const) {
      source.addEventListener(name, (e) => this.receive(e));
    }
  }

  private receive(message: MessageEvent<string>) {
    const parsed = LiveEvent.safeParse(JSON.parse(message.data));
    // The cursor moves even past an event this version cannot read, so it is not asked again.
    this.lastId = message.lastEventId || this.lastId;
    if (parsed.success) this.listener.event(parsed.data, this.lastId ?? '');
  }

  /** Closes the source and tries again later: at once when the network comes back. */
  private drop() {
    this.source?.close();
    this.source = null;
    if (this.stopped) return;
    if (!navigator.onLine) return this.report('offline');
    this.report('reconnecting');
    this.retry(backoffDelay(this.attempt++));
  }

  private retry(ms: number) {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    this.timer = setTimeout(() => this.connect(), ms);
  }
}
