// Takes the write lock of a document source for this transaction (MERGE + SET locks the node), so
// two versions of one source are never written at once, and says what is current.
// Params: $source, $documentId (the id the new version would take).
// Returns one row: {currentId, currentHash, currentVersion, currentStats, currentJobId, idTaken} (nulls for a new source);
// idTaken: a document with $documentId exists already (an old version whose content comes back).
MERGE (s:DocumentSource {source: $source})
ON CREATE SET s.createdAt = datetime(), s.version = 0
SET s.lockedAt = datetime()
WITH s
OPTIONAL MATCH (current:Document {id: s.currentId})
OPTIONAL MATCH (same:Document {id: $documentId})
RETURN s.currentId AS currentId, current.contentHash AS currentHash, coalesce(s.version, 0) AS currentVersion,
       current.stats AS currentStats, current.jobId AS currentJobId, same IS NOT NULL AS idTaken
