// The graph around an entity, for exploration: entities up to $depth hops (1 or 2) over typed entity
// relations, and the knowledge items ABOUT the centre and its direct neighbours that the caller may see.
// Params: $id, $depth (1..2), $limit, $visibilities, $statuses.
// Returns: one row {nodes, edges}, or none when the entity does not exist.
MATCH (centre:Entity {id: $id})
OPTIONAL MATCH p = (centre)-[rels*1..2]-(other:Entity)
WHERE length(p) <= $depth AND all(r IN rels WHERE NOT type(r) IN ['ABOUT', 'MENTIONS'])
WITH centre, collect(DISTINCT other)[..toInteger($limit)] AS others, collect(p) AS paths
WITH centre, others, [p IN paths | relationships(p)] AS relLists
UNWIND (CASE WHEN size(relLists) = 0 THEN [[]] ELSE relLists END) AS rl
UNWIND (CASE WHEN size(rl) = 0 THEN [null] ELSE rl END) AS r
WITH centre, others, collect(DISTINCT r) AS rels
OPTIONAL MATCH (k:Knowledge)-[:ABOUT]->(about:Entity)
WHERE (about = centre OR about IN others) AND {{visible-knowledge k}}
WITH centre, others, rels, collect(DISTINCT {k: k, about: about.id})[..toInteger($limit)] AS knowledge
RETURN
  [n IN [centre] + others | {id: n.id, label: 'Entity', name: n.name, type: n.type}] +
  [x IN knowledge WHERE x.k IS NOT NULL | {id: x.k.id, label: 'Knowledge', name: coalesce(x.k.question, x.k.name, x.k.statement), type: x.k.kind}] AS nodes,
  [r IN rels WHERE r IS NOT NULL AND startNode(r) IN [centre] + others AND endNode(r) IN [centre] + others |
     {from: startNode(r).id, to: endNode(r).id, type: type(r), confidence: r.confidence}] +
  [x IN knowledge WHERE x.k IS NOT NULL | {from: x.k.id, to: x.about, type: 'ABOUT', confidence: null}] AS edges
