import type { Detection, RgbFrame } from '../types.ts';
import { regionColour } from './regions.ts';

export const SETTINGS = [
  'room',
  'office',
  'classroom',
  'kitchen',
  'living room',
  'bedroom',
  'shop aisle',
  'warehouse',
  'parking lot',
  'street',
  'tabletop',
  'outdoors',
] as const;
export type SettingName = (typeof SETTINGS)[number];
export const VIEWPOINTS = ['eye-level', 'high'] as const;
export type Viewpoint = (typeof VIEWPOINTS)[number];

export interface SettingGuess {
  readonly place: SettingName;
  /** 0..1: how strongly the evidence points to `place`. */
  readonly confidence: number;
  readonly viewpoint: Viewpoint;
  /** The cues that led to the guess, for logs and tests. */
  readonly evidence: readonly string[];
}

/** No setting is named below this confidence. */
export const MIN_SETTING_CONFIDENCE = 0.4;

/** COCO ids used as evidence. */
const COCO = {
  person: 0,
  bicycle: 1,
  car: 2,
  motorcycle: 3,
  bus: 5,
  truck: 7,
  trafficLight: 9,
  stopSign: 11,
  bench: 13,
  bottle: 39,
  wineGlass: 40,
  cup: 41,
  bowl: 45,
  chair: 56,
  couch: 57,
  pottedPlant: 58,
  bed: 59,
  diningTable: 60,
  tv: 62,
  laptop: 63,
  mouse: 64,
  keyboard: 66,
  microwave: 68,
  oven: 69,
  toaster: 70,
  sink: 71,
  refrigerator: 72,
  book: 73,
  vase: 75,
} as const;

const KITCHEN = [COCO.microwave, COCO.oven, COCO.toaster, COCO.sink, COCO.refrigerator];
const DESK = [COCO.laptop, COCO.mouse, COCO.keyboard, COCO.tv];
const SHELF_GOODS = [COCO.bottle, COCO.wineGlass, COCO.cup, COCO.bowl, COCO.vase, COCO.book];
const TRAFFIC = [COCO.trafficLight, COCO.stopSign, COCO.bus, COCO.bicycle, COCO.motorcycle];
const SMALL_THINGS = new Set<number>([COCO.bottle, COCO.wineGlass, COCO.cup, COCO.bowl, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, COCO.vase, COCO.book, 76, 43, 44, 42]);

/**
 * Infers where a frame was taken from what is in it and how it looks: the objects and their
 * sizes (a high camera sees vehicles and people small), and the ground (sky at the top means
 * outdoors, a wooden floor indoors). Each rule gives a confidence; the strongest wins if it
 * reaches MIN_SETTING_CONFIDENCE, otherwise there is no guess.
 */
export function inferSetting(frame: RgbFrame, detections: readonly Detection[], peopleCount: number): SettingGuess | null {
  const count = (ids: readonly number[]): number => detections.filter((d) => ids.includes(d.classId)).length;
  const areaOf = (d: Detection): number => d.box.width * d.box.height;
  const people = Math.max(peopleCount, count([COCO.person]));
  const vehicles = detections.filter((d) => d.classId === COCO.car || d.classId === COCO.truck);
  const small = detections.filter((d) => (d.classId === COCO.person || d.classId === COCO.car || d.classId === COCO.truck) && areaOf(d) < 0.02);
  const viewpoint: Viewpoint = small.length >= 2 && small.length * 2 >= detections.filter((d) => d.classId <= COCO.truck).length ? 'high' : 'eye-level';

  const top = regionColour(frame, { x: 0, y: 0, width: 1, height: 0.2 });
  const bottom = regionColour(frame, { x: 0, y: 0.75, width: 1, height: 0.25 });
  const sky = top === 'blue' || (top === 'white' && bottom !== 'white' && vehicles.length > 0);
  const woodenFloor = bottom === 'brown' || bottom === 'orange';

  const candidates: SettingGuess[] = [];
  const add = (place: SettingName, confidence: number, evidence: string[]): void => {
    candidates.push({ place, confidence: Math.min(0.95, confidence), viewpoint, evidence });
  };
  const kitchen = count(KITCHEN);
  if (kitchen > 0) add('kitchen', 0.55 + 0.15 * (kitchen - 1), [`${kitchen} kitchen appliance(s)`]);
  if (count([COCO.bed]) > 0) add('bedroom', 0.6, ['a bed']);
  if (count([COCO.couch]) > 0) add('living room', count([COCO.tv, COCO.pottedPlant]) > 0 ? 0.6 : 0.45, ['a couch']);
  const chairs = count([COCO.chair, COCO.diningTable]);
  if (people >= 3 && chairs >= 2) add('classroom', 0.5 + 0.05 * Math.min(4, chairs - 2), [`${people} people`, `${chairs} chairs or desks`]);
  const desk = count(DESK);
  if (desk > 0 && (chairs > 0 || people > 0)) add('office', 0.5 + 0.1 * Math.min(3, desk), [`${desk} screen(s) or keyboard(s)`]);
  else if (people > 0 && count([COCO.chair]) > 0 && !sky) add('office', 0.4, ['a person and an office chair', 'indoor walls']);
  if (vehicles.length >= 3) add('parking lot', 0.45 + (viewpoint === 'high' ? 0.2 : 0) + (people === 0 ? 0.05 : 0), [`${vehicles.length} vehicles`, `${viewpoint} camera`]);
  const traffic = count(TRAFFIC);
  if (vehicles.length > 0 && (traffic > 0 || people > 0) && vehicles.length + traffic >= 2) add('street', 0.45 + 0.1 * Math.min(2, traffic), ['vehicles', 'traffic or pedestrians']);
  const goods = count(SHELF_GOODS);
  if (goods >= 4 && people > 0) add('shop aisle', 0.45, [`${goods} goods`, 'people']);
  if (people === 0 && vehicles.length === 0 && detections.length > 0 && detections.length <= 3 && detections.every((d) => SMALL_THINGS.has(d.classId))) {
    add('tabletop', 0.45, ['a few small objects, no people']);
  }
  if (woodenFloor && !sky) add('room', 0.45, ['a wooden floor']);
  if (sky && candidates.length === 0) add('outdoors', 0.45, ['sky at the top']);

  const best = candidates.sort((a, b) => b.confidence - a.confidence)[0];
  return best && best.confidence >= MIN_SETTING_CONFIDENCE ? best : null;
}
