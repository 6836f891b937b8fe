// Takes a release's write lock before it is rolled back. Params: $id. Returns: {id} or no row.
MATCH (r:Release {id: $id})
SET r.lockedAt = datetime()
RETURN r.id AS id
