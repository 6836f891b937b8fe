// The entity holding a key, if any. Params: $key. Returns: {id} or no row.
MATCH (e:Entity {key: $key})
RETURN e.id AS id
