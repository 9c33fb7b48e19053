/**
 * A page's view of model delivery: the follower wired to the real network, hash worker, live
 * stream and page visibility, its state as a rune. `activate` is what the page does with a
 * verified version (load it into its inference client); pages without one just record it.
 */
import { subscribeLive } from '$lib/events/live-events';
import type { ModelRow } from '$lib/db/model-store';
import { fetchChannel } from './channel-api';
import { ChannelFollower, type DeliveryState } from './channel-follower';
import { sha256InWorker } from './sha256-hash';

export type { DeliveryState } from './channel-follower';

export class ModelDelivery {
  state = $state<DeliveryState>({
    channel: null,
    active: null,
    channelModel: null,
    phase: 'idle',
    download: null,
    error: null,
    updated: null,
    offline: false,
    stored: [],
  });
  private readonly follower: ChannelFollower;
  private readonly stops: (() => void)[] = [];

  constructor(activate: (model: ModelRow) => Promise<void> = async () => {}) {
    this.follower = new ChannelFollower({
      fetchChannel: (name) => fetchChannel(name),
      hash: sha256InWorker,
      activate,
      onState: (s) => (this.state = s),
    });
  }

  /** Loads the stored version, checks the channel, and listens for moves until `stop`. */
  start(): () => void {
    const onVisible = () => {
      if (document.visibilityState === 'visible') void this.follower.check();
    };
    document.addEventListener('visibilitychange', onVisible);
    const onOnline = () => void this.follower.check();
    window.addEventListener('online', onOnline);
    this.stops.push(
      () => document.removeEventListener('visibilitychange', onVisible),
      () => window.removeEventListener('online', onOnline),
      subscribeLive((event) => {
        if (event.type === 'channel') this.follower.onMove(event.move);
      }),
    );
    void this.follower.start();
    return () => this.stop();
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.follower.dispose();
  }

  follow = (channel: string | null) => this.follower.follow(channel);
  cancel = () => this.follower.cancel();
  retryNow = () => this.follower.retryNow();
}
