// Removes stored vectors from knowledge items (Neo4j vector store `delete`).
// Params: $ids. Returns: {id} per item touched.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})
REMOVE k.embedding, k.embeddedHash, k.embeddingModel
RETURN k.id AS id
