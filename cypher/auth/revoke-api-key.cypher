// Revokes a key. Params: $id, $by. Returns: the key id, or no row when it does not exist.
MATCH (k:ApiKey {id: $id})
SET k.revokedAt = coalesce(k.revokedAt, datetime()), k.revokedBy = coalesce(k.revokedBy, $by)
RETURN k.id AS id, k.revokedAt AS revokedAt
