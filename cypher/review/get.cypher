// Review tasks by id, in the shape of review/queue items.
// Params: $ids, $visibilities. Returns: {task} per visible task.
// Extraction confidence: an entity-merge task's name similarity; for drafts, the fixed confidence of the
// extraction rule that produced them (documented in src/review/README.md).
UNWIND $ids AS id
MATCH (t:ReviewTask {id: id})-[:FOR]->(target)
WHERE target:Entity OR (target:Knowledge AND {{visible-knowledge-any-status target}} AND (t.proposedVisibility IS NULL OR t.proposedVisibility IN $visibilities))
WITH DISTINCT t, target
OPTIONAL MATCH (t)-[:CANDIDATE]->(candidate:Entity)
// The merge an approved suggestion carried out (none once undone: the task reopens).
OPTIONAL MATCH (em:EntityMerge {taskId: t.id}) WHERE t.type = 'entity-merge' AND em.undoneAt IS NULL
OPTIONAL MATCH (d:Document {id: t.documentId}) WHERE {{visible-document d}}
RETURN t {.id, .type, .status, .createdAt, .reason, .score, .quote, .start, .end, .documentId, .chunkId, .decision, .decidedAt, .decidedBy, .note,
          .assignee, .assignedAt, .releaseId, rev: coalesce(t.rev, 0), approvedBy: coalesce(t.approvedBy, []), approvedByNames: coalesce(t.approvedByNames, []),
          approvedAt: coalesce(t.approvedAt, []), approvedHash: t.approvedHash,
          targetId: target.id, targetLabel: CASE WHEN target:Knowledge THEN 'Knowledge' ELSE 'Entity' END,
          kind: CASE WHEN target:Knowledge THEN target.kind ELSE 'entity' END, visibility: CASE WHEN t.proposedVisibility = 'RESTRICTED' THEN 'RESTRICTED' ELSE target.visibility END,
          proposed: t.proposed, baseVersion: t.baseVersion, proposedBy: t.proposedBy, mergeId: em.id,
          confidence: CASE
            WHEN t.type = 'entity-merge' THEN coalesce(t.score, 0.5)
            WHEN t.reason STARTS WITH 'record of' THEN 0.95
            WHEN t.reason STARTS WITH 'question and answer' THEN 0.9
            WHEN t.reason STARTS WITH 'numbered instructions' THEN 0.8
            WHEN t.reason STARTS WITH 'conditional sentence (' THEN 0.4
            WHEN t.reason STARTS WITH 'conditional sentence' THEN 0.7
            WHEN t.type = 'source-removed' OR t.type = 'revision' THEN 1.0
            ELSE 0.5 END,
          candidateId: candidate.id, documentTitle: d.title} AS task
