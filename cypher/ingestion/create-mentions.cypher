// Entity mentions of chunks: one MENTIONS per (chunk, entity) with every occurrence's offsets.
// Params: $rows: [{chunkId, key, count, starts, ends, text, source, confidence}].
// Returns: {linked} (count). Entities are matched by key (resolution wrote any new ones first).
// CREATE: the chunks are new in this transaction (see ingestion/create-chunks), rows are one per pair.
UNWIND $rows AS row
MATCH (c:Chunk {id: row.chunkId})
MATCH (e:Entity {key: row.key})
CREATE (c)-[m:MENTIONS {count: row.count, starts: row.starts, ends: row.ends, text: row.text, source: row.source, confidence: row.confidence}]->(e)
RETURN count(m) AS linked
