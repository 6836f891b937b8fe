// Entity mentions of chunks: one MENTIONS per (chunk, entity) with every occurrence's offsets.
// Params: $rows: [{chunkId, key, count, starts, ends, text, source, confidence}].
// Returns: {linked} (count). Entities are matched by key (resolution wrote any new ones first).
UNWIND $rows AS row
MATCH (c:Chunk {id: row.chunkId})
MATCH (e:Entity {key: row.key})
MERGE (c)-[m:MENTIONS]->(e)
SET m.count = row.count, m.starts = row.starts, m.ends = row.ends, m.text = row.text, m.source = row.source, m.confidence = row.confidence
RETURN count(m) AS linked
