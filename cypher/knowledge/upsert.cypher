// Creates or updates knowledge items in one batch, recording a version for each.
// Params: $rows: [{id, externalId, kind, props (map of content fields), contentHash, status, change, changedFields}], $by.
//   Rows are only those that are new or changed (the caller compares content hashes first).
// Returns: {id, version} per row. Labels come from a fixed whitelist (Fact | Rule | Process), never from input.
UNWIND $rows AS row
MERGE (k:Knowledge {id: row.id})
ON CREATE SET k.createdAt = datetime(), k.createdBy = $by, k.version = 0, k.qualityScore = null
SET k += row.props,
    k.externalId = row.externalId,
    k.kind = row.kind,
    k.status = row.status,
    k.contentHash = row.contentHash,
    k.version = k.version + 1,
    k.updatedAt = datetime(),
    k.updatedBy = $by
FOREACH (_ IN CASE WHEN row.kind = 'fact' THEN [1] ELSE [] END | SET k:Fact)
FOREACH (_ IN CASE WHEN row.kind = 'rule' THEN [1] ELSE [] END | SET k:Rule)
FOREACH (_ IN CASE WHEN row.kind = 'process' THEN [1] ELSE [] END | SET k:Process)
CREATE (v:KnowledgeVersion {id: randomUUID(), version: k.version, change: row.change, changedFields: row.changedFields,
                            status: k.status, snapshot: row.snapshot, by: $by, at: datetime()})-[:VERSION_OF]->(k)
RETURN k.id AS id, k.version AS version
