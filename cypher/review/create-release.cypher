// Records a release and links it to every item it changed (what each was before and after).
// Params: $release: {id, note, by, byName}, $entries: [{itemId, change ('ADDED' | 'MODIFIED' | 'DELETED'), fromStatus, toStatus, version, fields}].
// Returns: {id}.
CREATE (r:Release {id: $release.id, note: $release.note, status: 'PUBLISHED', createdAt: datetime(), createdBy: $release.by, createdByName: $release.byName})
WITH r
UNWIND $entries AS e
MATCH (k:Knowledge {id: e.itemId})
CREATE (r)-[:RELEASED {change: e.change, fromStatus: e.fromStatus, toStatus: e.toStatus, version: e.version, fields: e.fields}]->(k)
RETURN DISTINCT r.id AS id
