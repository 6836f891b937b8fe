// Every intent with its examples, for building the intent classifier. Params: none.
MATCH (i:Intent)
RETURN i.name AS name, i.examples AS examples, i.contentHash AS contentHash
ORDER BY name
