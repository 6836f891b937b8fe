// Sentence embeddings of knowledge items (vector index knowledge_embedding, 384-d), marked current
// the way retrieval's embedder marks them (embeddedHash, embeddingModel), so its sweep skips them.
// Params: $rows: [{id, embedding}], $model. Returns: {updated}.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
CALL db.create.setNodeVectorProperty(k, 'embedding', row.embedding)
SET k.embeddedHash = k.contentHash, k.embeddingModel = $model
RETURN count(k) AS updated
