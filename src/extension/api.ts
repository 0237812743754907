/** What `activate` returns: read by the integration tests (and by other extensions, read-only). */
import type { ModelRegistry } from './models';
import type { Panels } from './panels';
import type { Settings } from './settings';
import type { TrainingController } from './training';
import type { WeightsEditorProvider } from './weights/index';

export interface NnLensApi {
  models: ModelRegistry;
  panels: Panels;
  training: TrainingController;
  /** The weight-file editor (`.safetensors`, `.npy`): its open editors. */
  weightEditors: WeightsEditorProvider;
  readonly lastMessage: { kind: 'info' | 'warning' | 'error'; text: string } | null;
  settings(): Settings;
  statusText(): string;
  /** Where Download Full MNIST keeps the files. */
  downloadDir(): string;
}
