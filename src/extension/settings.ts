/** The `nnLens.*` settings, read and checked: a bad value is reported once (naming the setting) and replaced by its default. */
import * as vscode from 'vscode';

export interface Settings {
  dataFolder: string;
  downloadMirrors: string[];
  defaultSeed: number;
  viewUpdatesPerSecond: number;
  saveWeightsNextToModel: boolean;
  maxParameters: number;
  kernelThreads: number;
}

export const DEFAULTS: Settings = {
  dataFolder: '',
  downloadMirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
  defaultSeed: 0,
  viewUpdatesPerSecond: 10,
  saveWeightsNextToModel: true,
  maxParameters: 5_000_000,
  kernelThreads: 2,
};

const reported = new Set<string>();

/** Reads the settings; `warn` hears about each bad value once per value. */
export function readSettings(warn: (message: string) => void, scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('nnLens', scope);
  const bad = (key: string, value: unknown, why: string) => {
    const msg = `Setting nnLens.${key} = ${JSON.stringify(value)} ${why}; using the default ${JSON.stringify(DEFAULTS[key as keyof Settings])}.`;
    if (!reported.has(msg)) {
      reported.add(msg);
      warn(msg);
    }
  };
  const int = (key: keyof Settings, min: number, max: number): number => {
    const v = c.get<unknown>(key);
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    if (v !== undefined) bad(key, v, `is not an integer in [${min}, ${max}]`);
    return DEFAULTS[key] as number;
  };
  const dataFolder = c.get<unknown>('dataFolder');
  const mirrors = c.get<unknown>('downloadMirrors');
  const rate = c.get<unknown>('viewUpdatesPerSecond');
  const save = c.get<unknown>('saveWeightsNextToModel');
  const okMirrors = Array.isArray(mirrors) && mirrors.length > 0 && mirrors.every((m) => typeof m === 'string' && /^https?:\/\/\S+$/.test(m));
  if (mirrors !== undefined && !okMirrors) bad('downloadMirrors', mirrors, 'is not a non-empty list of http(s) URLs');
  if (typeof dataFolder !== 'string' && dataFolder !== undefined) bad('dataFolder', dataFolder, 'is not a folder path');
  const okRate = typeof rate === 'number' && Number.isFinite(rate) && rate >= 1 && rate <= 30;
  if (rate !== undefined && !okRate) bad('viewUpdatesPerSecond', rate, 'is not a number in [1, 30]');
  if (save !== undefined && typeof save !== 'boolean') bad('saveWeightsNextToModel', save, 'is not true or false');
  return {
    dataFolder: typeof dataFolder === 'string' ? dataFolder.trim() : DEFAULTS.dataFolder,
    downloadMirrors: okMirrors ? (mirrors as string[]).map((m) => (m.endsWith('/') ? m : m + '/')) : DEFAULTS.downloadMirrors,
    defaultSeed: int('defaultSeed', 0, 4294967295),
    viewUpdatesPerSecond: okRate ? (rate as number) : DEFAULTS.viewUpdatesPerSecond,
    saveWeightsNextToModel: typeof save === 'boolean' ? save : DEFAULTS.saveWeightsNextToModel,
    maxParameters: int('maxParameters', 1, 200_000_000),
    kernelThreads: int('kernelThreads', 1, 2),
  };
}
