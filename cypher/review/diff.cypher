// The graph change each review task proposes, for the reviewer: the entities its item is ABOUT (ADDED
// when this document introduced them, else LINKED), the typed relations read from its source span,
// suspected duplicate entities (open entity-merge suggestions), and the item's content snapshots. Relations
// are ADDED, CHANGED (the source's previous version stated them too) or REMOVED (read from the sentence a
// source-removed item lost; recorded by ingestion/prune-superseded).
// For an entity-merge task: the relations that move from the merged entity to the kept one.
// Params: $ids (task ids). Returns per task: {taskId, type, documentId, targetId, candidateId, entities,
//   relations, duplicates, snapshots: [{version, snapshot, change}] newest first, publishedVersion, proposed
//   (a revision task's proposed content, JSON), aboutCount}.
// Relationship types are the fixed whitelist below.
UNWIND $ids AS id
MATCH (t:ReviewTask {id: id})-[:FOR]->(target)
WITH DISTINCT t, target
OPTIONAL MATCH (t)-[:CANDIDATE]->(cand:Entity)
CALL (t, target) {
  OPTIONAL MATCH (target:Knowledge)-[:ABOUT]->(e:Entity)
  WITH t, e WHERE e IS NOT NULL
  RETURN collect({id: e.id, name: e.name, type: e.type,
                  change: CASE WHEN e.origin = 'ingestion' AND t.documentId IS NOT NULL
                                    AND NOT EXISTS { MATCH (c:Chunk)-[:MENTIONS]->(e) WHERE c.documentId <> t.documentId } THEN 'ADDED' ELSE 'LINKED' END}) AS entities
}
CALL (t, target) {
  OPTIONAL MATCH (target:Knowledge)-[df:DERIVED_FROM]->(c:Chunk)-[:MENTIONS]->(a:Entity)-[r:COVERS|INCLUDES|REQUIRES|APPLIES_TO|AVAILABLE_AT|COMPATIBLE_WITH|REPLACES|RELATED_TO]->(b:Entity)
  WHERE t.type = 'draft' AND r.chunkId = c.id AND r.start < df.end AND r.end > df.start
  WITH DISTINCT t, r, a, b WHERE r IS NOT NULL
  // CHANGED: the previous version of the source stated it too (re-read from the new text); else ADDED.
  RETURN collect({type: type(r), fromId: a.id, fromName: a.name, toId: b.id, toName: b.name, confidence: r.confidence, evidence: r.evidence,
                  change: CASE WHEN EXISTS { MATCH (x:RemovedRelation {removedBy: t.documentId}) WHERE x.type = type(r) AND x.fromId = a.id AND x.toId = b.id }
                               THEN 'CHANGED' ELSE 'ADDED' END}) AS drafted
}
CALL (t, target) {
  // A live item whose sentence left the new version: the relations read from that sentence, which the new
  // version's ingestion removed.
  OPTIONAL MATCH (target:Knowledge)-[df:DERIVED_FROM]->(c:Chunk)
  WHERE t.type = 'source-removed'
  OPTIONAL MATCH (x:RemovedRelation {removedBy: t.documentId})
  WHERE c IS NOT NULL AND x.chunkId = c.id AND x.start < df.end AND x.end > df.start
  WITH DISTINCT x WHERE x IS NOT NULL
  RETURN collect({type: x.type, fromId: x.fromId, fromName: x.fromName, toId: x.toId, toName: x.toName, confidence: x.confidence, evidence: x.evidence, change: 'REMOVED'}) AS removed
}
CALL (t, target, cand) {
  OPTIONAL MATCH (target:Entity)-[r:COVERS|INCLUDES|REQUIRES|APPLIES_TO|AVAILABLE_AT|COMPATIBLE_WITH|REPLACES|RELATED_TO]-(x:Entity)
  WHERE t.type = 'entity-merge' AND x <> cand
  WITH target, cand, r, x, startNode(r) = target AS out WHERE r IS NOT NULL
  RETURN collect({type: type(r), fromId: CASE WHEN out THEN cand.id ELSE x.id END, fromName: CASE WHEN out THEN cand.name ELSE x.name END,
                  toId: CASE WHEN out THEN x.id ELSE cand.id END, toName: CASE WHEN out THEN x.name ELSE cand.name END,
                  confidence: r.confidence, evidence: r.evidence, change: 'REWIRED'}) AS rewired
}
CALL (t, target) {
  OPTIONAL MATCH (target:Knowledge)-[:ABOUT]->(e:Entity)<-[:FOR]-(m:ReviewTask {type: 'entity-merge', status: 'OPEN'})-[:CANDIDATE]->(c:Entity)
  WITH e, m, c WHERE m IS NOT NULL
  RETURN collect(DISTINCT {entityId: e.id, entityName: e.name, candidateId: c.id, candidateName: c.name, score: m.score, taskId: m.id}) AS suspected
}
CALL (target) {
  OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(target:Knowledge)
  WITH v WHERE v.snapshot IS NOT NULL
  WITH v ORDER BY v.version DESC
  RETURN collect(v {.version, .snapshot, .change}) AS snapshots
}
CALL (target) {
  OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(target:Knowledge)
  WITH v WHERE v.change = 'publish'
  RETURN max(v.version) AS publishedVersion
}
RETURN t.id AS taskId, t.type AS type, t.documentId AS documentId, target.id AS targetId, target.name AS targetName, target.type AS targetType,
       cand.id AS candidateId, cand.name AS candidateName, t.score AS score,
       entities, drafted + removed + rewired AS relations,
       CASE WHEN t.type = 'entity-merge' AND cand IS NOT NULL
            THEN [{entityId: target.id, entityName: target.name, candidateId: cand.id, candidateName: cand.name, score: t.score, taskId: t.id}]
            ELSE suspected END AS duplicates,
       snapshots, publishedVersion, t.proposed AS proposed, COUNT { (target:Entity)<-[:ABOUT]-(:Knowledge) } AS aboutCount
