// Name embeddings of entities (vector index entity_embedding), used by entity resolution, with the
// model that made them. Params: $rows: [{id, embedding}], $model. Returns: {updated}.
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.embedding = row.embedding, e.embeddingModel = $model
RETURN count(e) AS updated
