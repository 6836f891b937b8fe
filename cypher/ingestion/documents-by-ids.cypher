// Document versions by id (job results, review sources), in one round trip.
// Params: $ids. Returns: {document} per id found (text left out: it can be large).
UNWIND $ids AS id
MATCH (d:Document {id: id})
RETURN d {.id, .source, .title, .mediaType, .language, .visibility, .version, .status, .contentHash, .chunkCount, .piiFound, .createdAt} AS document
