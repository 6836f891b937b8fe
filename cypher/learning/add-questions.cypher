// Adds similar questions to a fact; a question whose key the fact already has is left as it is.
// Params: $id, $rows: [{text, key, language, embedding (list | null)}], $model (of the embeddings), $origin
//   ('editor' | 'gap' | 'import'), $gapId (nullable), $by.
// Returns: {added, kept}.
MATCH (k:Knowledge {id: $id})
UNWIND $rows AS row
OPTIONAL MATCH (k)-[:HAS_QUESTION]->(existing:SimilarQuestion {key: row.key})
WITH k, row, existing
CALL (k, row, existing) {
  WITH k, row WHERE existing IS NULL
  CREATE (k)-[:HAS_QUESTION]->(q:SimilarQuestion {id: randomUUID(), text: row.text, key: row.key, language: row.language,
                                                   origin: $origin, gapId: $gapId, createdAt: datetime(), createdBy: $by})
  SET q.embedding = CASE WHEN row.embedding IS NULL THEN null ELSE row.embedding END,
      q.embeddingModel = CASE WHEN row.embedding IS NULL THEN null ELSE $model END
  RETURN 1 AS created
}
RETURN count(*) AS added
