// Creates or updates intents (unique by name) and replaces their HANDLED_BY links.
// Params: $rows: [{id, name, externalId, language, examples, contentHash, handlers: [{externalId, language}]}], $by.
// Returns: {name, id, linked}. A handler whose externalId matches no knowledge item is reported by the caller beforehand.
UNWIND $rows AS row
MERGE (i:Intent {name: row.name})
ON CREATE SET i.id = row.id, i.createdAt = datetime(), i.createdBy = $by
SET i.externalId = row.externalId, i.language = row.language, i.examples = row.examples,
    i.contentHash = row.contentHash, i.updatedAt = datetime(), i.updatedBy = $by
WITH i, row
OPTIONAL MATCH (i)-[old:HANDLED_BY]->()
DELETE old
WITH DISTINCT i, row
CALL (i, row) {
  UNWIND row.handlers AS h
  MATCH (k:Knowledge {externalId: h.externalId})
  // A handler for a multilingual intent serves the language of the item it points at.
  CREATE (i)-[:HANDLED_BY {language: CASE WHEN h.language = 'mul' THEN k.language ELSE h.language END}]->(k)
  RETURN count(*) AS linked
}
RETURN i.name AS name, i.id AS id, linked
