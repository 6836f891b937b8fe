// Removes the unreviewed drafts (status DRAFT) of earlier versions of a source, with their history
// and review tasks: a new version supersedes them. Items an editor moved on (in review, published,
// rejected, archived) are never deleted here.
// Params: $source, $documentId (the new version). Returns: {deleted}.
MATCH (:DocumentSource {source: $source})-[:HAS_VERSION]->(old:Document)-[:HAS_CHUNK]->(:Chunk)<-[:DERIVED_FROM]-(k:Knowledge {status: 'DRAFT'})
WHERE old.id <> $documentId
WITH DISTINCT k
OPTIONAL MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(k)
OPTIONAL MATCH (t:ReviewTask)-[:FOR]->(k)
WITH k, collect(DISTINCT v) + collect(DISTINCT t) AS attached
FOREACH (n IN attached | DETACH DELETE n)
DETACH DELETE k
RETURN count(*) AS deleted
