// Records that an item's vector by another model is staged in the external store (Qdrant) during a
// re-embedding; retrieval/promote-embeddings makes it the served one.
// Params: $rows: [{id, hash}], $model. Returns: {id} per item.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
SET k.embeddingNextHash = row.hash, k.embeddingNextModel = $model
RETURN k.id AS id
