// Every entity's names, for the gazetteer of entity resolution (bounded by $limit, most recent first).
// Params: $limit. Returns: {id, key, name, type, aliases}.
MATCH (e:Entity)
RETURN e.id AS id, e.key AS key, e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases
ORDER BY e.createdAt DESC
LIMIT toInteger($limit)
