// Entities that have no name embedding yet (seeded or imported ones), for the model stage to fill.
// Params: $limit. Returns: {id, text} where text is the name and aliases.
MATCH (e:Entity)
WHERE e.embedding IS NULL
RETURN e.id AS id, e.name AS text
LIMIT toInteger($limit)
