// Chunks of a document version with their offsets into Document.text, and HAS_CHUNK links.
// Params: $documentId, $model (embedding model, nullable),
//   $rows: [{id, index, text, start, end, embedding (list<float> or null), values (JSON text)}].
// Returns: {created} (count). Idempotent by chunk id. Vectors are stored as float32 (vector index chunk_embedding).
MATCH (d:Document {id: $documentId})
UNWIND $rows AS row
MERGE (c:Chunk {id: row.id})
ON CREATE SET c.documentId = $documentId, c.index = row.index, c.text = row.text, c.start = row.start, c.end = row.end,
              c.values = row.values, c.language = d.language, c.visibility = d.visibility
MERGE (d)-[:HAS_CHUNK]->(c)
WITH c, row
CALL (c, row) {
  WITH c, row WHERE row.embedding IS NOT NULL
  CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
  SET c.embeddingModel = $model
}
RETURN count(c) AS created
