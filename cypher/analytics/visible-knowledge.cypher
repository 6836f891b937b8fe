// Which of these knowledge items the caller may see (analytics never reveals an item's id to a role that may not
// see it). Params: $ids, $visibilities, $statuses. Returns: {id} per visible item.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id}) WHERE {{visible-knowledge k}}
RETURN k.id AS id
