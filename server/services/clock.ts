/** Time as the services see it; tests pass their own to move leases forward without waiting. */
export type Clock = { now: () => Date };
export const systemClock: Clock = { now: () => new Date() };
