/**
 * How many cases each fuzz target runs, with its fixed seed (the README's Reliability section quotes these).
 * A failure prints the seed and the path that replay it: pass them to fc.assert as { seed, path } to rerun
 * only the failing case.
 */
export const FUZZ = {
  idxRoundTrip: { numRuns: 200, seed: 701 },
  idxMutated: { numRuns: 3000, seed: 702 },
  idxGzipFiles: { numRuns: 300, seed: 703 },
  npyRoundTrip: { numRuns: 200, seed: 711 },
  npyMutated: { numRuns: 3000, seed: 712 },
  npyHeaderText: { numRuns: 2000, seed: 713 },
  npyFiles: { numRuns: 300, seed: 714 },
  safetensorsRoundTrip: { numRuns: 200, seed: 721 },
  safetensorsMutated: { numRuns: 3000, seed: 722 },
  safetensorsHeaderJson: { numRuns: 2000, seed: 723 },
  safetensorsFiles: { numRuns: 300, seed: 724 },
  exprGrammar: { numRuns: 3000, seed: 731 },
  exprSoup: { numRuns: 3000, seed: 732 },
  exprMutated: { numRuns: 2000, seed: 733 },
} as const;

/** fast-check options for a target; the seed and path of a failure are printed by fc.assert. */
export function runs(target: keyof typeof FUZZ): { numRuns: number; seed: number } {
  return { ...FUZZ[target] };
}
