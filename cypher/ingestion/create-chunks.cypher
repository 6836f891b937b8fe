// Chunks of a document version with their offsets into Document.text, and HAS_CHUNK links.
// Params: $documentId, $model (embedding model, nullable),
//   $rows: [{id, index, text, start, end, embedding (list<float> or null), values (JSON text)}].
// Returns: {created} (count). Vectors are stored as float32 (vector index chunk_embedding).
// CREATE, not MERGE: a version's chunks are written once, in the transaction that creates the version
// (the writer returns early when the version exists), and the unique chunk id would refuse a duplicate.
MATCH (d:Document {id: $documentId})
UNWIND $rows AS row
CREATE (d)-[:HAS_CHUNK]->(c:Chunk {id: row.id, documentId: $documentId, index: row.index, text: row.text, start: row.start, end: row.end,
                                   values: row.values, language: d.language, visibility: d.visibility})
WITH c, row
CALL (c, row) {
  WITH c, row WHERE row.embedding IS NOT NULL
  CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
  SET c.embeddingModel = $model
}
RETURN count(c) AS created
