// Creates the embedding state on first start: the served model is the one most stored vectors were
// made with (a graph from before this state existed), else $model (an empty graph).
// Params: $model, $built (models the manifest has: a legacy model that is no longer built is not served).
// Returns: {model} (the served model).
OPTIONAL MATCH (existing:EmbeddingState {id: 'knowledge'})
CALL (existing) {
  WITH existing WHERE existing IS NULL
  OPTIONAL MATCH (k:Knowledge) WHERE k.embeddingModel IN $built
  WITH k.embeddingModel AS m, count(k) AS n ORDER BY n DESC LIMIT 1
  MERGE (s:EmbeddingState {id: 'knowledge'})
  ON CREATE SET s.model = coalesce(m, $model), s.status = 'idle'
  RETURN s.model AS created
  UNION
  WITH existing WHERE existing IS NOT NULL
  RETURN existing.model AS created
}
RETURN created AS model
