// Closes a gap cluster: RESOLVED (questions attached to a fact, or a fact drafted) or DISMISSED.
// Params: $id, $status, $resolution ('attached' | 'drafted' | 'dismissed'), $factId, $reason, $by.
// Returns: {version} (the new one).
MATCH (g:GapCluster {id: $id})
SET g.status = $status, g.resolution = $resolution, g.resolvedFactId = $factId, g.dismissReason = $reason,
    g.resolvedAt = datetime(), g.resolvedBy = $by, g.version = g.version + 1, g.updatedAt = datetime()
RETURN g.version AS version
