// Moves the provenance of surviving items to the new version where their sentence still appears.
// Params: $source, $documentId, $rows: [{knowledgeId, chunkId, start, end}].
// Returns: {moved}. Old DERIVED_FROM links to earlier versions of the same source are removed.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.knowledgeId})
MATCH (c:Chunk {id: row.chunkId})
OPTIONAL MATCH (k)-[old:DERIVED_FROM]->(:Chunk)<-[:HAS_CHUNK]-(d:Document {source: $source})
WHERE d.id <> $documentId
DELETE old
WITH DISTINCT k, c, row
MERGE (k)-[r:DERIVED_FROM {start: row.start, end: row.end}]->(c)
RETURN count(r) AS moved
