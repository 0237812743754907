/** What `activate` returns: read by the integration tests (and by other extensions, read-only). */
import type { ModelRegistry } from './models';
import type { Panels } from './panels';
import type { Settings } from './settings';
import type { TrainingController } from './training';
import type { WeightsEditorProvider } from './weights/index';

export interface NnLensApi {
  /**
   * False while activation is light (nothing but the commands and listeners: no model file, visualizer or weight
   * file has appeared yet). Reading any other member loads the rest.
   */
  readonly loaded: boolean;
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
  /** The file behind the **NN Lens** output channel (what its log lines are written to). */
  readonly logFile: string;
}
