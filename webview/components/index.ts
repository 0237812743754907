/**
 * The visualizer's reusable pieces, for every webview that draws tensors (the visualizer and the weight-file
 * editor): colour tables and scales, the heatmap with hover/zoom/pan, the 1-D strip, the tile grid, the legend,
 * greyscale images, and the theme reader. Each takes plain typed arrays; none knows about messages.
 *
 *   const theme = readTheme();
 *   const scale = new DivergingScale(theme.weights, maxAbs(data));
 *   const hm = new Heatmap({ label: 'Tensor' });
 *   parent.append(hm.element);
 *   hm.setData({ name: 'W1.weight', rows, cols, data, scale });
 *   hm.render();                       // call again after new data; redraw on theme change with a new scale
 */
export { Heatmap, type MatrixData, type HeatmapView, type HeatmapOptions } from './heatmap';
export { Strip, type StripData } from './strip';
export { TileGrid, type TileData } from './tiles';
export { Legend } from './legend';
export { DigitImage } from './digit';
export { SoftmaxBars, argmax } from './bars';
export { LineChart, type Series, type Marker } from './chart';
export { DivergingScale, buildLut, divergingInterpolator, imageLut, countColor, textOn, LUT_SIZE, type Lut, type ThemeKind } from './colormap';
export { createSurface, sizeSurface, pixelCanvas, type Surface } from './canvas';
export { readTheme, watchTheme, themeKind, cssVar, type Theme } from '../theme';
export { maxAbs, stats, toFloat32, toUint8, fromPayload, type HostTensor, type BinaryLike } from '../tensor';
export { formatValue, formatShape, formatCount } from '../format';
