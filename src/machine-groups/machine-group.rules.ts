/** Field limits of a machine group, in characters (code points); REST, GraphQL and the service read them here. */
export const MACHINE_GROUP_LIMITS = {
  name: 200,
  description: 1000,
  /** most members one PUT may set (a plant's largest line is far below this) */
  members: 10_000,
} as const;

/** Where an update puts a group: unchanged, at the top level, or under another group. */
export type ParentMove = { kind: 'keep' } | { kind: 'root' } | { kind: 'under'; parentId: string };

/**
 * Reads a patch's parent fields the same way for both doors: `parentId: null` (REST's PATCH
 * `parent_id: null`, or an explicit GraphQL null) or `moveToRoot: true` moves the group to the top
 * level; an id moves it under that group; neither leaves it. An id together with moveToRoot is a
 * contradiction the caller must resolve.
 */
export function parentMove(patch: { parentId?: string | null; moveToRoot?: boolean | null }): ParentMove | 'ambiguous' {
  if (patch.moveToRoot === true) return patch.parentId != null ? 'ambiguous' : { kind: 'root' };
  if (patch.parentId === null) return { kind: 'root' };
  if (patch.parentId !== undefined) return { kind: 'under', parentId: patch.parentId };
  return { kind: 'keep' };
}
