// What the channel panel's Follow button says and does. While the typed name is the channel
// already followed there is nothing to follow: the panel says "Following <channel>" and offers
// Unfollow, instead of a disabled "Follow" that reads as if it failed.

export type FollowControl =
  | { kind: 'following'; channel: string }
  | { kind: 'follow'; channel: string; label: string; disabled: boolean }
  | { kind: 'unfollow' }
  | { kind: 'none' };

export function followControl(
  typed: string,
  following: string | null,
  nameProblem: string | null,
): FollowControl {
  const choice = typed.trim();
  if (following && choice === following) return { kind: 'following', channel: following };
  if (!choice) return following ? { kind: 'unfollow' } : { kind: 'none' };
  const label = following ? `Switch to ${choice}` : `Follow ${choice}`;
  return { kind: 'follow', channel: choice, label, disabled: !!nameProblem };
}
