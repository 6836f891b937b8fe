// One document version with its counts (for the job's result and the review console).
// Params: $id. Returns: {document} or no row.
MATCH (d:Document {id: $id})
RETURN d {.id, .source, .title, .mediaType, .language, .visibility, .version, .status, .contentHash, .chunkCount, .stats, .createdAt} AS document
