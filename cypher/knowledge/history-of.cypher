// Version history of knowledge items, newest first.
// Params: $ids. Returns: one row per id: {id, versions: [{version, change, changedFields, by, at, snapshot}]}.
UNWIND $ids AS id
MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(:Knowledge {id: id})
WITH id, v ORDER BY v.at DESC, v.version DESC
RETURN id, collect(v {.*}) AS versions
