// GraphRAG retrieval in one round trip: vector kNN (knowledge_embedding, or ids a separate vector store
// found: $vectorHits), fulltext (knowledge_text, cjk analyzer), the graph neighbourhood of linked
// entities (items ABOUT them — for a dense entity, those the vector search also read — then items ABOUT
// related entities), and chunk evidence
// (chunk_embedding + chunk_text, with the knowledge DERIVED_FROM those chunks). Every list is filtered to
// what the caller may see; the union is hydrated with provenance (sources in documents the caller may see)
// and each item's cosine to the query. Timestamps leave as epoch milliseconds (decoding a DateTime costs
// the driver more than the rest of the row; the retriever turns them into ISO strings).
// Params: $vector (list<float> | null), $vectorHits ([{id, score}] | null), $text (Lucene-escaped | null),
//   $entityIds (list), $extraIds (items to hydrate whatever the lists found, e.g. an intent's handler), $kVector, $kVectorScan, $kText, $kGraph, $graphScan, $kChunk,
//   $visibilities, $statuses, $languages (list | null = any language),
//   $model (the embedding model of $vector: only vectors that model made are compared with it; null = any),
//   $textChars (the question's Han characters as a Lucene query for knowledge_chars, or null).
// Returns: one row {vectorHits, textHits, graphHits, chunkHits, items}; hits are [{id, score, ...}] best first.
CALL () {
  WITH $vector AS v WHERE v IS NOT NULL AND $vectorHits IS NULL AND $kVector > 0
  CALL db.index.vector.queryNodes('knowledge_embedding', toInteger($kVectorScan), v) YIELD node AS k, score
  WITH k, score WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
    AND ($model IS NULL OR k.embeddingModel = $model)
  WITH k, score ORDER BY score DESC
  RETURN collect({id: k.id, score: score}) AS indexHits
}
CALL () {
  UNWIND coalesce($vectorHits, []) AS h
  MATCH (k:Knowledge {id: h.id})
  WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
  WITH h ORDER BY h.score DESC
  RETURN collect({id: h.id, score: h.score}) AS storeHits
}
// `near`: every visible item the vector search read; the first $kVector are the vector list.
WITH indexHits + storeHits AS near
WITH near, near[..toInteger($kVector)] AS vectorHits
// Fulltext: the `cjk` index (words; Chinese bigrams) and, for a question with Han characters, the
// character index (knowledge_chars: one-character words such as 钱 or 退 are terms there); an item's
// score is the sum of both.
CALL () {
  CALL () {
    WITH $text AS q WHERE q IS NOT NULL AND q <> '' AND $kText > 0
    CALL db.index.fulltext.queryNodes('knowledge_text', q, {limit: toInteger($kText * 4)}) YIELD node AS k, score
    RETURN k, score
    UNION ALL
    WITH $textChars AS q WHERE q IS NOT NULL AND q <> '' AND $kText > 0
    CALL db.index.fulltext.queryNodes('knowledge_chars', q, {limit: toInteger($kText * 4)}) YIELD node AS k, score
    RETURN k, score
  }
  WITH k, sum(score) AS score WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
  WITH k, score ORDER BY score DESC LIMIT toInteger($kText)
  RETURN collect({id: k.id, score: score}) AS textHits
}
// The graph around the linked entities: all items ABOUT an entity with at most $graphScan of them; for a
// denser entity (a product line with thousands of items), those of them the vector search read — so
// the cost stays bounded whatever the degree. Then items ABOUT related entities (typed relations only).
CALL (near) {
  UNWIND $entityIds AS eid
  MATCH (e:Entity {id: eid})
  CALL (e, near) {
    WITH e WHERE COUNT { (e)<-[:ABOUT]-() } <= $graphScan
    MATCH (e)<-[:ABOUT]-(k:Knowledge)
    RETURN k, 1.0 AS weight
    UNION ALL
    WITH e, near WHERE COUNT { (e)<-[:ABOUT]-() } > $graphScan
    UNWIND near AS h
    MATCH (k:Knowledge {id: h.id})-[:ABOUT]->(e)
    RETURN k, 1.0 AS weight
    UNION ALL
    MATCH (e)-[:COVERS|INCLUDES|REQUIRES|APPLIES_TO|AVAILABLE_AT|COMPATIBLE_WITH|REPLACES|RELATED_TO]-(n:Entity)
    WITH DISTINCT n LIMIT 10
    WITH n WHERE COUNT { (n)<-[:ABOUT]-() } <= $graphScan
    MATCH (n)<-[:ABOUT]-(k:Knowledge)
    RETURN k, 0.5 AS weight
  }
  WITH e, k, weight WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
  WITH k, sum(weight) AS weight, collect(DISTINCT e.id) AS about
  WITH k, weight, about,
       CASE WHEN $vector IS NULL OR k.embedding IS NULL OR ($model IS NOT NULL AND k.embeddingModel <> $model) THEN 0.0
            ELSE vector.similarity.cosine(k.embedding, $vector) END AS sim
  ORDER BY weight DESC, sim DESC
  LIMIT toInteger($kGraph)
  RETURN collect({id: k.id, score: sim, weight: weight, about: about}) AS graphHits
}
CALL () {
  CALL () {
    WITH $vector AS v WHERE v IS NOT NULL AND $kChunk > 0
    CALL db.index.vector.queryNodes('chunk_embedding', toInteger($kChunk * 3), v) YIELD node AS c, score
    WITH c, score WHERE $model IS NULL OR c.embeddingModel = $model
    RETURN c, score, 'vector' AS via
    UNION ALL
    WITH $text AS q WHERE q IS NOT NULL AND q <> '' AND $kChunk > 0
    CALL db.index.fulltext.queryNodes('chunk_text', q, {limit: toInteger($kChunk * 3)}) YIELD node AS c, score
    RETURN c, score, 'text' AS via
  }
  MATCH (d:Document)-[:HAS_CHUNK]->(c)
  WHERE {{visible-document d}} AND ($languages IS NULL OR d.language IS NULL OR d.language IN $languages)
    // Passages answer only from a current version that is reviewed: approved or trusted as a whole, or this
    // passage backs a published item (approving one draft vouches for its passage, not for the whole document).
    AND coalesce(d.status, 'current') = 'current'
    AND (d.trusted = true OR d.approvedAt IS NOT NULL OR EXISTS { (c)<-[:DERIVED_FROM]-(:Knowledge {status: 'PUBLISHED'}) })
  WITH c, d, via, max(score) AS score ORDER BY score DESC
  WITH via, collect({c: c, d: d, score: score})[..toInteger($kChunk)] AS ranked
  UNWIND range(0, size(ranked) - 1) AS i
  WITH via, i, ranked[i].c AS c, ranked[i].d AS d, ranked[i].score AS score
  OPTIONAL MATCH (k:Knowledge)-[:DERIVED_FROM]->(c)
  WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
  WITH via, i, c, d, score, collect(k.id) AS knowledge
  ORDER BY via, i
  RETURN collect({chunkId: c.id, documentId: d.id, documentTitle: d.title, text: c.text, start: coalesce(c.start, 0),
                  score: score, via: via, knowledge: knowledge}) AS chunkHits
}
WITH vectorHits, textHits, graphHits, chunkHits
CALL (vectorHits, textHits, graphHits, chunkHits) {
  UNWIND [h IN vectorHits | h.id] + [h IN textHits | h.id] + [h IN graphHits | h.id] + reduce(acc = [], x IN chunkHits | acc + x.knowledge) + $extraIds AS id
  WITH DISTINCT id
  MATCH (k:Knowledge {id: id})
  WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
  CALL (k) {
    OPTIONAL MATCH (k)-[r:DERIVED_FROM]->(c:Chunk)<-[:HAS_CHUNK]-(d:Document)
    WHERE {{visible-document d}}
    WITH r, c, d ORDER BY d.title, c.index LIMIT 3
    RETURN collect(CASE WHEN c IS NULL THEN null ELSE {documentId: d.id, documentTitle: d.title, chunkId: c.id, start: r.start, end: r.end,
                   quote: substring(c.text, r.start - coalesce(c.start, 0), r.end - r.start)} END) AS sources
  }
  CALL (k) {
    OPTIONAL MATCH (k)-[:ABOUT]->(e:Entity)
    RETURN collect(e.id) AS about
  }
  RETURN collect(k {.*, embedding: null, createdAt: k.createdAt.epochMillis, updatedAt: k.updatedAt.epochMillis, sources: sources, about: about,
                    sim: CASE WHEN $vector IS NULL OR k.embedding IS NULL OR ($model IS NOT NULL AND k.embeddingModel <> $model) THEN null
                              ELSE vector.similarity.cosine(k.embedding, $vector) END}) AS items
}
RETURN vectorHits, textHits, graphHits, chunkHits, items
