// Knowledge items by id with their entity names, whatever their status or visibility (for writers).
// Params: $ids. Returns: {item, entities} per existing item.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})
OPTIONAL MATCH (k)-[:ABOUT]->(e:Entity)
WITH k, collect(e.name) AS entities
RETURN k {.*, embedding: null} AS item, entities
