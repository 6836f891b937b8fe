// What a release would change for each item (inside the publishing transaction, after review/lock-items, so
// the plan cannot go stale before it is written): the item, its entities, its open review tasks, the
// approvals its decided tasks collected, its content snapshots and the version it was last published at.
// Params: $ids, $visibilities. Returns per existing, visible item:
//   {item, entities, openTaskIds, approvals, snapshots: [{version, snapshot}] newest first, publishedVersion}.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})
WHERE {{visible-knowledge-any-status k}}
CALL (k) { OPTIONAL MATCH (k)-[:ABOUT]->(e:Entity) RETURN collect(e.name) AS entities }
CALL (k) {
  OPTIONAL MATCH (t:ReviewTask {type: 'draft'})-[:FOR]->(k)
  RETURN collect(CASE WHEN t.status = 'OPEN' THEN t.id END) AS openTaskIds,
         max(CASE WHEN t.decision = 'approved' THEN size(coalesce(t.approvedBy, [t.decidedBy])) END) AS approvals
}
CALL (k) {
  OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k)
  WITH v WHERE v.snapshot IS NOT NULL
  WITH v ORDER BY v.version DESC
  RETURN collect(v {.version, .snapshot}) AS snapshots
}
CALL (k) {
  OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k)
  WITH v WHERE v.change = 'publish'
  RETURN max(v.version) AS publishedVersion
}
RETURN k {.*, embedding: null} AS item, entities, openTaskIds, approvals, snapshots, publishedVersion
