// Every knowledge item the caller may see, with its entity names, for export (import format).
// Params: $visibilities, $statuses, $kind (nullable). Returns: {item, entities}.
MATCH (k:Knowledge)
WHERE {{visible-knowledge k}} AND ($kind IS NULL OR k.kind = $kind)
OPTIONAL MATCH (k)-[:ABOUT]->(e:Entity)
WITH k, collect(e.name) AS entities ORDER BY k.externalId, k.id
RETURN k {.*, embedding: null} AS item, entities
