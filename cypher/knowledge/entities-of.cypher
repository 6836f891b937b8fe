// The entities each knowledge item is ABOUT.
// Params: $ids (knowledge ids). Returns: one row per id that has entities: {id, entities}.
UNWIND $ids AS id
MATCH (:Knowledge {id: id})-[:ABOUT]->(e:Entity)
WITH id, e ORDER BY e.name
RETURN id, collect(e {.*, embedding: null}) AS entities
