/** Types shared by the harness page (DOM side) and the Node side of the tests; no DOM names here. */

/** Per weight update, in ms: handling the message, the app's render (its `nnlens:render` measure), and the raster. */
export interface BenchResult {
  handle: number[];
  render: number[];
  raster: number[];
}
