// Review governance, second round: an approved entity-merge task finds its merge (ReviewTask.mergeId, for
// undo); the relations a new document version removed are found by that version (review diff).
CREATE INDEX entity_merge_task IF NOT EXISTS FOR (m:EntityMerge) ON (m.taskId);
CREATE INDEX removed_relation_by IF NOT EXISTS FOR (x:RemovedRelation) ON (x.removedBy);
