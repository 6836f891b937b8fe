// Records what the ingestion of a document version produced (returned again if the job re-runs).
// Params: $documentId, $stats (JSON text). Returns: {id}.
MATCH (d:Document {id: $documentId})
SET d.stats = $stats, d.completedAt = datetime()
RETURN d.id AS id
