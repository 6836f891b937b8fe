// Looks up a live (not revoked) key by the SHA-256 of its secret.
// Params: $hash. Returns: zero or one row.
MATCH (k:ApiKey {hash: $hash})
WHERE k.revokedAt IS NULL
RETURN k.id AS id, k.name AS name, k.role AS role, coalesce(k.grants, []) AS grants
