// Names the newest version of an item a rollback (it was written as an update) and says to which version.
// Params: $id, $version (the version just written), $reason. Returns: {version}.
MATCH (v:KnowledgeVersion {version: $version})-[:VERSION_OF]->(:Knowledge {id: $id})
WHERE v.snapshot IS NOT NULL
SET v.change = 'rollback', v.reason = $reason
RETURN v.version AS version
