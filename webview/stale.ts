/**
 * The stale-message guard. Updates carry the document `version`, the training `runId` and a `step`; one that is
 * older than what the view already shows is dropped. Pure: no DOM.
 */

/** Lexicographic (runId, version, step): negative when a is older than b. */
export function compareStamp(a: Stamp, b: Stamp): number {
  return a.runId - b.runId || a.version - b.version || a.step - b.step;
}

export interface Stamp {
  runId: number;
  version: number;
  step: number;
}

const NONE: Stamp = { runId: -Infinity, version: -Infinity, step: -Infinity };

export class Freshness {
  /** Latest document version seen (model, cursor). */
  version = -Infinity;
  /** Latest training run seen. */
  runId = -Infinity;
  private weights: Stamp = NONE;
  private samples: Stamp = NONE;

  /** `init` replays the whole state: it is always taken and becomes the new baseline. */
  reset(version: number, runId: number): void {
    this.version = version;
    this.runId = runId;
    this.weights = { runId, version, step: -Infinity };
    this.samples = { runId, version, step: -Infinity };
  }

  acceptVersion(version: number): boolean {
    if (version < this.version) return false;
    this.version = version;
    return true;
  }

  acceptRun(runId: number): boolean {
    if (runId < this.runId) return false;
    this.runId = runId;
    return true;
  }

  acceptWeights(s: Stamp): boolean {
    if (!this.fresh(s) || compareStamp(s, this.weights) < 0) return false;
    this.weights = s;
    this.note(s);
    return true;
  }

  acceptSamples(s: Stamp): boolean {
    if (!this.fresh(s) || compareStamp(s, this.samples) < 0) return false;
    this.samples = s;
    this.note(s);
    return true;
  }

  private fresh(s: Stamp): boolean {
    return s.runId >= this.runId && s.version >= this.version;
  }

  private note(s: Stamp): void {
    this.runId = Math.max(this.runId, s.runId);
    this.version = Math.max(this.version, s.version);
  }
}

/** Request ids for request/reply pairs: only the reply to the latest request is shown. */
export class Requests {
  private next = 1;
  private latest = 0;

  issue(): number {
    this.latest = this.next++;
    return this.latest;
  }

  isLatest(id: number): boolean {
    return id === this.latest && id !== 0;
  }
}
