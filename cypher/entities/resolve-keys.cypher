// Finds entities by normalised name or alias key.
// Params: $keys (normalised names). Returns: {key, id, name} for every key that names an entity (by name or alias).
UNWIND $keys AS key
MATCH (e:Entity)
WHERE e.key = key OR key IN e.aliasKeys
RETURN key, e.id AS id, e.name AS name
