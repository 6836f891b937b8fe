// Marks a release rolled back (once). Params: $id, $by. Returns: {id} or no row when it was already rolled back.
MATCH (r:Release {id: $id}) WHERE r.status = 'PUBLISHED'
SET r.status = 'ROLLED_BACK', r.rolledBackAt = datetime(), r.rolledBackBy = $by
RETURN r.id AS id
