import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
// Every schema file registers its types on import; the list below is the API's table of contents.
import './system.schema.js';
import '../auth/auth.schema.js';
import '../knowledge/entity.schema.js';
import '../knowledge/knowledge.schema.js';
import '../knowledge/rule.schema.js';
import '../knowledge/intent.schema.js';
import '../knowledge/import.schema.js';
import '../analytics/analytics.schema.js';
import '../retrieval/retrieval.schema.js';
import '../dialogue/answer.schema.js';
import '../dialogue/dialogue.schema.js';
import '../dialogue/understand.schema.js';
import '../ingestion/ingestion.schema.js';
import '../review/review.schema.js';
import '../audit/audit.schema.js';
import '../learning/learning.schema.js';
import '../privacy/privacy.schema.js';
import '../integrations/webhook.schema.js';

export function buildSchema(): GraphQLSchema {
  return builder.toSchema({ sortSchema: true });
}

export function printSchemaSDL(schema: GraphQLSchema = buildSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
