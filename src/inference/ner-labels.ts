/**
 * Tagger labels → the platform's controlled vocabulary of entity types (src/knowledge/entity.repository.ts
 * `entityTypes`). The English tagger speaks CoNLL-2003 (PER, ORG, LOC, MISC), the Chinese one CLUENER2020
 * (name, company, government, organization, address, scene, book, game, movie, position). null: not an entity
 * the graph keeps (a job title such as 经理 or 记者).
 */
const NER_TYPES: Record<string, string | null> = {
  PER: 'Person', PERSON: 'Person', ORG: 'Organization', ORGANIZATION: 'Organization', LOC: 'Location', GPE: 'Location', LOCATION: 'Location',
  PRODUCT: 'Product', PROD: 'Product', EVENT: 'Event', MISC: 'Concept',
  NAME: 'Person', COMPANY: 'Organization', GOVERNMENT: 'Organization', ADDRESS: 'Location', SCENE: 'Location',
  BOOK: 'Product', GAME: 'Product', MOVIE: 'Product', POSITION: null,
};

/** The platform entity type of a tagger label (`PER`, `company`, …); null for labels the graph does not keep. */
export function entityTypeOfNerLabel(label: string): string | null {
  const t = NER_TYPES[label.toUpperCase()];
  return t === undefined ? 'Concept' : t;
}
