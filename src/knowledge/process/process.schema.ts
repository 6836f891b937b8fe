import { z } from 'zod';
import { ConditionSchema, type Condition } from '../rules/condition.schema.js';

/**
 * The process grammar (docs/design.md, docs/knowledge-format.md):
 *
 *     Step := { id, prompt, slot?, validate?: { type, values?, pattern?, min?, max? },
 *               next?: StepId, branches?: [{ when: Condition, next: StepId }], end?: boolean }
 */
export const SLOT_TYPES = ['string', 'email', 'phone', 'number', 'integer', 'date', 'enum', 'regex', 'orderId'] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

/** Hard limits on one process. */
export const PROCESS_LIMITS = {
  maxSteps: 200,
  maxPromptLength: 4000,
  maxStepIdLength: 100,
} as const;

/** Slot names are identifiers, letters of any script included: `email`, `order_id`, `邮箱`. */
export const SLOT_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

export interface SlotValidation {
  type: SlotType;
  /** `enum`: the accepted answers. `"yes|是|对"` lists synonyms; the first is the stored value. */
  values?: string[];
  /** `regex`: the pattern a whole answer must match. `orderId`: replaces the default pattern. */
  pattern?: string;
  /** number/integer: inclusive bounds. string: length bounds. date: ISO dates (`2024-01-31`). */
  min?: number | string;
  max?: number | string;
}

export interface ProcessBranch {
  when: Condition;
  next: string;
}

export interface ProcessStep {
  id: string;
  prompt: string;
  slot?: string;
  validate?: SlotValidation;
  next?: string;
  branches?: ProcessBranch[];
  end?: boolean;
  /** A configured process action (PROCESS_ACTIONS) called with the collected slots; its `value` fills `slot`. */
  action?: string;
}

export const SlotValidationSchema = z.strictObject({
  type: z.enum(SLOT_TYPES, {
    error: (iss) => `unknown validator type ${JSON.stringify(iss.input) ?? String(iss.input)} (expected one of ${SLOT_TYPES.join(', ')})`,
  }),
  values: z.array(z.string().trim().min(1)).min(1).optional(),
  pattern: z.string().min(1).optional(),
  min: z.union([z.number(), z.string().trim().min(1)], { error: 'must be a number or an ISO date' }).optional(),
  max: z.union([z.number(), z.string().trim().min(1)], { error: 'must be a number or an ISO date' }).optional(),
}) satisfies z.ZodType<SlotValidation, unknown>;

const StepIdSchema = z.string().trim().min(1).max(PROCESS_LIMITS.maxStepIdLength);

export const ProcessStepSchema = z.strictObject({
  id: StepIdSchema,
  prompt: z.string().trim().min(1).max(PROCESS_LIMITS.maxPromptLength),
  slot: z
    .string()
    .trim()
    .regex(SLOT_NAME, 'must be a name such as "email" or "order_id" (letters, digits, underscores)')
    .optional(),
  validate: SlotValidationSchema.optional(),
  next: StepIdSchema.optional(),
  branches: z.array(z.strictObject({ when: ConditionSchema, next: StepIdSchema })).min(1).optional(),
  end: z.boolean().optional(),
  action: z.string().trim().regex(/^[\w.-]{1,64}$/, 'must be an action name such as "order-status"').optional(),
}) satisfies z.ZodType<ProcessStep, unknown>;

export const ProcessStepsSchema = z.array(ProcessStepSchema).min(1, 'a process needs at least one step').max(PROCESS_LIMITS.maxSteps);
