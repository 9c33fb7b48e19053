import type { ChannelMove } from '../contract';
import type { Db } from './database';

type MoveRow = {
  id: number;
  channel: string;
  model_id: string;
  previous_model_id: string | null;
  action: ChannelMove['action'];
  at: string;
};

const toMove = (r: MoveRow): ChannelMove => ({
  id: r.id,
  channel: r.channel,
  modelId: r.model_id,
  previousModelId: r.previous_model_id,
  action: r.action,
  at: r.at,
});

export type ChannelPointer = { name: string; modelId: string; movedAt: string };

/** Channel pointers and the append-only log of their moves. No domain rules. */
export class ChannelRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Appends a move and points the channel at its model. */
  move(m: Omit<ChannelMove, 'id'>): ChannelMove {
    const info = this.db
      .prepare(
        `INSERT INTO channel_moves (channel, model_id, previous_model_id, action, at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(m.channel, m.modelId, m.previousModelId, m.action, m.at);
    const id = Number(info.lastInsertRowid);
    this.db
      .prepare(
        `INSERT INTO channels (name, model_id, last_move_id) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET model_id = excluded.model_id, last_move_id = excluded.last_move_id`,
      )
      .run(m.channel, m.modelId, id);
    return { ...m, id };
  }

  get(name: string): ChannelPointer | undefined {
    return this.db
      .prepare(
        `SELECT c.name, c.model_id AS modelId, m.at AS movedAt
         FROM channels c JOIN channel_moves m ON m.id = c.last_move_id WHERE c.name = ?`,
      )
      .get(name) as ChannelPointer | undefined;
  }

  list(): ChannelPointer[] {
    return this.db
      .prepare(
        `SELECT c.name, c.model_id AS modelId, m.at AS movedAt
         FROM channels c JOIN channel_moves m ON m.id = c.last_move_id ORDER BY c.name`,
      )
      .all() as ChannelPointer[];
  }

  pointingAt(modelId: string): string[] {
    const rows = this.db
      .prepare('SELECT name FROM channels WHERE model_id = ? ORDER BY name')
      .all(modelId) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** Oldest first; `limit` keeps the newest ones. */
  moves(channel: string, limit = -1): ChannelMove[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM (SELECT * FROM channel_moves WHERE channel = ? ORDER BY id DESC LIMIT ?)
         ORDER BY id`,
      )
      .all(channel, limit) as MoveRow[];
    return rows.map(toMove);
  }

  movesAfter(afterId: number): ChannelMove[] {
    const rows = this.db
      .prepare('SELECT * FROM channel_moves WHERE id > ? ORDER BY id')
      .all(afterId) as MoveRow[];
    return rows.map(toMove);
  }

  lastMoveId(): number {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM channel_moves').get() as {
      id: number | null;
    };
    return row.id ?? 0;
  }
}
