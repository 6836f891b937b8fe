// Creates Concept entities for names nothing else defines (first mention wins the display name).
// Params: $rows: [{id, key, name}], $by. Returns: {key, id, name}.
UNWIND $rows AS row
MERGE (e:Entity {key: row.key})
ON CREATE SET e.id = row.id, e.name = row.name, e.type = 'Concept', e.aliases = [], e.aliasKeys = [],
              e.aliasText = '', e.createdAt = datetime(), e.createdBy = $by
RETURN e.key AS key, e.id AS id, e.name AS name
