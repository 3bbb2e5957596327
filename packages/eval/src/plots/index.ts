export { METHOD_COLOURS, logTicks, niceTicks, rdChartSvg } from './svg.ts';
export { svgToPng } from './png.ts';
