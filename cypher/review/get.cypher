// Review tasks by id, in the shape of review/queue items.
// Params: $ids, $visibilities. Returns: {task} per visible task.
UNWIND $ids AS id
MATCH (t:ReviewTask {id: id})-[:FOR]->(target)
WHERE target:Entity OR (target:Knowledge AND target.visibility IN $visibilities)
OPTIONAL MATCH (t)-[:CANDIDATE]->(candidate:Entity)
OPTIONAL MATCH (d:Document {id: t.documentId})
RETURN t {.id, .type, .status, .createdAt, .reason, .score, .quote, .start, .end, .documentId, .chunkId, .decision, .decidedAt, .decidedBy, .note,
          targetId: target.id, targetLabel: CASE WHEN target:Knowledge THEN 'Knowledge' ELSE 'Entity' END,
          kind: CASE WHEN target:Knowledge THEN target.kind ELSE 'entity' END,
          candidateId: candidate.id, documentTitle: d.title} AS task
