/** Recursive CTE of a group and all its descendants, within one tenant (parameters: group id, tenant id, tenant id). */
export const GROUP_SUBTREE_SQL = `with recursive subtree(id) as (
    select id from machine_groups where id = ? and tenant_id = ?
    union
    select g.id from machine_groups g join subtree s on g.parent_id = s.id where g.tenant_id = ?
  )`;
