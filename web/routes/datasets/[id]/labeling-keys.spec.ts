import { describe, expect, it } from 'vitest';
import { actionFor, isTyping } from './labeling-keys';

const press = (
  key: string,
  mods: Partial<Record<'ctrl' | 'meta' | 'alt' | 'shift', boolean>> = {},
) =>
  actionFor({
    key,
    ctrlKey: !!mods.ctrl,
    metaKey: !!mods.meta,
    altKey: !!mods.alt,
    shiftKey: !!mods.shift,
  });

describe('actionFor', () => {
  it('maps number keys to classes, counting from one', () => {
    expect(press('1')).toEqual({ kind: 'class', index: 0 });
    expect(press('9')).toEqual({ kind: 'class', index: 8 });
    expect(press('0')).toBeNull();
  });
  it('undoes with Ctrl or Cmd+Z and redoes with Shift or Y', () => {
    expect(press('z', { ctrl: true })).toEqual({ kind: 'undo' });
    expect(press('Z', { meta: true, shift: true })).toEqual({ kind: 'redo' });
    expect(press('y', { ctrl: true })).toEqual({ kind: 'redo' });
    expect(press('z')).toBeNull();
  });
  it('moves between images and repeats labels without modifiers only', () => {
    expect(press('ArrowRight')).toEqual({ kind: 'next' });
    expect(press('a')).toEqual({ kind: 'previous' });
    expect(press('r')).toEqual({ kind: 'repeat-previous' });
    expect(press('r', { ctrl: true })).toBeNull();
    expect(press('1', { alt: true })).toBeNull();
  });
});

describe('isTyping', () => {
  const ctrl = { ctrlKey: true, metaKey: false };
  const plain = { ctrlKey: false, metaKey: false };
  it('leaves shortcuts on after a click on a checkbox, a button or a colour picker', () => {
    expect(isTyping({ tagName: 'INPUT', type: 'checkbox' }, ctrl)).toBe(false);
    expect(isTyping({ tagName: 'INPUT', type: 'checkbox' }, plain)).toBe(false);
    expect(isTyping({ tagName: 'BUTTON' }, plain)).toBe(false);
    expect(isTyping({ tagName: 'INPUT', type: 'color' }, plain)).toBe(false);
  });
  it('keeps keys in text fields, and plain keys in a list', () => {
    expect(isTyping({ tagName: 'INPUT', type: 'text' }, ctrl)).toBe(true);
    expect(isTyping({ tagName: 'INPUT' }, plain)).toBe(true);
    expect(isTyping({ tagName: 'TEXTAREA' }, plain)).toBe(true);
    expect(isTyping({ tagName: 'DIV', isContentEditable: true }, plain)).toBe(true);
    expect(isTyping({ tagName: 'SELECT' }, plain)).toBe(true);
    expect(isTyping({ tagName: 'SELECT' }, ctrl)).toBe(false);
  });
});
