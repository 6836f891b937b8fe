// Content hashes of existing entities, to tell created / updated / unchanged apart.
// Params: $keys. Returns: {key, id, contentHash}.
UNWIND $keys AS key
MATCH (e:Entity {key: key})
RETURN key, e.id AS id, e.contentHash AS contentHash
