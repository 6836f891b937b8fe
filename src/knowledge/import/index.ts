export { canonicalJson, contentHash, semanticContent } from './content-hash.js';
export {
  CSV_COLUMN_ALIASES,
  CSV_COLUMNS,
  JSON_COLUMNS,
  LIST_SEPARATORS,
  REQUIRED_CSV_COLUMNS,
  joinList,
  splitList,
  type CsvColumn,
} from './csv.columns.js';
export { exportRecords } from './import.export.js';
export {
  IMPORT_FORMATS,
  IMPORT_LIMITS,
  formatImportProblems,
  parseKnowledgeImport,
  type ImportFormat,
  type ImportOptions,
  type ImportParseResult,
  type ImportProblem,
  type ImportProblemCode,
  type ImportedRecord,
} from './import.parse.js';
export { LANGUAGES, detectLanguage, detectLanguages, normalizeLanguage, type Language, type RecordLanguage } from './language.js';
export { parseRecord, type RecordCheck } from './records.parse.js';
export {
  DocumentRecordSchema,
  EntityRecordSchema,
  FactRecordSchema,
  HANDLER_KINDS,
  IntentRecordSchema,
  ProcessRecordSchema,
  RECORD_FIELDS,
  RECORD_LIMITS,
  RECORD_SCHEMAS,
  RECORD_TYPES,
  RuleRecordSchema,
  VISIBILITIES,
  type DocumentRecord,
  type EntityRecord,
  type FactRecord,
  type HandlerKind,
  type IntentHandler,
  type IntentRecord,
  type KnowledgeRecord,
  type ProcessRecord,
  type RecordType,
  type RuleRecord,
  type Visibility,
} from './records.schema.js';
