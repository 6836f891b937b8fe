// Creates a document version, makes it the source's current version and marks the previous one superseded.
// Params: $doc: {id, source, title, mediaType, language, visibility, contentHash, text, chunkCount, piiFound, jobId, trusted}, $by.
// Returns: {id, version, previousId}. Must run after ingestion/lock-source in the same transaction.
MATCH (s:DocumentSource {source: $doc.source})
OPTIONAL MATCH (previous:Document {id: s.currentId})
MERGE (d:Document {id: $doc.id})
ON CREATE SET d += $doc, d.version = coalesce(s.version, 0) + 1, d.status = 'current', d.createdAt = datetime(), d.createdBy = $by
MERGE (s)-[:HAS_VERSION]->(d)
SET s.currentId = d.id, s.version = d.version
FOREACH (_ IN CASE WHEN previous IS NOT NULL AND previous.id <> d.id THEN [1] ELSE [] END |
  SET previous.status = 'superseded', previous.supersededAt = datetime()
  MERGE (d)-[:SUPERSEDES]->(previous))
RETURN d.id AS id, d.version AS version, CASE WHEN previous.id <> d.id THEN previous.id END AS previousId
