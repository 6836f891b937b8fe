// Every relationship of an entity, as the merge's undo record keeps it: type, direction, the other
// node (by element id) and the relationship's properties.
// Params: $id. Returns: {type, out, otherElementId, props} per relationship.
MATCH (e:Entity {id: $id})-[r]-(o)
RETURN type(r) AS type, startNode(r) = e AS out, elementId(o) AS otherElementId, properties(r) AS props
