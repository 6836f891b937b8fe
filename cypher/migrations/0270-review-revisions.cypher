// Review governance, second round: an approved entity-merge task finds its merge (ReviewTask.mergeId, for undo).
CREATE INDEX entity_merge_task IF NOT EXISTS FOR (m:EntityMerge) ON (m.taskId);
