import type { Channel, ChannelMove } from '../contract';
import { AppError } from '../http/app-error';
import type { ChannelRepository } from '../repositories/channel.repository';
import type { Clock } from './clock';
import type { ModelService } from './model.service';

type Listener = (move: ChannelMove) => void;

const HISTORY_SHOWN = 20;

/**
 * Channels: named pointers (`card-border/production`) that clients follow. Promoting points a
 * channel at a version; rolling back returns it to the version it pointed at before, as a stack,
 * so two rollbacks go two versions back. Every move is logged and heard live by subscribers.
 */
export class ChannelService {
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly channels: ChannelRepository,
    private readonly models: ModelService,
    private readonly clock: Clock,
  ) {}

  list(): Channel[] {
    return this.channels.list().map((p) => this.describe(p.name));
  }

  get(name: string): Channel {
    if (!this.channels.get(name)) {
      throw new AppError(
        404,
        'not_found',
        `channel ${name} does not exist`,
        'A channel is created by promoting a model version to it.',
      );
    }
    return this.describe(name);
  }

  promote(name: string, modelId: string): Channel {
    const model = this.models.get(modelId);
    const current = this.channels.get(name);
    if (current?.modelId === modelId) return this.describe(name);
    const running = current && this.models.find(current.modelId);
    if (running && running.task !== model.task) {
      throw new AppError(
        409,
        'task_mismatch',
        `channel ${name} serves a ${running.task} model; version ${modelId} is a ${model.task} model`,
        'Clients of a channel run its model the same way: promote it to a channel of its own.',
      );
    }
    return this.record({
      channel: name,
      modelId,
      previousModelId: current?.modelId ?? null,
      action: 'promote',
    });
  }

  rollback(name: string): Channel {
    const current = this.get(name).model.id;
    const stack = this.stackOf(name);
    stack.pop();
    // A version deleted since it was live cannot be served again: go further back.
    while (stack.length > 0 && !this.models.find(stack[stack.length - 1] ?? '')) stack.pop();
    const target = stack[stack.length - 1];
    if (!target) {
      throw new AppError(
        409,
        'nothing_to_roll_back',
        `channel ${name} has no earlier version to go back to`,
        'Promote the version you want instead.',
      );
    }
    return this.record({
      channel: name,
      modelId: target,
      previousModelId: current,
      action: 'rollback',
    });
  }

  /** Hears every move once it is stored. */
  subscribe(listener: Listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  movesAfter(id: number) {
    return this.channels.movesAfter(id);
  }

  lastMoveId() {
    return this.channels.lastMoveId();
  }

  private record(move: Omit<ChannelMove, 'id' | 'at'>): Channel {
    const at = this.clock.now().toISOString();
    const stored = this.channels.transaction(() => this.channels.move({ ...move, at }));
    for (const listener of this.listeners) listener(stored);
    return this.describe(move.channel);
  }

  /** The versions a channel can roll back through: promotions push, rollbacks pop. */
  private stackOf(name: string): string[] {
    const stack: string[] = [];
    for (const move of this.channels.moves(name)) {
      if (move.action === 'promote') stack.push(move.modelId);
      else while (stack.length > 0 && stack[stack.length - 1] !== move.modelId) stack.pop();
    }
    return stack;
  }

  private describe(name: string): Channel {
    const pointer = this.channels.get(name);
    if (!pointer) throw new Error(`channel ${name} vanished`);
    return {
      name,
      model: this.models.get(pointer.modelId),
      movedAt: pointer.movedAt,
      history: this.channels.moves(name, HISTORY_SHOWN).reverse(),
    };
  }
}
