/**
 * Size limits a model file must respect before anything is allocated. The extension maps its settings onto
 * these; the CLI and the worker use the defaults unless told otherwise.
 */
export interface ModelLimits {
  /** Trainable parameters (weights + biases). */
  maxParams: number;
  /** Entries in `layers`. */
  maxLayers: number;
  /**
   * Estimated bytes training allocates: float32 weights, their gradients, the optimiser state, and the
   * activations and their gradients for one batch (see `estimateTrainingBytes`).
   */
  maxBytes: number;
  /** Length of the model file's text, in UTF-16 code units; longer text is not parsed at all. */
  maxTextLength: number;
}

export const DEFAULT_LIMITS: ModelLimits = {
  maxParams: 10_000_000,
  maxLayers: 256,
  maxBytes: 1024 * 1024 * 1024,
  maxTextLength: 256 * 1024,
};

/** Nesting deeper than this is refused before building the syntax tree (a model file needs 4 levels). */
export const MAX_DEPTH = 64;

/** Largest accepted size for any dimension, `in`, `out`, batch size or epoch count. */
export const MAX_SIZE = 2 ** 31 - 1;

/** Fills missing limits with the defaults; non-positive or non-numeric values fall back to the default too. */
export function resolveLimits(l: Partial<ModelLimits> | undefined): ModelLimits {
  const pick = (k: keyof ModelLimits): number => {
    const v = l?.[k];
    return typeof v === 'number' && v > 0 && !Number.isNaN(v) ? v : DEFAULT_LIMITS[k];
  };
  return { maxParams: pick('maxParams'), maxLayers: pick('maxLayers'), maxBytes: pick('maxBytes'), maxTextLength: pick('maxTextLength') };
}
