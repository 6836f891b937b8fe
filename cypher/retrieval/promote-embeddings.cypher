// Ends a re-embedding: in ONE transaction, every item and chunk staged with $model gets its staged
// vector as the served one, and the state records $model as served. A query runs either before (old
// model's vectors, old model's question vector) or after (new, new); none sees both.
// Items staged from content that changed since (hash differs) are swapped too and re-embedded by the
// next sweep (their hash tells it). Items never staged keep their old vectors, which no query of
// $model compares with (retrieval filters on embeddingModel) until the sweep embeds them.
// Params: $model. Returns: {knowledge, chunks} (how many vectors were swapped in).
CALL () {
  MATCH (k:Knowledge) WHERE k.embeddingNextModel = $model
  CALL (k) {
    WITH k WHERE k.embeddingNext IS NOT NULL
    CALL db.create.setNodeVectorProperty(k, 'embedding', k.embeddingNext)
  }
  SET k.embeddingModel = $model, k.embeddedHash = k.embeddingNextHash
  REMOVE k.embeddingNext, k.embeddingNextModel, k.embeddingNextHash
  RETURN count(k) AS knowledge
}
CALL () {
  MATCH (c:Chunk) WHERE c.embeddingNextModel = $model AND c.embeddingNext IS NOT NULL
  CALL db.create.setNodeVectorProperty(c, 'embedding', c.embeddingNext)
  SET c.embeddingModel = $model
  REMOVE c.embeddingNext, c.embeddingNextModel
  RETURN count(c) AS chunks
}
MERGE (s:EmbeddingState {id: 'knowledge'})
SET s.model = $model, s.status = 'done', s.finishedAt = datetime(), s.done = s.total
RETURN knowledge, chunks
