// Review governance: releases and entity merges are addressed by id; the queue filters by assignee.
CREATE CONSTRAINT release_id IF NOT EXISTS FOR (r:Release) REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT entity_merge_id IF NOT EXISTS FOR (m:EntityMerge) REQUIRE m.id IS UNIQUE;
CREATE INDEX review_task_assignee IF NOT EXISTS FOR (t:ReviewTask) ON (t.assignee);
CREATE INDEX release_created IF NOT EXISTS FOR (r:Release) ON (r.createdAt);
