// The label-sync routes as a test drives them: push a batch from a device, read changes and
// conflicts of one live dataset. Shared by the label-sync route specs.
import { expect } from 'vitest';
import type { LabelChanges, LabelConflict, LabelPushResult, SyncMutation } from '../contract';
import type { TestApi } from './test-server';

export const PHONE = 'phone-0001';
export const LAPTOP = 'laptop-0002';

/** A made-up image hash: 1 → 000…001. */
export const sha = (n: number) => n.toString(16).padStart(64, '0');

/** `api` is read on each call, since specs make a fresh test API per test. */
export function labelSyncClient(api: () => TestApi, datasetId: string, classes: string[]) {
  const push = (deviceId: string, mutations: SyncMutation[], pushedClasses = classes) =>
    api().user(`/api/label-sync/${datasetId}/push`, {
      method: 'POST',
      json: { deviceId, name: 'cards', task: 'detect', classes: pushedClasses, mutations },
    });
  return {
    push,
    /** A push that must succeed, and its answer. */
    async pushed(deviceId: string, mutations: SyncMutation[], pushedClasses = classes) {
      const res = await push(deviceId, mutations, pushedClasses);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as LabelPushResult;
    },
    async changes(since = 0) {
      const res = await api().user(`/api/label-sync/${datasetId}/changes?since=${since}`);
      return (await res.json()) as LabelChanges;
    },
    async conflicts() {
      const res = await api().user(`/api/label-sync/${datasetId}/conflicts`);
      return (await res.json()) as LabelConflict[];
    },
  };
}
