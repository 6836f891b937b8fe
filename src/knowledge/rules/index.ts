export {
  CONDITION_LIMITS,
  ConditionLimitError,
  ConditionSchema,
  OPERATORS,
  parseCondition,
  referencedFacts,
  type AllCondition,
  type AnyCondition,
  type Condition,
  type ConditionLimitCode,
  type FactCondition,
  type JsonValue,
  type ListOperator,
  type NotCondition,
  type Operator,
  type OrderOperator,
  type ParseConditionOptions,
  type ParseResult,
  type PresenceOperator,
  type ValueOperator,
} from './condition.schema.js';
export {
  evaluateRule,
  formatTrace,
  type GroupTrace,
  type LeafFailure,
  type LeafTrace,
  type NotTrace,
  type RuleEvaluation,
  type TraceNode,
} from './condition.evaluate.js';
export { isFactPath, resolveFactPath, type FactLookup } from './fact-path.js';
export { isIsoDate, parseIsoDate } from './iso-date.js';
export { formatPath, formatProblem, problemsFromZod, type PathSegment, type Problem } from './problem.js';
