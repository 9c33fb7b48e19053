// The labeling page's keyboard shortcuts, as a pure mapping from a key press to an action, so
// the table can be tested without a page. The box editor handles its own keys first (Delete and
// 1-9 act on the selected box, the arrows nudge a box that was tapped, moved or resized; see
// box-editor/box-keys.ts); what it leaves reaches this table, so ← and → still change the photo
// right after a box is drawn.

export type LabelingAction =
  | { kind: 'class'; index: number }
  | { kind: 'next' }
  | { kind: 'previous' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'repeat-previous' }
  | { kind: 'toggle-reviewed' };

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Shown in the page's help line; keep in step with actionFor. */
export const SHORTCUT_HELP =
  '1-9 class · ←/→ or A/D previous/next image · Ctrl+Z undo · Ctrl+Shift+Z or Ctrl+Y redo · ' +
  'R repeat previous image’s labels · V reviewed · Delete removes the selected label · ' +
  'arrows nudge a tapped box (Shift: 10 px)';

export function actionFor(event: KeyPress): LabelingAction | null {
  const command = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (command && !event.altKey) {
    if (key === 'z') return event.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (key === 'y') return { kind: 'redo' };
    return null;
  }
  if (event.altKey || command) return null;
  if (/^[1-9]$/.test(key)) return { kind: 'class', index: Number(key) - 1 };
  if (key === 'arrowright' || key === 'd') return { kind: 'next' };
  if (key === 'arrowleft' || key === 'a') return { kind: 'previous' };
  if (key === 'r') return { kind: 'repeat-previous' };
  if (key === 'v') return { kind: 'toggle-reviewed' };
  return null;
}

/** Input types where keys type text (and Ctrl+Z undoes that text), unlike a checkbox or button. */
const TEXT_INPUTS = new Set([
  'text',
  'search',
  'email',
  'url',
  'tel',
  'password',
  'number',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** What isTyping reads of the focused element (an HTMLElement has all of it). */
export interface FocusedField {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
}

const isField = (target: unknown): target is FocusedField =>
  typeof target === 'object' &&
  target !== null &&
  typeof (target as FocusedField).tagName === 'string';

/**
 * True when a key press belongs to the focused field, where shortcuts must not fire: any key in
 * a text field, and a plain key (not Ctrl/Cmd) in a list, where arrows and letters pick an
 * option. A checkbox, button or colour picker keeps every shortcut, so a click on "Reviewed" or
 * a class button does not switch them off.
 */
export function isTyping(
  target: EventTarget | FocusedField | null,
  event?: Pick<KeyPress, 'ctrlKey' | 'metaKey'>,
): boolean {
  if (!isField(target)) return false;
  const tag = target.tagName.toUpperCase();
  if (target.isContentEditable || tag === 'TEXTAREA') return true;
  if (tag === 'SELECT') return !(event?.ctrlKey || event?.metaKey);
  return tag === 'INPUT' && TEXT_INPUTS.has((target.type ?? 'text').toLowerCase());
}
