// The similar questions an import gives its facts: new ones are added; imported ones the file no longer
// lists are removed (questions editors or gaps added stay). Runs in the import's transaction.
// Params: $rows: [{externalId, questions: [{text, key, language}]}], $by. Returns: {added}.
UNWIND $rows AS row
MATCH (k:Knowledge {externalId: row.externalId})
CALL (k, row) {
  OPTIONAL MATCH (k)-[:HAS_QUESTION]->(old:SimilarQuestion {origin: 'import'})
  WHERE NOT old.key IN [x IN row.questions | x.key]
  DETACH DELETE old
}
CALL (k, row) {
  UNWIND row.questions AS x
  OPTIONAL MATCH (k)-[:HAS_QUESTION]->(existing:SimilarQuestion {key: x.key})
  WITH k, x, existing WHERE existing IS NULL
  CREATE (k)-[:HAS_QUESTION]->(:SimilarQuestion {id: randomUUID(), text: x.text, key: x.key, language: x.language, origin: 'import',
                                                  createdAt: datetime(), createdBy: $by})
  RETURN count(*) AS added
}
RETURN sum(added) AS added
