import { crossesEdge, type MotionDirection, type SpeedWord } from '../motion/tracks.ts';
import type { PersonNoun, PersonRecord } from '../people/describe.ts';
import type { ColourName } from '../scene/colours.ts';
import { article, countedNoun, joinList, numberWord, singular } from './nouns.ts';
import type { Surface } from '../scene/things.ts';
import type { ActionRecord, AreaMotion, CameraMove, ContentRecord, DescriptionRecord, MotionRecord, ObjectCount, ObjectMotion, Position, SettingRecord, ThingRecord } from './record.ts';

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
  'leaves-left': 'out of the picture at the left',
  'leaves-right': 'out of the picture at the right',
  'leaves-top': 'out of the picture at the top',
  'leaves-bottom': 'out of the picture at the bottom',
  'enters-left': 'into the picture from the left',
  'enters-right': 'into the picture from the right',
  'enters-top': 'into the picture from the top',
  'enters-bottom': 'into the picture from the bottom',
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

const PERSON_PLURALS: Readonly<Record<PersonNoun, string>> = { person: 'people', man: 'men', woman: 'women', boy: 'boys', girl: 'girls' };
const POSSESSIVE: Readonly<Record<PersonNoun, [singular: string, plural: string]>> = {
  person: ['their', 'their'],
  man: ['his', 'their'],
  boy: ['his', 'their'],
  woman: ['her', 'their'],
  girl: ['her', 'their'],
};

/** "a man", "two women". */
function countedPerson(noun: PersonNoun, count: number): string {
  return count === 1 ? `${article(noun)} ${noun}` : `${numberWord(count)} ${PERSON_PLURALS[noun]}`;
}

/** "a white car", "two red apples": the colour goes before the noun. */
function colouredNoun(group: ObjectCount): string {
  const phrase = countedNoun(group.classId, group.count);
  // "an orange orange" says nothing the noun does not.
  if (!group.colour || singular(group.classId) === group.colour) return phrase;
  const [first, ...rest] = phrase.split(' ');
  return group.count === 1 ? `${article(group.colour)} ${group.colour} ${singular(group.classId)}` : `${first} ${group.colour} ${rest.join(' ')}`;
}

const HANDS: Readonly<Record<PersonRecord['hands'], string>> = {
  none: '',
  raised: ' with an arm raised',
  'at-chest': ' with a hand at the chest',
  'at-face': ' with a hand at the face',
  'at-mouth': ' with a hand at the mouth',
  'both-raised': ' with both hands raised',
  'both-at-chest': ' with both hands at the chest',
};

function renderPerson(person: PersonRecord): string {
  const words = [person.expression === 'none' ? '' : person.expression, person.age === 'any' ? '' : person.age, person.noun].filter(Boolean).join(' ');
  const clothing = person.top ? ` in ${article(person.top)} ${person.top} ${person.garment}` : '';
  const framing = person.framing === 'close-up' ? 'close-up of ' : '';
  const gaze = person.facing ? ' looking at the camera' : '';
  const posture = person.posture === 'unknown' ? '' : `, ${person.posture}`;
  return `${framing}${article(words)} ${words}${clothing}${gaze} ${PLACE[person.position]}${posture}${HANDS[person.hands]}`;
}

const SURFACE: Readonly<Record<Surface, string>> = { dark: 'a dark surface', light: 'a light surface', plain: 'a plain surface' };

/** "a small gray elongated object". */
function renderThing(thing: Omit<ThingRecord, 'position'>): string {
  const words = [thing.size, thing.colour ?? '', thing.shape, 'object'].filter(Boolean).join(' ');
  return `${article(words)} ${words}`;
}

/** COCO food ids people call fruit or vegetables. */
const FRUIT = new Set([46, 47, 49]);
const VEGETABLES = new Set([50, 51]);

/** "in an office", "likely in a parking lot", "seen from above in …"; confidence below 60 % says "likely". */
function renderSetting(setting: SettingRecord): string {
  // A room is only ever inferred from its wooden floor (scene/setting.ts), so the text can say so.
  const place =
    setting.place === 'tabletop'
      ? 'on a tabletop'
      : setting.place === 'outdoors'
        ? 'outdoors'
        : setting.place === 'room'
          ? 'in a room with a wooden floor'
          : `in ${article(setting.place)} ${setting.place}`;
  const hedged = setting.confidence < 60 ? `likely ${place}` : place;
  return setting.viewpoint === 'high' ? `seen from above, ${hedged}` : hedged;
}

function renderContent(record: ContentRecord): string {
  const adjectives: string[] = [record.brightness];
  if (record.contrast !== 'normal') adjectives.push(`${record.contrast}-contrast`);
  if (record.colourfulness !== 'normal') adjectives.push(record.colourfulness);
  const setting = record.setting ? ` ${renderSetting(record.setting)},` : '';
  const scene = `a ${adjectives.join(', ')} scene${setting} with mostly ${joinList(record.colours as readonly ColourName[])} tones`;
  const subjects = [
    ...record.people.map(renderPerson),
    ...record.objects.map((group) => `${colouredNoun(group)} ${PLACE[group.position]}`),
    ...record.things.map((thing) => `${renderThing(thing)} ${PLACE[thing.position]}`),
  ];
  const objects = record.people.length > 0 ? subjects.join('; ') : joinList(subjects);
  const surface = record.surface ? SURFACE[record.surface] : '';
  const onSurface = objects && surface ? `${objects}, on ${surface}` : objects;
  let text = onSurface ? `${onSurface}, in ${scene}` : scene;
  if (record.texts.length > 0) text += `; text reads ${joinList(record.texts.map((line) => `'${line}'`))}`;
  return text;
}

function renderObjectMotion(group: ObjectMotion, subjectOverride?: string, pluralOverride?: boolean): string {
  const subject = subjectOverride ?? (group.classId === 0 ? countedPerson(group.noun, group.count) : countedNoun(group.classId, group.count));
  const one = pluralOverride === undefined ? group.count === 1 : !pluralOverride;
  if (group.direction === 'still') return `${subject} ${one ? 'stays' : 'stay'} still`;
  if (group.direction === 'in-place') return `${subject} ${one ? 'moves' : 'move'} in place`;
  const [singularVerb, pluralVerb] = VERBS.get(group.classId) ?? ['moves', 'move'];
  return `${subject} ${one ? singularVerb : pluralVerb} ${ADVERB[group.speed]}${DIRECTION[group.direction]}`;
}

function renderAreaMotion(area: AreaMotion): string {
  if (area.direction === 'in-place') return `local movement ${PLACE[area.position]}`;
  if (area.direction === 'still') return `no movement ${PLACE[area.position]}`;
  // The edge is the place: no position follows.
  if (crossesEdge(area.direction)) return `something moves ${DIRECTION[area.direction]}`;
  const speed = area.speed === 'moderate' ? '' : `${area.speed} `;
  return `${speed}movement ${DIRECTION[area.direction]} ${PLACE[area.position]}`;
}

/** Singular and plural phrasing of each action; `{own}` becomes his, her or their. */
const ACTION: Readonly<Record<ActionRecord['action'], [singular: string, plural: string]>> = {
  'turn-head': ['turns {own} head', 'turn {own} heads'],
  gesture: ['gestures with {own} hands', 'gesture with {own} hands'],
  'raise-arms': ['raises {own} arms', 'raise {own} arms'],
  'turn-head-left': ['turns {own} head to the left', 'turn {own} heads to the left'],
  'turn-head-right': ['turns {own} head to the right', 'turn {own} heads to the right'],
  'tilt-head': ['tilts {own} head', 'tilt {own} heads'],
  'gesture-one-hand': ['gestures with one hand', 'gesture with one hand'],
  'gesture-at-chest': ['gestures with one hand at {own} chest', 'gesture with one hand at {own} chests'],
  sign: ['signs with both hands', 'sign with both hands'],
};

function renderAction(action: ActionRecord): string {
  const one = action.count === 1;
  const [singular, plural] = ACTION[action.action];
  const [his, their] = POSSESSIVE[action.noun];
  return `${countedPerson(action.noun, action.count)} ${(one ? singular : plural).replace('{own}', one ? his : their)}`;
}

/** "fruit and vegetables (an apple and broccoli)" when a conveyor carries both kinds. */
function conveyorSubject(together: readonly ObjectMotion[]): string {
  const listed = joinList(together.map((group) => countedNoun(group.classId, group.count)));
  const fruit = together.some((group) => FRUIT.has(group.classId));
  const vegetables = together.some((group) => VEGETABLES.has(group.classId));
  const kind = fruit && vegetables ? 'fruit and vegetables' : '';
  return kind && together.length > 1 ? `${kind} (${listed})` : listed;
}

/**
 * People going the same way at the same speed share one clause: "a woman and a man walk toward the
 * camera"; so do the goods on a conveyor, whatever their speed: "an apple and broccoli move from
 * right to left, likely on a conveyor belt".
 */
function renderObjects(objects: readonly ObjectMotion[], conveyor: boolean): string[] {
  const parts: string[] = [];
  const done = new Set<ObjectMotion>();
  const carried = (group: ObjectMotion): boolean => conveyor && group.classId !== 0 && (group.direction === 'left-to-right' || group.direction === 'right-to-left');
  for (const group of objects) {
    if (done.has(group)) continue;
    if (carried(group)) {
      const together = objects.filter((other) => !done.has(other) && carried(other) && other.direction === group.direction);
      together.forEach((other) => done.add(other));
      const count = together.reduce((sum, other) => sum + other.count, 0);
      parts.push(`${renderObjectMotion(group, conveyorSubject(together), count > 1)}, likely on a conveyor belt`);
      continue;
    }
    const together = group.classId === 0 ? objects.filter((other) => other.classId === 0 && !done.has(other) && other.direction === group.direction && other.speed === group.speed) : [group];
    together.forEach((other) => done.add(other));
    if (together.length === 1) parts.push(renderObjectMotion(group));
    else parts.push(renderObjectMotion(group, joinList(together.map((other) => countedPerson(other.noun, other.count))), true));
  }
  return parts;
}

/** The first moving area, said of the thing on the surface or of "something" on it. */
function renderSurfaceMotion(record: MotionRecord, surface: Surface): string {
  // "something small, gray and elongated": said of a moving thing, this matches how people ask for it better than "an object".
  const subject = record.thing ? `something ${joinList([record.thing.size, record.thing.colour ?? '', record.thing.shape].filter(Boolean))}` : 'something';
  const [area] = record.areas;
  if (!area || area.direction === 'still') return `${subject} lies still on ${SURFACE[surface]}`;
  if (area.direction === 'in-place') return `${subject} moves in place on ${SURFACE[surface]}`;
  if (crossesEdge(area.direction)) return `${subject} on ${SURFACE[surface]} moves ${DIRECTION[area.direction]}`;
  return `${subject} moves ${ADVERB[area.speed]}${DIRECTION[area.direction]} across ${SURFACE[surface]}`;
}

function renderMotion(record: MotionRecord): string {
  const camera = record.camera === 'static' ? 'camera static' : `camera ${ADVERB[record.cameraSpeed]}${CAMERA[record.camera]}`;
  // On a plain surface the first moving area is the thing on it (or "something").
  const onSurface = record.surface && (record.thing || record.areas.length > 0) ? [renderSurfaceMotion(record, record.surface)] : [];
  const areas = onSurface.length > 0 ? record.areas.slice(1) : record.areas;
  const parts = [camera, ...renderObjects(record.objects, record.conveyor), ...record.actions.map(renderAction), ...onSurface, ...areas.map(renderAreaMotion)];
  if (parts.length === 1) parts.push(record.camera === 'static' ? 'nothing moves' : 'nothing else moves');
  return parts.join('; ');
}

/** The text a record stands for; the one way text is made, so expanding a structured form is exact. */
export function renderRecord(record: DescriptionRecord): string {
  return record.kind === 'content' ? renderContent(record) : renderMotion(record);
}
