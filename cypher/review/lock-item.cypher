// Locks a knowledge item the viewer may see and returns its versions with content (newest first) and the
// versions that were ever live (a history row of that version with status PUBLISHED).
// Params: $id, $visibilities. Returns: {item, snapshots: [{version, snapshot}], publishedVersions: [int]} or no row.
MATCH (k:Knowledge {id: $id})
WHERE {{visible-knowledge-any-status k}}
SET k.lockedAt = datetime()
WITH k
CALL (k) {
  OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k)
  WITH v WHERE v.snapshot IS NOT NULL
  WITH v ORDER BY v.version DESC
  RETURN collect(v {.version, .snapshot}) AS snapshots
}
CALL (k) {
  OPTIONAL MATCH (p:KnowledgeVersion {status: 'PUBLISHED'})-[:VERSION_OF]->(k)
  RETURN collect(DISTINCT p.version) AS publishedVersions
}
RETURN k {.*, embedding: null} AS item, snapshots, publishedVersions
