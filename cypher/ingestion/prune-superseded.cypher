// Cleans earlier versions of a source: the relations read from them are removed (found through the
// entities their chunks mention, so no scan of all relationships) and recorded as :RemovedRelation
// (removedBy: the new version; the review diff shows them REMOVED, or a re-read one CHANGED), then
// their mentions, then the chunks nothing is derived from any more. Chunks that still back flagged
// items stay, as do the Document nodes (superseded, for history).
// Params: $source, $documentId. Returns: {chunksDeleted, relationsDeleted}.
MATCH (:DocumentSource {source: $source})-[:HAS_VERSION]->(old:Document)
WHERE old.id <> $documentId
CALL (old) {
  MATCH (old)-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(a:Entity)-[r]->(b:Entity)
  WHERE r.documentId = old.id AND r.origin = 'ingestion'
  WITH DISTINCT r, a, b
  CREATE (:RemovedRelation {type: type(r), fromId: a.id, fromName: a.name, toId: b.id, toName: b.name, chunkId: r.chunkId,
                            start: r.start, end: r.end, evidence: r.evidence, confidence: r.confidence,
                            documentId: old.id, removedBy: $documentId, at: datetime()})
  DELETE r
  RETURN count(*) AS relationsDeleted
}
CALL (old) {
  MATCH (old)-[:HAS_CHUNK]->(:Chunk)-[m:MENTIONS]->()
  DELETE m
  RETURN count(*) AS mentionsDeleted
}
CALL (old) {
  MATCH (old)-[:HAS_CHUNK]->(c:Chunk)
  WHERE NOT EXISTS { MATCH (c)<-[:DERIVED_FROM]-() }
  DETACH DELETE c
  RETURN count(*) AS chunksDeleted
}
RETURN sum(chunksDeleted) AS chunksDeleted, sum(relationsDeleted) AS relationsDeleted
