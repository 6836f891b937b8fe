// Releases by id with their entries. Params: $ids.
// Returns: {release: {id, note, status, createdAt, createdBy, createdByName, rolledBackAt, rolledBackBy, entries}} per release.
UNWIND $ids AS id
MATCH (r:Release {id: id})
CALL (r) {
  OPTIONAL MATCH (r)-[x:RELEASED]->(k:Knowledge)
  WITH x, k WHERE k IS NOT NULL
  RETURN collect({itemId: k.id, change: x.change, fromStatus: x.fromStatus, toStatus: x.toStatus, version: x.version, fields: x.fields,
                  currentStatus: k.status, visibility: k.visibility}) AS entries
}
RETURN r {.id, .note, .status, .createdAt, .createdBy, .createdByName, .rolledBackAt, .rolledBackBy, entries: entries} AS release
