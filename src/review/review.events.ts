import type { PubSub } from '../infra/pubsub.js';

/** Pub/sub topic of review-queue changes (fans out across API replicas through Redis). */
export const REVIEW_TOPIC = 'review-queue';

export const reviewQueueChanges = ['approval', 'approved', 'rejected', 'assigned', 'reopened', 'merged', 'released', 'rolled-back', 'created'] as const;
export type ReviewQueueChange = (typeof reviewQueueChanges)[number];

/** What editors' consoles receive: which task (or release) changed, how, by whom; they refetch the task. */
export interface ReviewQueueEvent {
  taskId: string | null;
  releaseId: string | null;
  change: ReviewQueueChange;
  status: string | null;
  by: string | null;
  at: string;
}

export function publishReviewEvent(pubsub: PubSub, e: Omit<ReviewQueueEvent, 'at'>): Promise<void> {
  return pubsub.publish(REVIEW_TOPIC, { ...e, at: new Date().toISOString() } satisfies ReviewQueueEvent);
}
