// Content hashes of existing intents by name. Params: $names. Returns: {name, id, contentHash}.
UNWIND $names AS name
MATCH (i:Intent {name: name})
RETURN name, i.id AS id, i.contentHash AS contentHash
