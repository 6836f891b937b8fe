import type { MessageKey } from './i18n';

export type Role = 'CUSTOMER' | 'AGENT' | 'EDITOR' | 'ADMIN' | 'SERVICE';
export type ScreenId = 'chat' | 'inbox' | 'review' | 'graph' | 'gaps' | 'analytics';

/**
 * Which roles may open each screen — the same roles the API allows for the operations behind it, so the
 * navigation never offers a screen whose data the key cannot read (the API refuses it regardless).
 */
export const screens: ReadonlyArray<{ id: ScreenId; label: MessageKey; roles: readonly Role[] }> = [
  { id: 'chat', label: 'navChat', roles: ['CUSTOMER', 'AGENT', 'EDITOR', 'ADMIN', 'SERVICE'] },
  { id: 'inbox', label: 'navInbox', roles: ['AGENT', 'ADMIN'] },
  { id: 'review', label: 'navReview', roles: ['EDITOR', 'ADMIN'] },
  { id: 'graph', label: 'navGraph', roles: ['AGENT', 'EDITOR', 'ADMIN', 'SERVICE'] },
  { id: 'gaps', label: 'navGaps', roles: ['EDITOR', 'ADMIN'] },
  { id: 'analytics', label: 'navAnalytics', roles: ['AGENT', 'EDITOR', 'ADMIN', 'SERVICE'] },
];

export const mayOpen = (role: Role, id: ScreenId) => screens.find((s) => s.id === id)?.roles.includes(role) ?? false;

/** The first screen of a role: the inbox for agents, the review queue for editors, the chat otherwise. */
export function homeOf(role: Role): ScreenId {
  if (role === 'AGENT') return 'inbox';
  if (role === 'EDITOR' || role === 'ADMIN') return 'review';
  return 'chat';
}
