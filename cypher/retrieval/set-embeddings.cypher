// Stores embeddings on knowledge items (Neo4j vector store) and marks them current.
// Params: $rows: [{id, vector (list<float>), hash (the contentHash embedded)}], $model.
// Returns: {id} per item written. An item whose content changed meanwhile keeps its new hash and is
// picked up again by the next sweep (embeddedHash <> contentHash).
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
CALL db.create.setNodeVectorProperty(k, 'embedding', row.vector)
SET k.embeddedHash = row.hash, k.embeddingModel = $model
RETURN k.id AS id
