// Replaces the ABOUT links of knowledge items with the given entity ids.
// Params: $rows: [{id, entityIds}]. Returns: {id, linked}.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.id})
OPTIONAL MATCH (k)-[old:ABOUT]->()
DELETE old
WITH DISTINCT k, row
CALL (k, row) {
  UNWIND row.entityIds AS entityId
  MATCH (e:Entity {id: entityId})
  MERGE (k)-[:ABOUT]->(e)
  RETURN count(*) AS linked
}
RETURN k.id AS id, linked
