// How much a re-embedding towards $model has to do (progress total).
// Params: $model. Returns: {knowledge, chunks}.
CALL () {
  MATCH (k:Knowledge)
  WHERE NOT (coalesce(k.embeddingModel, '') = $model AND coalesce(k.embeddedHash, '') = k.contentHash)
    AND NOT (coalesce(k.embeddingNextModel, '') = $model AND coalesce(k.embeddingNextHash, '') = k.contentHash)
  RETURN count(k) AS knowledge
}
CALL () {
  MATCH (c:Chunk)
  WHERE c.text IS NOT NULL AND coalesce(c.embeddingModel, '') <> $model AND coalesce(c.embeddingNextModel, '') <> $model
  RETURN count(c) AS chunks
}
RETURN knowledge, chunks
