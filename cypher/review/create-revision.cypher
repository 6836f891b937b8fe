// A proposed change to a live knowledge item, waiting for review (a `revision` task): the item keeps
// answering with its live version; approving the task writes the proposed content as a new version.
// Call after review/lock-item, in the same transaction, so that two proposals for one item are serialised.
// Params: $id (new task id), $itemId, $proposed (content JSON), $proposedVisibility, $baseVersion (the live
//   version the change was made on), $reason, $by, $byName.
// Returns: {id, openTaskId}: openTaskId is the item's revision task that is already open (and then nothing
//   is created, id is null).
MATCH (k:Knowledge {id: $itemId})
OPTIONAL MATCH (open:ReviewTask {type: 'revision', status: 'OPEN'})-[:FOR]->(k)
WITH k, head(collect(open.id)) AS openTaskId
FOREACH (_ IN CASE WHEN openTaskId IS NULL THEN [1] ELSE [] END |
  CREATE (t:ReviewTask {id: $id, type: 'revision', status: 'OPEN', createdAt: datetime(), origin: 'editor', reason: $reason,
                        proposed: $proposed, proposedVisibility: $proposedVisibility, baseVersion: $baseVersion,
                        proposedBy: $by, proposedByName: $byName, rev: 0})-[:FOR]->(k))
RETURN CASE WHEN openTaskId IS NULL THEN $id END AS id, openTaskId
