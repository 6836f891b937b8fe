// Provenance of drafts: (k)-[:DERIVED_FROM {start, end}]->(chunk), offsets into Document.text.
// Params: $rows: [{knowledgeId, chunkId, start, end}]. Returns: {linked}.
// CREATE: the chunks are new in this transaction (see ingestion/create-chunks).
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.knowledgeId})
MATCH (c:Chunk {id: row.chunkId})
CREATE (k)-[r:DERIVED_FROM {start: row.start, end: row.end}]->(c)
RETURN count(r) AS linked
