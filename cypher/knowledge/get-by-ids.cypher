// Knowledge items by id, filtered to what the caller may see.
// Params: $ids (list of ids), $visibilities, $statuses (the caller's access lists).
// Returns: one row per visible item, in no particular order (the DataLoader restores key order).
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})
WHERE {{visible-knowledge k}}
RETURN k {.*, embedding: null} AS item
