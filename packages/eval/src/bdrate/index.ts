export { Pchip } from './pchip.ts';
export { bdRate, paretoFrontier, type BdRateResult, type RdPoint } from './bdrate.ts';
