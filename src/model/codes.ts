/**
 * Stable codes of the model-file diagnostics. The extension keys its quick fixes and the tests key their
 * assertions on these, so a code never changes meaning once released (add new ones instead).
 */
export const DIAGNOSTIC_CODES = [
  // text and structure
  'syntax',
  'file-too-large',
  'too-deep',
  'wrong-type',
  'missing-field',
  'unknown-field',
  'duplicate-key',
  'invalid-value',
  'unknown-enum',
  // layers
  'unknown-layer-type',
  'invalid-size',
  'size-too-large',
  'linear-in-mismatch',
  'needs-flatten',
  'dim-out-of-range',
  'flatten-batch',
  'flatten-order',
  'softmax-batch-dim',
  'softmax-not-last',
  'duplicate-name',
  'invalid-name',
  'name-not-identifier',
  'dropout-p',
  // the model as a whole
  'input-size',
  'no-parameters',
  'loss-shape',
  'classes-mismatch',
  'too-many-parameters',
  'too-many-layers',
  'too-much-memory',
  // PyTorch traps (warnings)
  'activation-before-loss',
  'logsoftmax-cross-entropy',
  'nll-without-logsoftmax',
  'mse-on-labels',
  'linear-without-activation',
  'optimizer-field-ignored',
  'nesterov-invalid',
  // never expected: an exception inside the analysis, turned into a diagnostic instead of escaping
  'internal',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/**
 * Codes of problems that VS Code's own JSON support also reports for a *.nn.json file (syntax, and the schema
 * contributed through `jsonValidation`), in its own words and without quick fixes. The extension may drop these
 * from its diagnostics when the JSON language service is validating the file, to avoid showing them twice.
 */
export const SCHEMA_COVERED_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'syntax',
  'wrong-type',
  'missing-field',
  'unknown-field',
  'unknown-enum',
  'unknown-layer-type',
  'invalid-size',
  'size-too-large',
  'dropout-p',
]);
