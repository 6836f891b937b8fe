// An API key that may be assigned review tasks: an active EDITOR or ADMIN key.
// Params: $id. Returns: {id, name, role} or no row.
MATCH (a:ApiKey {id: $id})
WHERE a.revokedAt IS NULL AND a.role IN ['EDITOR', 'ADMIN']
RETURN a.id AS id, a.name AS name, a.role AS role
