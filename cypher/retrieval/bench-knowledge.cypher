// Benchmark fixture only (bench/answer.ts): bulk-creates published facts with their embeddings (marked
// current, so the embedding sweep leaves them alone) and their ABOUT links, in one batch.
// Params: $rows: [{id, externalId, question, answer, vector (list<float>), hash, entityKeys}], $model. Returns: {n}.
UNWIND $rows AS row
CREATE (k:Knowledge:Fact {id: row.id, externalId: row.externalId, kind: 'fact', status: 'PUBLISHED', visibility: 'PUBLIC', version: 1,
  language: 'en', question: row.question, answer: row.answer, contentHash: row.hash, embeddedHash: row.hash, embeddingModel: $model,
  tags: ['bench'], createdAt: datetime(), updatedAt: datetime()})
WITH k, row
CALL db.create.setNodeVectorProperty(k, 'embedding', row.vector)
WITH k, row
CALL (k, row) {
  UNWIND row.entityKeys AS key
  MATCH (e:Entity {key: key})
  CREATE (k)-[:ABOUT]->(e)
  RETURN count(*) AS linked
}
RETURN count(k) AS n
