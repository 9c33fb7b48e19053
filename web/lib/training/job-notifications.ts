import type { JobStatus } from '$contract';

/**
 * Tells the user when a job they watch ends, with the Notifications API where they allowed it.
 * Permission is asked only from a click (browsers ignore or punish asking on page load).
 */
export async function askToNotify(): Promise<boolean> {
  if (typeof Notification === 'undefined') return false;
  if (Notification.permission === 'granted') return true;
  if (Notification.permission === 'denied') return false;
  return (await Notification.requestPermission()) === 'granted';
}

export function notifyJobEnded(status: JobStatus, title: string, url: string) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible') return; // the page itself already shows it
  const text: Partial<Record<JobStatus, string>> = {
    completed: 'Training finished; the model is ready.',
    failed: 'Training failed. Open the job to see why.',
    cancelled: 'Training was cancelled.',
  };
  const notification = new Notification(title, { body: text[status] ?? status, tag: url });
  notification.onclick = () => {
    window.focus();
    location.assign(url);
  };
}
