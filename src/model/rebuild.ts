/**
 * Editing a trained model keeps the weights of every layer whose name and parameter shapes did not change;
 * only new or changed layers are initialised afresh.
 */
import * as torch from '../engine';
import { buildModel, layerNames, linearInputs } from './build';
import type { ModelSpec } from './spec';

export interface RebuildPlan {
  /** Layers (state_dict prefixes) whose parameters carry over unchanged. */
  keep: string[];
  /** Layers with parameters that are new, or whose shape changed: freshly initialised. */
  reinitialised: string[];
  /** Layers with parameters that are gone. */
  removed: string[];
  /** state_dict keys copied from the old model. */
  keepKeys: string[];
}

/** Each parameter layer's state_dict keys and shapes. */
function paramShapes(spec: ModelSpec): Map<string, Map<string, number[]>> {
  const names = layerNames(spec);
  const ins = linearInputs(spec);
  const out = new Map<string, Map<string, number[]>>();
  spec.layers.forEach((l, i) => {
    if (l.type !== 'Linear') return;
    const inF = ins[i] ?? l.in ?? 0;
    const keys = new Map<string, number[]>([[`${names[i]}.weight`, [l.out, inF]]]);
    if (l.bias !== false) keys.set(`${names[i]}.bias`, [l.out]);
    out.set(names[i], keys);
  });
  return out;
}

function sameKeys(a: Map<string, number[]>, b: Map<string, number[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, s] of a) {
    const t = b.get(k);
    if (!t || t.length !== s.length || t.some((d, i) => d !== s[i])) return false;
  }
  return true;
}

/** Which layers of `newSpec` keep the weights they had under `oldSpec` (same name and parameter shapes). */
export function planRebuild(oldSpec: ModelSpec | null, newSpec: ModelSpec): RebuildPlan {
  const before = oldSpec ? paramShapes(oldSpec) : new Map<string, Map<string, number[]>>();
  const after = paramShapes(newSpec);
  const plan: RebuildPlan = { keep: [], reinitialised: [], removed: [], keepKeys: [] };
  for (const [name, keys] of after) {
    const old = before.get(name);
    if (old && sameKeys(old, keys)) {
      plan.keep.push(name);
      plan.keepKeys.push(...keys.keys());
    } else {
      plan.reinitialised.push(name);
    }
  }
  for (const name of before.keys()) if (!after.has(name)) plan.removed.push(name);
  return plan;
}

/**
 * Builds `newSpec` (fresh layers initialised from its seed exactly as `buildModel` does) and copies in the
 * parameters of the layers the plan keeps from `oldModel`.
 */
export function rebuildModel(oldModel: torch.nn.Module | null, oldSpec: ModelSpec | null, newSpec: ModelSpec): { model: torch.nn.Sequential; plan: RebuildPlan } {
  const plan = planRebuild(oldModel ? oldSpec : null, newSpec);
  const model = buildModel(newSpec);
  if (!oldModel || !plan.keepKeys.length) return { model, plan };
  const old = new Map(oldModel.namedParameters());
  const fresh = new Map(model.namedParameters());
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  // A layer is kept only if every one of its tensors is really there with the planned shape.
  const lost = new Set(plan.keep.filter((name) => plan.keepKeys.some((k) => k.startsWith(name + '.') && !(old.get(k) && fresh.get(k) && same(old.get(k)!.shape, fresh.get(k)!.shape)))));
  const keepKeys = plan.keepKeys.filter((k) => !lost.has(k.slice(0, k.lastIndexOf('.'))));
  torch.noGrad(() => {
    for (const k of keepKeys) fresh.get(k)!.copy_(old.get(k)!);
  });
  const final: RebuildPlan = {
    keep: plan.keep.filter((n) => !lost.has(n)),
    reinitialised: [...plan.reinitialised, ...lost],
    removed: plan.removed,
    keepKeys,
  };
  return { model, plan: final };
}
