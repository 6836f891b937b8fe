// Relations between entities read from a document version, one per (type, head, tail, document).
// Params: $documentId, $rows: [{type, headKey, tailKey, confidence, chunkId, start, end, evidence}].
// Returns: {written}. Relationship types come from the whitelist below (relationTypes in
// src/ingestion/ingestion.types.ts), never from text; a row with another type writes nothing.
UNWIND $rows AS row
MATCH (a:Entity {key: row.headKey})
MATCH (b:Entity {key: row.tailKey})
WITH a, b, row, {documentId: $documentId, chunkId: row.chunkId, start: row.start, end: row.end, confidence: row.confidence,
                 evidence: row.evidence, origin: 'ingestion'} AS props
FOREACH (_ IN CASE WHEN row.type = 'COVERS' THEN [1] ELSE [] END | MERGE (a)-[r:COVERS {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'INCLUDES' THEN [1] ELSE [] END | MERGE (a)-[r:INCLUDES {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'REQUIRES' THEN [1] ELSE [] END | MERGE (a)-[r:REQUIRES {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'APPLIES_TO' THEN [1] ELSE [] END | MERGE (a)-[r:APPLIES_TO {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'AVAILABLE_AT' THEN [1] ELSE [] END | MERGE (a)-[r:AVAILABLE_AT {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | MERGE (a)-[r:COMPATIBLE_WITH {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'REPLACES' THEN [1] ELSE [] END | MERGE (a)-[r:REPLACES {documentId: $documentId}]->(b) SET r += props)
FOREACH (_ IN CASE WHEN row.type = 'RELATED_TO' THEN [1] ELSE [] END | MERGE (a)-[r:RELATED_TO {documentId: $documentId}]->(b) SET r += props)
RETURN count(row) AS written
