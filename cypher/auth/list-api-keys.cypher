// Lists keys, newest first, without their hashes. Params: none.
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.role AS role, k.prefix AS prefix, coalesce(k.grants, []) AS grants,
       k.createdAt AS createdAt, k.revokedAt AS revokedAt
ORDER BY k.createdAt DESC
