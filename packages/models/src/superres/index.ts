export { createSuperResolver, planTiles, type EsrganScale, type EsrganSize, type SuperResolverOptions } from './esrgan.ts';
