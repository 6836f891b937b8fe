// Provenance: the chunks (and their documents) each knowledge item was derived from, with offsets.
// Only documents the caller may see: a visible item can be derived from a document of a stricter visibility
// (an internal manual behind a public FAQ), and its quotes must not reach a role that may not read it.
// Params: $ids, $visibilities (the caller's access list).
// Returns: one row per id that has visible sources: {id, sources: [{documentId, documentTitle, chunkId, start, end, quote}]}.
UNWIND $ids AS id
MATCH (:Knowledge {id: id})-[r:DERIVED_FROM]->(c:Chunk)<-[:HAS_CHUNK]-(d:Document)
WHERE {{visible-document d}}
WITH id, r, c, d ORDER BY d.title, c.index
RETURN id, collect({documentId: d.id, documentTitle: d.title, chunkId: c.id, start: r.start, end: r.end,
                    quote: substring(c.text, r.start - c.start, r.end - r.start)}) AS sources
