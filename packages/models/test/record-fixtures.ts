import type { ContentRecord, MotionRecord } from '../src/describe/index.ts';

/** A keyframe record with nothing in it: renders as "a well-lit scene with mostly gray tones". */
export const plainContent: ContentRecord = {
  kind: 'content',
  brightness: 'well-lit',
  contrast: 'normal',
  colourfulness: 'normal',
  colours: ['gray'],
  objects: [],
  texts: [],
  people: [],
  setting: null,
  surface: null,
  things: [],
};

/** A clip record where the camera is still and nothing moves: renders as "camera static; nothing moves". */
export const nothingMoves: MotionRecord = {
  kind: 'motion',
  camera: 'static',
  cameraSpeed: 'moderate',
  objects: [],
  areas: [],
  actions: [],
  surface: null,
  thing: null,
  conveyor: false,
};
