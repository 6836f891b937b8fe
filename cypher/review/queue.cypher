// A page of review tasks, oldest first, with what a reviewer needs to decide: the target (a
// knowledge item or an entity), its kind, and the source passage (quote + offsets).
// Params: $status ('OPEN' | 'DONE' | null for all), $type, $kind ('fact' | 'rule' | 'process' | 'entity'),
//   $documentId, $assignee (key id; '' = unassigned), $minConfidence, $maxConfidence (extraction confidence,
//   as review/get computes it), $createdBefore, $createdAfter (ISO text) — each nullable —
//   $visibilities (knowledge the viewer may see), $skip, $limit. Returns one row: {total, items}.
MATCH (t:ReviewTask)-[:FOR]->(target)
WHERE ($status IS NULL OR t.status = $status) AND ($type IS NULL OR t.type = $type) AND ($documentId IS NULL OR t.documentId = $documentId)
  AND (target:Entity OR (target:Knowledge AND {{visible-knowledge-any-status target}} AND (t.proposedVisibility IS NULL OR t.proposedVisibility IN $visibilities)))
  AND ($kind IS NULL OR CASE WHEN target:Knowledge THEN target.kind ELSE 'entity' END = $kind)
  AND ($assignee IS NULL OR coalesce(t.assignee, '') = $assignee)
  AND ($createdBefore IS NULL OR t.createdAt < datetime($createdBefore)) AND ($createdAfter IS NULL OR t.createdAt >= datetime($createdAfter))
WITH DISTINCT t, target,
     CASE
       WHEN t.type = 'entity-merge' THEN coalesce(t.score, 0.5)
       WHEN t.reason STARTS WITH 'record of' THEN 0.95
       WHEN t.reason STARTS WITH 'question and answer' THEN 0.9
       WHEN t.reason STARTS WITH 'numbered instructions' THEN 0.8
       WHEN t.reason STARTS WITH 'conditional sentence (' THEN 0.4
       WHEN t.reason STARTS WITH 'conditional sentence' THEN 0.7
       WHEN t.type = 'source-removed' OR t.type = 'revision' THEN 1.0
       ELSE 0.5 END AS confidence
WHERE ($minConfidence IS NULL OR confidence >= $minConfidence) AND ($maxConfidence IS NULL OR confidence <= $maxConfidence)
WITH t, target, confidence ORDER BY t.createdAt, t.documentId, t.start, t.id
WITH collect({t: t, target: target, confidence: confidence}) AS tasks
CALL (tasks) {
  UNWIND tasks[toInteger($skip)..toInteger($skip + $limit)] AS x
  WITH x.t AS t, x.target AS target, x.confidence AS confidence
  OPTIONAL MATCH (t)-[:CANDIDATE]->(candidate:Entity)
  // The merge an approved suggestion carried out (none once undone: the task reopens).
  OPTIONAL MATCH (em:EntityMerge {taskId: t.id}) WHERE t.type = 'entity-merge' AND em.undoneAt IS NULL
  OPTIONAL MATCH (d:Document {id: t.documentId}) WHERE {{visible-document d}}
  RETURN collect(t {.id, .type, .status, .createdAt, .reason, .score, .quote, .start, .end, .documentId, .chunkId, .decision, .decidedAt, .decidedBy, .note,
                    .assignee, .assignedAt, .releaseId, rev: coalesce(t.rev, 0), approvedBy: coalesce(t.approvedBy, []), approvedByNames: coalesce(t.approvedByNames, []),
                    approvedAt: coalesce(t.approvedAt, []), approvedHash: t.approvedHash,
                    targetId: target.id, targetLabel: CASE WHEN target:Knowledge THEN 'Knowledge' ELSE 'Entity' END,
                    kind: CASE WHEN target:Knowledge THEN target.kind ELSE 'entity' END, visibility: CASE WHEN t.proposedVisibility = 'RESTRICTED' THEN 'RESTRICTED' ELSE target.visibility END,
          proposed: t.proposed, baseVersion: t.baseVersion, proposedBy: t.proposedBy, mergeId: em.id, confidence: confidence,
                    candidateId: candidate.id, documentTitle: d.title}) AS items
}
RETURN size(tasks) AS total, items
