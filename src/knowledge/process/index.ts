export { LANGUAGES, type Language } from './messages.js';
export { placeholderNames, renderPrompt } from './placeholders.js';
export {
  PROCESS_LIMITS,
  ProcessStepSchema,
  ProcessStepsSchema,
  SLOT_NAME,
  SLOT_TYPES,
  SlotValidationSchema,
  type ProcessBranch,
  type ProcessStep,
  type SlotType,
  type SlotValidation,
} from './process.schema.js';
export {
  advance,
  start,
  type ProcessDefinition,
  type ProcessState,
  type ProcessTurn,
  type ProcessTurnError,
  type RunOptions,
} from './process.run.js';
export {
  parseProcess,
  ProcessFlowSchema,
  validateProcess,
  type ProcessProblemCode,
  type ProcessValidation,
  type ValidateProcessOptions,
} from './process.validate.js';
export {
  checkSlotValue,
  DEFAULT_ORDER_ID,
  MAX_ANSWER_LENGTH,
  type SlotCheck,
  type SlotFailure,
  type SlotValue,
} from './slot.validate.js';
