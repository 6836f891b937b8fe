// Candidates for review suggestions among published knowledge:
//  - `about`: pairs of published facts (or rules) ABOUT a common entity (entities with at most $maxDegree
//    items, so a hub entity does not make a quadratic scan); the caller checks them for contradictions;
//  - `near`: pairs whose embeddings (same model) have an index score of at least $dupScore;
//  - `stale`: published items whose review date has passed.
// Params: $maxDegree, $dupScore, $limit. Returns one row: {about: [{a, b, aEntities, bEntities, via}], near: [{a, b, score}], stale: [item]}.
CALL () {
  MATCH (e:Entity) WHERE COUNT { (e)<-[:ABOUT]-() } <= $maxDegree AND COUNT { (e)<-[:ABOUT]-() } > 1
  MATCH (a:Knowledge {status: 'PUBLISHED'})-[:ABOUT]->(e)<-[:ABOUT]-(b:Knowledge {status: 'PUBLISHED'})
  WHERE a.id < b.id AND a.kind = b.kind AND a.kind IN ['fact', 'rule']
  WITH a, b, collect(e.name) AS via LIMIT toInteger($limit)
  CALL (a) { OPTIONAL MATCH (a)-[:ABOUT]->(x:Entity) RETURN collect(x.name) AS aEntities }
  CALL (b) { OPTIONAL MATCH (b)-[:ABOUT]->(x:Entity) RETURN collect(x.name) AS bEntities }
  RETURN collect({a: a {.*, embedding: null}, b: b {.*, embedding: null}, aEntities: aEntities, bEntities: bEntities, via: via}) AS about
}
CALL () {
  MATCH (a:Knowledge {status: 'PUBLISHED'}) WHERE a.embedding IS NOT NULL
  WITH a LIMIT toInteger($limit * 10)
  CALL db.index.vector.queryNodes('knowledge_embedding', 4, a.embedding) YIELD node AS b, score
  WITH a, b, score
  WHERE b.status = 'PUBLISHED' AND a.id < b.id AND score >= $dupScore AND b.embeddingModel = a.embeddingModel AND a.language = b.language
  WITH a, b, score LIMIT toInteger($limit)
  RETURN collect({a: a {.*, embedding: null}, b: b {.*, embedding: null}, score: score}) AS near
}
CALL () {
  MATCH (k:Knowledge) WHERE k.reviewByEffective < datetime() AND k.status = 'PUBLISHED'
  WITH k LIMIT toInteger($limit)
  RETURN collect(k {.*, embedding: null, reviewByEffective: toString(k.reviewByEffective)}) AS stale
}
RETURN about, near, stale
