// Marks knowledge items as embedded when their vectors live in an external store (Qdrant); removes
// any vector the graph still holds for them.
// Params: $rows: [{id, hash}], $model. Returns: {id} per item.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
SET k.embeddedHash = row.hash, k.embeddingModel = $model
REMOVE k.embedding
RETURN k.id AS id
