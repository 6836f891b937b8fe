// A page of review tasks, oldest first, with what a reviewer needs to decide: the target (a
// knowledge item or an entity), its kind, and the source passage (quote + offsets).
// Params: $status ('OPEN' | 'DONE' | null for all), $type (nullable), $documentId (nullable: one
// document's tasks), $visibilities (knowledge the viewer may see), $skip, $limit. Returns one row: {total, items}.
MATCH (t:ReviewTask)-[:FOR]->(target)
WHERE ($status IS NULL OR t.status = $status) AND ($type IS NULL OR t.type = $type) AND ($documentId IS NULL OR t.documentId = $documentId)
  AND (target:Entity OR (target:Knowledge AND target.visibility IN $visibilities))
OPTIONAL MATCH (t)-[:CANDIDATE]->(candidate:Entity)
WITH t, target, candidate ORDER BY t.createdAt, t.documentId, t.start, t.id
WITH collect({t: t, target: target, candidate: candidate}) AS tasks
CALL (tasks) {
  UNWIND tasks[toInteger($skip)..toInteger($skip + $limit)] AS x
  WITH x.t AS t, x.target AS target, x.candidate AS candidate
  OPTIONAL MATCH (d:Document {id: t.documentId})
  RETURN collect(t {.id, .type, .status, .createdAt, .reason, .score, .quote, .start, .end, .documentId, .chunkId, .decision, .decidedAt, .decidedBy, .note,
                    targetId: target.id, targetLabel: CASE WHEN target:Knowledge THEN 'Knowledge' ELSE 'Entity' END,
                    kind: CASE WHEN target:Knowledge THEN target.kind ELSE 'entity' END,
                    candidateId: candidate.id, documentTitle: d.title}) AS items
}
RETURN size(tasks) AS total, items
