// Provenance: the chunks (and their documents) each knowledge item was derived from, with offsets.
// Params: $ids. Returns: one row per id that has sources: {id, sources: [{documentId, documentTitle, chunkId, start, end, quote}]}.
UNWIND $ids AS id
MATCH (:Knowledge {id: id})-[r:DERIVED_FROM]->(c:Chunk)<-[:HAS_CHUNK]-(d:Document)
WITH id, r, c, d ORDER BY d.title, c.index
RETURN id, collect({documentId: d.id, documentTitle: d.title, chunkId: c.id, start: r.start, end: r.end,
                    quote: substring(c.text, r.start - c.start, r.end - r.start)}) AS sources
