import type { InputFieldRef, SchemaTypes } from '@pothos/core';
import { builder, VisibilityEnum } from '../schema/builder.js';
import { contentFields } from './kinds/index.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;
type Fields = PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>;
type FieldRefs = Record<string, InputFieldRef<Types, unknown>>;

/**
 * The kind fields of KnowledgeInput, KnowledgePatch and ReviewEdits, from the kind registry: every
 * field of every kind once (`contentFields`), a String or JSON by its type. A new kind's fields appear
 * in all three inputs. `descriptions` sets a field's description in one input.
 */
export function contentInputFields(t: Fields, descriptions: Readonly<Record<string, string>> = {}): FieldRefs {
  const refs: FieldRefs = {};
  for (const [field, type] of Object.entries(contentFields)) {
    const description = descriptions[field];
    const options = description ? { description } : {};
    refs[field] = type === 'json' ? t.field({ type: 'JSON', ...options }) : t.string(options);
  }
  return refs;
}

/**
 * The one field list of a patch: KnowledgePatch (updateKnowledge) and ReviewEdits (approveReviewTask)
 * are both built from it and merged by the same `mergeContent`; omitted fields keep their value.
 */
export function patchInputFields(t: Fields, descriptions: Readonly<Record<string, string>> = {}) {
  return {
    language: t.string(),
    visibility: t.field({ type: VisibilityEnum }),
    entities: t.stringList(),
    tags: t.stringList(),
    ...contentInputFields(t, descriptions),
  };
}
