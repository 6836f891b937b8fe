// The most similar existing entity for each candidate name embedding (vector index entity_embedding).
// Params: $rows: [{key, embedding}]. Returns: {key, id, entityKey, name, score} (one per row with a neighbour).
UNWIND $rows AS row
CALL db.index.vector.queryNodes('entity_embedding', 1, row.embedding) YIELD node, score
RETURN row.key AS key, node.id AS id, node.key AS entityKey, node.name AS name, score
