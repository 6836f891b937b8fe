// Messages by id. Params: $ids. Returns: {message} per existing id.
UNWIND $ids AS id
MATCH (m:Message {id: id})
RETURN m {.*} AS message
