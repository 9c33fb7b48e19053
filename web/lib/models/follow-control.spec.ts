import { describe, expect, it } from 'vitest';
import { followControl } from './follow-control';

describe('followControl', () => {
  it('says which channel is followed instead of a disabled Follow', () => {
    expect(followControl('cards/prod', 'cards/prod', null)).toEqual({
      kind: 'following',
      channel: 'cards/prod',
    });
  });
  it('offers to follow a typed channel, or to switch from the followed one', () => {
    expect(followControl(' cards/prod ', null, null)).toMatchObject({
      kind: 'follow',
      label: 'Follow cards/prod',
      disabled: false,
    });
    expect(followControl('cards/beta', 'cards/prod', null)).toMatchObject({
      label: 'Switch to cards/beta',
    });
    expect(followControl('cards', null, 'not a channel name')).toMatchObject({ disabled: true });
  });
  it('offers Unfollow when the name is cleared while following', () => {
    expect(followControl('', 'cards/prod', null)).toEqual({ kind: 'unfollow' });
    expect(followControl('', null, null)).toEqual({ kind: 'none' });
  });
});
