// Stores embeddings of similar questions.
// Params: $rows: [{id, embedding}], $model. Returns: {updated}.
UNWIND $rows AS row
MATCH (q:SimilarQuestion {id: row.id})
SET q.embedding = row.embedding, q.embeddingModel = $model
RETURN count(*) AS updated
