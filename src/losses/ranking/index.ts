// The ranking losses: explicit re-exports, and the family's registry entries in catalogue order.
export const rankingLosses = {} as const;
