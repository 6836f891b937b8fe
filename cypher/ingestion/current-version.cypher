// The current version of a document source, if any (no lock: a read before the pipeline starts).
// Params: $source. Returns: {id, version, contentHash, stats} or no row.
MATCH (s:DocumentSource {source: $source})
MATCH (d:Document {id: s.currentId})
RETURN d.id AS id, d.version AS version, d.contentHash AS contentHash, d.stats AS stats
