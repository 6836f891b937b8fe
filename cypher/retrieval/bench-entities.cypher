// Benchmark fixture only (bench/answer.ts): creates the entities the generated knowledge is ABOUT.
// Params: $rows: [{id, key, name, type, aliases, aliasKeys, aliasText}]. Returns: {n}.
UNWIND $rows AS row
MERGE (e:Entity {key: row.key})
ON CREATE SET e.id = row.id, e.createdAt = datetime()
SET e.name = row.name, e.type = row.type, e.aliases = row.aliases, e.aliasKeys = row.aliasKeys, e.aliasText = row.aliasText, e.bench = true
RETURN count(e) AS n
