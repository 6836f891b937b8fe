// Stores quality scores; a score that moved (or the first one) is appended to the item's history.
// A PUBLISHED item below the threshold goes back to review in the same write: status IN_REVIEW, a version
// entry (change 'demote', with the reasons) and an open `quality` review task — unless one is open already.
// Params: $rows: [{id, score, evidenceScore, decay, reviewBy (ISO), inputs (JSON text), reasons, demote (bool)}].
// Returns: {id, demoted} per stored row.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
WITH k, row, k.qualityScore AS before
SET k.qualityScore = row.score, k.qualityInputs = row.inputs, k.qualityReasons = row.reasons, k.qualityAt = datetime(),
    k.reviewByEffective = datetime(row.reviewBy)
FOREACH (_ IN CASE WHEN before IS NULL OR abs(before - row.score) >= 0.005 THEN [1] ELSE [] END |
  CREATE (:QualityScore {id: randomUUID(), score: row.score, evidenceScore: row.evidenceScore, decay: row.decay, inputs: row.inputs,
                         reasons: row.reasons, at: datetime()})-[:SCORE_OF]->(k))
WITH k, row, row.demote AND k.status = 'PUBLISHED' AND NOT EXISTS { (:ReviewTask {type: 'quality', status: 'OPEN'})-[:FOR]->(k) } AS demoted
CALL (k, row, demoted) {
  WITH k, row WHERE demoted
  SET k.status = 'IN_REVIEW', k.updatedAt = datetime(), k.updatedBy = null
  CREATE (:KnowledgeVersion {id: randomUUID(), version: k.version, change: 'demote', changedFields: ['status'], status: 'IN_REVIEW',
                             previousStatus: 'PUBLISHED', reason: 'quality score ' + toString(row.score) + ': ' + reduce(s = '', r IN row.reasons | s + CASE WHEN s = '' THEN '' ELSE '; ' END + r),
                             by: null, at: datetime()})-[:VERSION_OF]->(k)
  CREATE (t:ReviewTask {id: randomUUID(), type: 'quality', status: 'OPEN', createdAt: datetime(), origin: 'learning', score: row.score,
                        reason: 'quality score ' + toString(row.score) + ' below the threshold: ' + reduce(s = '', r IN row.reasons | s + CASE WHEN s = '' THEN '' ELSE '; ' END + r)})-[:FOR]->(k)
}
RETURN k.id AS id, demoted
