// Name embeddings of entities (vector index entity_embedding), used by entity resolution.
// Params: $rows: [{id, embedding}]. Returns: {updated}.
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.embedding = row.embedding
RETURN count(e) AS updated
