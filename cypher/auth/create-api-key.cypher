// Stores a new API key. Only the SHA-256 of the key is kept; the key itself is shown once.
// Params: $id, $name, $role, $hash, $prefix, $grants (list), $createdBy (key id or null)
// Returns: the key's public fields. Fails with CONFLICT on a duplicate hash (never in practice).
CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, prefix: $prefix, grants: $grants,
                  createdBy: $createdBy, createdAt: datetime(), revokedAt: null})
RETURN k.id AS id, k.name AS name, k.role AS role, k.prefix AS prefix, k.grants AS grants, k.createdAt AS createdAt
