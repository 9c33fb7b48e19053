import { version } from '../../package.json';
import type { Health } from '../contract';
import type { Clock } from './clock';

/** What `GET /api/health` says; cheap enough to poll (the engine check is loaded once). */
export class HealthService {
  private readonly startedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly predictStatus: () => Promise<{ available: boolean; reason?: string }>,
  ) {
    this.startedAt = clock.now().getTime();
  }

  async report(): Promise<Health> {
    const uptimeSeconds = Math.max(0, (this.clock.now().getTime() - this.startedAt) / 1000);
    return { ok: true, version, uptimeSeconds, predict: await this.predictStatus() };
  }
}
