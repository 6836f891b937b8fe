// What an import would change: the current id, content hash and status of each external id.
// Params: $externalIds. Returns: one row per existing item.
UNWIND $externalIds AS externalId
MATCH (k:Knowledge {externalId: externalId})
RETURN externalId, k.id AS id, k.contentHash AS contentHash, k.status AS status, k.kind AS kind
