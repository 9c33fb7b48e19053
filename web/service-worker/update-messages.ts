// The page's update prompt (workbox-window's messageSkipWaiting) asks a waiting worker to take
// over; it only does so when asked, so an open tab never switches versions mid-edit.
export const SKIP_WAITING = 'SKIP_WAITING';

export function isSkipWaiting(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING
  );
}
