// Review tasks for what ingestion produced: drafts, uncertain entity merges, items whose source
// sentence disappeared. Idempotent by task id (derived from what it is about).
// Params: $rows: [{id, type, targetId, targetLabel ('Knowledge' | 'Entity'), candidateId (nullable),
//   score (nullable), documentId, chunkId (nullable), start (nullable), end (nullable), quote (nullable), reason}].
// Returns: {created}. Tasks whose target is gone are skipped.
UNWIND $rows AS row
OPTIONAL MATCH (k:Knowledge {id: row.targetId}) WHERE row.targetLabel = 'Knowledge'
OPTIONAL MATCH (e:Entity {id: row.targetId}) WHERE row.targetLabel = 'Entity'
WITH row, coalesce(k, e) AS target
WHERE target IS NOT NULL
MERGE (t:ReviewTask {id: row.id})
ON CREATE SET t.type = row.type, t.status = 'OPEN', t.createdAt = datetime(), t.documentId = row.documentId, t.chunkId = row.chunkId,
              t.start = row.start, t.end = row.end, t.quote = row.quote, t.reason = row.reason, t.score = row.score, t.origin = 'ingestion', t._new = true
MERGE (t)-[:FOR]->(target)
WITH t, row
CALL (t, row) {
  MATCH (c:Entity {id: row.candidateId})
  MERGE (t)-[:CANDIDATE]->(c)
}
WITH t, coalesce(t._new, false) AS created
REMOVE t._new
RETURN count(CASE WHEN created THEN 1 END) AS created
