// Links processes that name an intent (`intent` property) to it, when the intent has no handler in that language.
// Params: $names (intent names touched by this import). Returns: {linked}.
UNWIND $names AS name
MATCH (i:Intent {name: name}), (p:Process {intent: name})
WHERE NOT EXISTS { (i)-[:HANDLED_BY {language: p.language}]->() }
MERGE (i)-[:HANDLED_BY {language: p.language}]->(p)
RETURN count(*) AS linked
