// The most similar existing entity for each candidate name embedding (vector index entity_embedding),
// among the entities whose name vector the same model made ($model): vectors of two models are never compared.
// Params: $rows: [{key, embedding}], $model. Returns: {key, id, entityKey, name, score} (one per row with a neighbour).
UNWIND $rows AS row
CALL (row) {
  CALL db.index.vector.queryNodes('entity_embedding', 10, row.embedding) YIELD node, score
  WITH node, score WHERE node.embeddingModel = $model
  RETURN node, score ORDER BY score DESC LIMIT 1
}
RETURN row.key AS key, node.id AS id, node.key AS entityKey, node.name AS name, score
