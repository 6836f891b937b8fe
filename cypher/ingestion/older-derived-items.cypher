// Knowledge derived from earlier versions of a source (anything but the given document): what the
// new version may re-point, flag, or make redundant.
// Params: $source, $documentId. Returns: {id, status, contentHash, quote, hasOpenRemovalTask} per item and source link.
MATCH (:DocumentSource {source: $source})-[:HAS_VERSION]->(old:Document)-[:HAS_CHUNK]->(c:Chunk)<-[r:DERIVED_FROM]-(k:Knowledge)
WHERE old.id <> $documentId
WITH k, r, c
RETURN k.id AS id, k.status AS status, k.contentHash AS contentHash,
       substring(c.text, r.start - c.start, r.end - r.start) AS quote,
       EXISTS { MATCH (t:ReviewTask {type: 'source-removed', status: 'OPEN'})-[:FOR]->(k) } AS hasOpenRemovalTask
ORDER BY id, r.start
