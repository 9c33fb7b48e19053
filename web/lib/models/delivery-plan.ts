/**
 * The decisions of model delivery, kept pure so they can be tested without a browser: what to do
 * when a channel's pointer is compared with what this device runs and stores, and which stored
 * versions to let go.
 */
import { ChannelName, type ModelVersion } from '$contract';
import { madeAt } from './model-title';

export type DeliveryStep =
  /** The device already runs the channel's version. */
  | { kind: 'current' }
  /** The version is stored (a rollback, usually): load it, no download. */
  | { kind: 'activate'; modelId: string }
  | { kind: 'download'; model: ModelVersion }
  /** Loading this version into the worker already failed in this tab; do not loop on it. */
  | { kind: 'skip'; modelId: string };

export function planDelivery(
  channelModel: ModelVersion,
  activeModelId: string | null,
  storedIds: ReadonlySet<string>,
  failedIds: ReadonlySet<string> = new Set(),
): DeliveryStep {
  const id = channelModel.id;
  if (id === activeModelId) return { kind: 'current' };
  if (failedIds.has(id)) return { kind: 'skip', modelId: id };
  if (storedIds.has(id)) return { kind: 'activate', modelId: id };
  return { kind: 'download', model: channelModel };
}

/** How many versions a device keeps: the one it runs and one or two to roll back to at once. */
export const KEEP_VERSIONS = 3;

/**
 * The stored versions to delete: all but the newest `keep`, never one in `protectedIds` (the
 * active version, the one being switched to), which also count towards `keep`.
 */
export function versionsToPrune(
  stored: readonly { id: string; storedAt: number }[],
  protectedIds: readonly string[],
  keep = KEEP_VERSIONS,
): string[] {
  const kept = new Set(protectedIds.filter((id) => stored.some((s) => s.id === id)));
  const newestFirst = [...stored].sort((a, b) => b.storedAt - a.storedAt);
  for (const row of newestFirst) {
    if (kept.size >= keep) break;
    kept.add(row.id);
  }
  return newestFirst.filter((row) => !kept.has(row.id)).map((row) => row.id);
}

/** How a version is named to the user: its name (or what it is), when it was made, a short id. */
export function versionLabel(model: {
  id: string;
  name?: string | null;
  createdAt: string;
  metadata: { architecture: string };
}): string {
  const when = madeAt(model.createdAt);
  return [model.name || model.metadata.architecture, when, model.id.slice(0, 8)]
    .filter(Boolean)
    .join(' · ');
}

/** Why a typed channel name is not one ("<line>/<stage>"), or null when it is (or is empty). */
export function channelNameProblem(typed: string): string | null {
  const name = typed.trim();
  if (!name) return null;
  const parsed = ChannelName.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'not a channel name');
}
