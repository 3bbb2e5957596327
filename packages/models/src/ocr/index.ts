export { createTextReader, type TextReaderOptions } from './reader.ts';
export { ctcGreedyDecode } from './ctc.ts';
export { findRegions, mergeLineBoxes, unclip, type MapRegion, type PixelBox } from './components.ts';
