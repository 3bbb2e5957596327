import type { MotionDirection, SpeedWord } from '../motion/tracks.ts';
import { countedNoun, joinList } from './nouns.ts';
import type { AreaMotion, CameraMove, ContentRecord, DescriptionRecord, MotionRecord, ObjectMotion, Position } from './record.ts';

const PLACE: Readonly<Record<Position, string>> = {
  'top-left': 'at the top left',
  top: 'at the top',
  'top-right': 'at the top right',
  left: 'on the left',
  center: 'in the center',
  right: 'on the right',
  'bottom-left': 'at the bottom left',
  bottom: 'at the bottom',
  'bottom-right': 'at the bottom right',
  across: 'across the frame',
};

const DIRECTION: Readonly<Record<MotionDirection, string>> = {
  still: 'still',
  'left-to-right': 'from left to right',
  'right-to-left': 'from right to left',
  up: 'up',
  down: 'down',
  toward: 'toward the camera',
  away: 'away from the camera',
  'in-place': 'in place',
};

const CAMERA: Readonly<Record<Exclude<CameraMove, 'static'>, string>> = {
  'pan-left': 'pans left',
  'pan-right': 'pans right',
  'tilt-up': 'tilts up',
  'tilt-down': 'tilts down',
  'zoom-in': 'zooms in',
  'zoom-out': 'zooms out',
};

const ADVERB: Readonly<Record<SpeedWord, string>> = { slow: 'slowly ', moderate: '', fast: 'quickly ' };

/** COCO ids whose motion verb is not "moves": people walk, cars drive, bikes are ridden. */
const VERBS: ReadonlyMap<number, readonly [singular: string, plural: string]> = new Map([
  [0, ['walks', 'walk']],
  [1, ['rides', 'ride']],
  [2, ['drives', 'drive']],
  [3, ['rides', 'ride']],
  [5, ['drives', 'drive']],
  [7, ['drives', 'drive']],
]);

function renderContent(record: ContentRecord): string {
  const adjectives: string[] = [record.brightness];
  if (record.contrast !== 'normal') adjectives.push(`${record.contrast}-contrast`);
  if (record.colourfulness !== 'normal') adjectives.push(record.colourfulness);
  const scene = `a ${adjectives.join(', ')} scene with mostly ${joinList(record.colours)} tones`;
  const objects = joinList(record.objects.map((group) => `${countedNoun(group.classId, group.count)} ${PLACE[group.position]}`));
  let text = objects ? `${objects}, in ${scene}` : scene;
  if (record.texts.length > 0) text += `; text reads ${joinList(record.texts.map((line) => `'${line}'`))}`;
  return text;
}

function renderObjectMotion(group: ObjectMotion): string {
  const subject = countedNoun(group.classId, group.count);
  const one = group.count === 1;
  if (group.direction === 'still') return `${subject} ${one ? 'stays' : 'stay'} still`;
  if (group.direction === 'in-place') return `${subject} ${one ? 'moves' : 'move'} in place`;
  const [singularVerb, pluralVerb] = VERBS.get(group.classId) ?? ['moves', 'move'];
  return `${subject} ${one ? singularVerb : pluralVerb} ${ADVERB[group.speed]}${DIRECTION[group.direction]}`;
}

function renderAreaMotion(area: AreaMotion): string {
  if (area.direction === 'in-place') return `local movement ${PLACE[area.position]}`;
  if (area.direction === 'still') return `no movement ${PLACE[area.position]}`;
  const speed = area.speed === 'moderate' ? '' : `${area.speed} `;
  return `${speed}movement ${DIRECTION[area.direction]} ${PLACE[area.position]}`;
}

function renderMotion(record: MotionRecord): string {
  const camera = record.camera === 'static' ? 'camera static' : `camera ${ADVERB[record.cameraSpeed]}${CAMERA[record.camera]}`;
  const parts = [camera, ...record.objects.map(renderObjectMotion), ...record.areas.map(renderAreaMotion)];
  if (parts.length === 1) parts.push(record.camera === 'static' ? 'nothing moves' : 'nothing else moves');
  return parts.join('; ');
}

/** The text a record stands for; the one way text is made, so expanding a structured form is exact. */
export function renderRecord(record: DescriptionRecord): string {
  return record.kind === 'content' ? renderContent(record) : renderMotion(record);
}
