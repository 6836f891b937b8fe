// Creates or updates entities keyed by their normalised name.
// Params: $rows: [{id, key, externalId, name, type, aliases, aliasKeys, aliasText, contentHash}], $by.
// Returns: {id, key, created}. `type` is checked against the controlled vocabulary by the caller.
UNWIND $rows AS row
MERGE (e:Entity {key: row.key})
ON CREATE SET e.id = row.id, e.createdAt = datetime(), e.createdBy = $by, e._new = true
SET e.name = row.name, e.type = row.type, e.externalId = coalesce(row.externalId, e.externalId),
    e.aliases = row.aliases, e.aliasKeys = row.aliasKeys, e.aliasText = row.aliasText,
    e.contentHash = row.contentHash, e.updatedAt = datetime()
WITH e, coalesce(e._new, false) AS created
REMOVE e._new
RETURN e.id AS id, e.key AS key, created
