export {
  analyseScene,
  nameColour,
  BRIGHTNESS_LEVELS,
  COLOURFULNESS_LEVELS,
  CONTRAST_LEVELS,
  PALETTE,
  SCENE_THRESHOLDS,
  type Brightness,
  type Colourfulness,
  type ColourName,
  type Contrast,
  type SceneStatistics,
} from './colours.ts';
export { innerBox, regionColour } from './regions.ts';
export { inferSetting, MIN_SETTING_CONFIDENCE, SETTINGS, VIEWPOINTS, type SettingGuess, type SettingName, type Viewpoint } from './setting.ts';
export { plainSurface, SURFACES, THING_SHAPES, THING_SIZES, THING_THRESHOLDS, type PlainSurface, type Surface, type Thing, type ThingShape, type ThingSize } from './things.ts';
