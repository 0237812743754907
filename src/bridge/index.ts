/**
 * The way to and from PyTorch, for the extension and the CLI. Pure: no `vscode`, no DOM.
 * - export: a model file + weights → a `.py` module (nn.Sequential with the same names) + `.safetensors`
 * - import: Python source with an nn.Sequential or an nn.Module class → `*.nn.json` text + problems by line
 * - state dicts: read `.safetensors` / `.npz` / `.npy` (dict) files and match them against a model file
 */
export { exportToPyTorch, isPythonIdentifier, moduleNameFor, writePyTorchExport, type ExportOptions, type PyTorchExport, type SampleImage } from './export';
export { pythonModule, layerSource, appendedSoftmaxName } from './python-module';
export { sampleFits, testSample } from './sample';
export { predictProbabilities } from './predict';
export { importFromPython, type ImportOptions, type ImportProblem, type ImportResult } from './import';
export { modelJsonText } from './model-json';
export { describeMismatch, expectedParameters, matchStateDict, stripKeyPrefix, type KeyShape, type ShapeMismatch, type StateDictMatch, type TensorInfo } from './statedict';
export { decodeNpyStateDict, readStateDictFile, readWeightsForModel, type WeightsForModel } from './read-weights';
export { decodeNpz } from './npz';
export { decodeNpyDict } from './npy-dict';
