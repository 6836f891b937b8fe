// Similar questions without an embedding of the served model (imported, or embedded by an older model).
// Params: $model, $limit. Returns: {id, text}.
MATCH (q:SimilarQuestion)
WHERE q.embedding IS NULL OR q.embeddingModel IS NULL OR q.embeddingModel <> $model
RETURN q.id AS id, q.text AS text
LIMIT toInteger($limit)
