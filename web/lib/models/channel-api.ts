// The channel calls the PWA makes, typed from the server's routes.
import type { Channel, ModelVersion } from '$contract';
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';

export async function fetchChannel(name: string, signal?: AbortSignal): Promise<Channel> {
  const [line = '', stage = ''] = name.split('/');
  return unwrap<Channel>(
    await api.channels[':line'][':stage'].$get(
      { param: { line, stage } },
      signal ? { init: { signal } } : undefined,
    ),
  );
}

export async function listChannels(): Promise<Channel[]> {
  return unwrap<Channel[]>(await api.channels.$get());
}

export async function promoteToChannel(channel: string, modelId: string): Promise<Channel> {
  return unwrap<Channel>(await api.channels.promote.$post({ json: { channel, modelId } }));
}

export async function rollBackChannel(channel: string): Promise<Channel> {
  return unwrap<Channel>(await api.channels.rollback.$post({ json: { channel } }));
}

export async function deleteModelVersion(id: string): Promise<void> {
  await unwrap<null>(await api.models[':id'].$delete({ param: { id } }));
}

/** Names a version (null clears the name); answers the version as stored. */
export async function renameModelVersion(id: string, name: string | null): Promise<ModelVersion> {
  return unwrap<ModelVersion>(await api.models[':id'].$patch({ param: { id }, json: { name } }));
}
