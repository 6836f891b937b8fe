// Stages vectors of another embedding model next to the served ones (a re-embedding in progress):
// `embeddingNext` (not indexed: no query reads it) with its model and content hash. The served
// `embedding` is not touched; retrieval/promote-embeddings swaps them in.
// Params: $rows: [{id, vector (list<float>), hash}], $model. Returns: {id} per item written.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
CALL db.create.setNodeVectorProperty(k, 'embeddingNext', row.vector)
SET k.embeddingNextHash = row.hash, k.embeddingNextModel = $model
RETURN k.id AS id
