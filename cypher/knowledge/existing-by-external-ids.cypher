// What an import would change: the current id, content hash, status and visibility of each external id.
// An item made without an external id (createKnowledge, an ingested draft) is exported under its id, so a
// value that names no item's externalId also matches an item with that id and no externalId: re-importing
// an export then updates the same items instead of creating copies.
// Params: $externalIds. Returns: one row per existing item.
UNWIND $externalIds AS externalId
OPTIONAL MATCH (named:Knowledge {externalId: externalId})
OPTIONAL MATCH (unnamed:Knowledge {id: externalId}) WHERE unnamed.externalId IS NULL
WITH externalId, coalesce(named, unnamed) AS k
WHERE k IS NOT NULL
RETURN externalId, k.id AS id, k.contentHash AS contentHash, k.status AS status, k.kind AS kind, k.visibility AS visibility
