import { ModelError } from '../runtime/errors.ts';
import { MOTION_DIRECTIONS, SPEED_WORDS, type MotionDirection, type SpeedWord } from '../motion/tracks.ts';
import { AGE_WORDS, EXPRESSION_WORDS, FRAMINGS, GARMENTS, HAND_POSES, PERSON_NOUNS, POSTURES, type PersonRecord } from '../people/describe.ts';
import { SURFACES, THING_SHAPES, THING_SIZES, type Surface } from '../scene/things.ts';
import { BRIGHTNESS_LEVELS, COLOURFULNESS_LEVELS, CONTRAST_LEVELS, PALETTE, type ColourName } from '../scene/colours.ts';
import { SETTINGS, VIEWPOINTS } from '../scene/setting.ts';
import {
  CAMERA_MOVES,
  PERSON_ACTIONS,
  type ActionRecord,
  type SettingRecord,
  type ThingRecord,
  POSITIONS,
  RECORD_LIMITS,
  sanitiseReadText,
  type AreaMotion,
  type ContentRecord,
  type DescriptionRecord,
  type MotionRecord,
  type ObjectCount,
  type ObjectMotion,
} from './record.ts';

/**
 * Structured form, version 3. All integers are unsigned LEB128 varints; enums are indices into the
 * fixed tables of `record.ts`, `people/describe.ts`, `scene/` and `motion/tracks.ts`; an optional
 * colour is 0 for none, else 1 + its palette index.
 *
 *   version=2, kind (1 content | 2 motion)
 *   content: brightness, contrast, colourfulness, nColours, colour…,
 *            nObjects, (classId, count, position, colour?)…, nTexts, (byteLength, UTF-8 bytes)…,
 *            nPeople, (noun, age, expression, posture, hands, top colour?, position, framing, facing 0|1, garment)…,
 *            hasSetting, [place, confidence 0..100, viewpoint], surface?, nThings, (size, shape, colour?, position)…
 *   motion:  camera, cameraSpeed, nObjects, (classId, count, direction, speed, noun)…,
 *            nAreas, (position, direction, speed)…, nActions, (noun, count, action)…,
 *            surface?, hasThing, [size, shape, colour?], conveyor 0|1
 *
 * An optional surface is 0 for none, else 1 + its index. Version 2 (no framing, facing, garment,
 * surface, things or conveyor) and version 1 (no colours, people, setting, nouns or actions) are still read.
 */
export const STRUCTURED_VERSION = 3;
const FIRST_VERSION = 1;
const KIND_CONTENT = 1;
const KIND_MOTION = 2;
const MAX_TEXT_BYTES = RECORD_LIMITS.maxTextChars * 4;

function invalid(message: string): ModelError {
  return new ModelError('invalid-input', `structured description: ${message}`);
}

class Writer {
  private readonly bytes: number[] = [];
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.bytes.push(rest);
  }
  raw(data: Uint8Array): void {
    for (const byte of data) this.bytes.push(byte);
  }
  /** A list: its length, which must be in min..max (`what` names it), then each item. */
  list<T>(items: readonly T[], min: number, max: number, what: string, writeItem: (item: T) => void): void {
    checkCount(items.length, min, max, what);
    this.varint(items.length);
    for (const item of items) writeItem(item);
  }
  result(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}
  varint(what: string, max: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i += 1) {
      const byte = this.data[this.offset];
      if (byte === undefined) throw invalid(`truncated while reading ${what}`);
      this.offset += 1;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (value > max) throw invalid(`${what} ${value} exceeds ${max}`);
        if (i > 0 && byte === 0) throw invalid(`non-minimal varint for ${what}`);
        return value;
      }
      scale *= 128;
    }
    throw invalid(`varint for ${what} is too long`);
  }
  pick<T>(table: readonly T[], what: string): T {
    return table[this.varint(what, table.length - 1)] as T;
  }
  /** A list that Writer.list wrote: its length (at most `max`; `what` names it), then each item. */
  list<T>(what: string, max: number, readItem: () => T): T[] {
    const length = this.varint(what, max);
    const items: T[] = [];
    for (let i = 0; i < length; i += 1) items.push(readItem());
    return items;
  }
  bytes(length: number, what: string): Uint8Array {
    if (this.offset + length > this.data.length) throw invalid(`truncated while reading ${what}`);
    const slice = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
  end(): void {
    if (this.offset !== this.data.length) throw invalid(`${this.data.length - this.offset} trailing bytes`);
  }
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function indexIn<T>(table: readonly T[], value: T, what: string): number {
  const index = table.indexOf(value);
  if (index < 0) throw invalid(`unknown ${what} ${String(value)}`);
  return index;
}

function checkCount(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`${what} must be an integer in ${min}..${max} (got ${value})`);
}

/** What a still and a moving object group both begin with: the class id and how many (at least 1). */
function writeGroupHead(out: Writer, group: { readonly classId: number; readonly count: number }): void {
  checkCount(group.classId, 0, RECORD_LIMITS.classes - 1, 'class id');
  checkCount(group.count, 1, RECORD_LIMITS.maxCount, 'object count');
  out.varint(group.classId);
  out.varint(group.count);
}

function readGroupHead(input: Reader): { readonly classId: number; readonly count: number } {
  const classId = input.varint('class id', RECORD_LIMITS.classes - 1);
  const count = input.varint('object count', RECORD_LIMITS.maxCount);
  if (count < 1) throw invalid('object count must be at least 1');
  return { classId, count };
}

function writeContent(out: Writer, record: ContentRecord): void {
  out.varint(indexIn(BRIGHTNESS_LEVELS, record.brightness, 'brightness'));
  out.varint(indexIn(CONTRAST_LEVELS, record.contrast, 'contrast'));
  out.varint(indexIn(COLOURFULNESS_LEVELS, record.colourfulness, 'colourfulness'));
  out.list(record.colours, 1, RECORD_LIMITS.maxColours, 'colour count', (colour) => out.varint(indexIn(PALETTE, colour, 'colour')));
  out.list(record.objects, 0, RECORD_LIMITS.maxObjects, 'object group count', (group) => {
    writeGroupHead(out, group);
    out.varint(indexIn(POSITIONS, group.position, 'position'));
    writeColour(out, group.colour);
  });
  out.list(record.texts, 0, RECORD_LIMITS.maxTexts, 'text count', (text) => {
    if (text.length === 0 || sanitiseReadText(text) !== text) throw invalid(`text ${JSON.stringify(text)} is not in canonical form`);
    const bytes = utf8.encode(text);
    out.varint(bytes.length);
    out.raw(bytes);
  });
  out.list(record.people, 0, RECORD_LIMITS.maxPeople, 'person count', (person) => {
    out.varint(indexIn(PERSON_NOUNS, person.noun, 'person noun'));
    out.varint(indexIn(AGE_WORDS, person.age, 'age word'));
    out.varint(indexIn(EXPRESSION_WORDS, person.expression, 'expression'));
    out.varint(indexIn(POSTURES, person.posture, 'posture'));
    out.varint(indexIn(HAND_POSES, person.hands, 'hand pose'));
    writeColour(out, person.top);
    out.varint(indexIn(POSITIONS, person.position, 'position'));
    out.varint(indexIn(FRAMINGS, person.framing, 'framing'));
    out.varint(person.facing ? 1 : 0);
    out.varint(indexIn(GARMENTS, person.garment, 'garment'));
  });
  out.varint(record.setting ? 1 : 0);
  if (record.setting) {
    checkCount(record.setting.confidence, 0, 100, 'setting confidence');
    out.varint(indexIn(SETTINGS, record.setting.place, 'setting'));
    out.varint(record.setting.confidence);
    out.varint(indexIn(VIEWPOINTS, record.setting.viewpoint, 'viewpoint'));
  }
  writeSurface(out, record.surface);
  out.list(record.things, 0, RECORD_LIMITS.maxThings, 'thing count', (thing) => {
    writeThing(out, thing);
    out.varint(indexIn(POSITIONS, thing.position, 'position'));
  });
}

function writeSurface(out: Writer, surface: Surface | null): void {
  out.varint(surface === null ? 0 : 1 + indexIn(SURFACES, surface, 'surface'));
}

function readSurface(input: Reader): Surface | null {
  const code = input.varint('surface', SURFACES.length);
  return code === 0 ? null : (SURFACES[code - 1] as Surface);
}

function writeThing(out: Writer, thing: Omit<ThingRecord, 'position'>): void {
  out.varint(indexIn(THING_SIZES, thing.size, 'thing size'));
  out.varint(indexIn(THING_SHAPES, thing.shape, 'thing shape'));
  writeColour(out, thing.colour);
}

function readThing(input: Reader): Omit<ThingRecord, 'position'> {
  return { size: input.pick(THING_SIZES, 'thing size'), shape: input.pick(THING_SHAPES, 'thing shape'), colour: readColour(input) };
}

function writeColour(out: Writer, colour: ColourName | null): void {
  out.varint(colour === null ? 0 : 1 + indexIn(PALETTE, colour, 'colour'));
}

function readColour(input: Reader): ColourName | null {
  const code = input.varint('colour', PALETTE.length);
  return code === 0 ? null : (PALETTE[code - 1] as ColourName);
}

function writeMotion(out: Writer, record: MotionRecord): void {
  out.varint(indexIn(CAMERA_MOVES, record.camera, 'camera move'));
  out.varint(indexIn(SPEED_WORDS, record.cameraSpeed, 'camera speed'));
  out.list(record.objects, 0, RECORD_LIMITS.maxObjects, 'moving object group count', (group) => {
    writeGroupHead(out, group);
    out.varint(indexIn(MOTION_DIRECTIONS, group.direction, 'direction'));
    out.varint(indexIn(SPEED_WORDS, group.speed, 'speed'));
    out.varint(indexIn(PERSON_NOUNS, group.noun, 'person noun'));
  });
  out.list(record.areas, 0, RECORD_LIMITS.maxAreas, 'area count', (area) => {
    out.varint(indexIn(POSITIONS, area.position, 'position'));
    out.varint(indexIn(MOTION_DIRECTIONS, area.direction, 'direction'));
    out.varint(indexIn(SPEED_WORDS, area.speed, 'speed'));
  });
  out.list(record.actions, 0, RECORD_LIMITS.maxActions, 'action count', (action) => {
    checkCount(action.count, 1, RECORD_LIMITS.maxCount, 'action count');
    out.varint(indexIn(PERSON_NOUNS, action.noun, 'person noun'));
    out.varint(action.count);
    out.varint(indexIn(PERSON_ACTIONS, action.action, 'action'));
  });
  writeSurface(out, record.surface);
  out.varint(record.thing ? 1 : 0);
  if (record.thing) writeThing(out, record.thing);
  out.varint(record.conveyor ? 1 : 0);
}

export function encodeRecord(record: DescriptionRecord): Uint8Array {
  const out = new Writer();
  out.varint(STRUCTURED_VERSION);
  if (record.kind === 'content') {
    out.varint(KIND_CONTENT);
    writeContent(out, record);
  } else {
    out.varint(KIND_MOTION);
    writeMotion(out, record);
  }
  return out.result();
}

function readContent(input: Reader, version: number): ContentRecord {
  const brightness = input.pick(BRIGHTNESS_LEVELS, 'brightness');
  const contrast = input.pick(CONTRAST_LEVELS, 'contrast');
  const colourfulness = input.pick(COLOURFULNESS_LEVELS, 'colourfulness');
  const colours: ColourName[] = input.list('colour count', RECORD_LIMITS.maxColours, () => input.pick(PALETTE, 'colour'));
  if (colours.length < 1) throw invalid('at least one colour is required');
  const objects: ObjectCount[] = input.list('object group count', RECORD_LIMITS.maxObjects, () => {
    const { classId, count } = readGroupHead(input);
    const position = input.pick(POSITIONS, 'position');
    return { classId, count, position, colour: version >= 2 ? readColour(input) : null };
  });
  const texts: string[] = input.list('text count', RECORD_LIMITS.maxTexts, () => {
    const length = input.varint('text length', MAX_TEXT_BYTES);
    let text: string;
    try {
      text = strictUtf8.decode(input.bytes(length, 'text'));
    } catch (cause) {
      if (cause instanceof ModelError) throw cause;
      throw invalid('text is not valid UTF-8');
    }
    if (text.length === 0 || sanitiseReadText(text) !== text) throw invalid('text is not in canonical form');
    return text;
  });
  let people: PersonRecord[] = [];
  let setting: SettingRecord | null = null;
  if (version >= 2) {
    people = input.list('person count', RECORD_LIMITS.maxPeople, () => ({
      noun: input.pick(PERSON_NOUNS, 'person noun'),
      age: input.pick(AGE_WORDS, 'age word'),
      expression: input.pick(EXPRESSION_WORDS, 'expression'),
      posture: input.pick(POSTURES, 'posture'),
      hands: input.pick(HAND_POSES, 'hand pose'),
      top: readColour(input),
      position: input.pick(POSITIONS, 'position'),
      framing: version >= 3 ? input.pick(FRAMINGS, 'framing') : 'normal',
      facing: version >= 3 ? input.varint('facing flag', 1) === 1 : false,
      garment: version >= 3 ? input.pick(GARMENTS, 'garment') : 'top',
    }));
    if (input.varint('setting flag', 1) === 1) {
      setting = { place: input.pick(SETTINGS, 'setting'), confidence: input.varint('setting confidence', 100), viewpoint: input.pick(VIEWPOINTS, 'viewpoint') };
    }
  }
  let surface: Surface | null = null;
  let things: ThingRecord[] = [];
  if (version >= 3) {
    surface = readSurface(input);
    things = input.list('thing count', RECORD_LIMITS.maxThings, () => ({ ...readThing(input), position: input.pick(POSITIONS, 'position') }));
  }
  return { kind: 'content', brightness, contrast, colourfulness, colours, objects, texts, people, setting, surface, things };
}

function readMotion(input: Reader, version: number): MotionRecord {
  const camera = input.pick(CAMERA_MOVES, 'camera move');
  const cameraSpeed = input.pick(SPEED_WORDS, 'camera speed');
  const objects: ObjectMotion[] = input.list('moving object group count', RECORD_LIMITS.maxObjects, () => {
    const { classId, count } = readGroupHead(input);
    const direction: MotionDirection = input.pick(MOTION_DIRECTIONS, 'direction');
    const speed: SpeedWord = input.pick(SPEED_WORDS, 'speed');
    return { classId, count, direction, speed, noun: version >= 2 ? input.pick(PERSON_NOUNS, 'person noun') : 'person' };
  });
  const areas: AreaMotion[] = input.list('area count', RECORD_LIMITS.maxAreas, () => ({
    position: input.pick(POSITIONS, 'position'),
    direction: input.pick(MOTION_DIRECTIONS, 'direction'),
    speed: input.pick(SPEED_WORDS, 'speed'),
  }));
  let actions: ActionRecord[] = [];
  if (version >= 2) {
    actions = input.list('action count', RECORD_LIMITS.maxActions, () => {
      const noun = input.pick(PERSON_NOUNS, 'person noun');
      const count = input.varint('action count', RECORD_LIMITS.maxCount);
      if (count < 1) throw invalid('action count must be at least 1');
      return { noun, count, action: input.pick(PERSON_ACTIONS, 'action') };
    });
  }
  let surface: Surface | null = null;
  let thing: MotionRecord['thing'] = null;
  let conveyor = false;
  if (version >= 3) {
    surface = readSurface(input);
    if (input.varint('thing flag', 1) === 1) thing = readThing(input);
    conveyor = input.varint('conveyor flag', 1) === 1;
  }
  return { kind: 'motion', camera, cameraSpeed, objects, areas, actions, surface, thing, conveyor };
}

export function decodeRecord(data: Uint8Array): DescriptionRecord {
  if (!(data instanceof Uint8Array)) throw invalid('expected a Uint8Array');
  const input = new Reader(data);
  const version = input.varint('version', 255);
  if (version < FIRST_VERSION || version > STRUCTURED_VERSION) {
    throw invalid(`unsupported version ${version} (this build reads ${FIRST_VERSION}..${STRUCTURED_VERSION})`);
  }
  const kind = input.varint('kind', 255);
  let record: DescriptionRecord;
  if (kind === KIND_CONTENT) record = readContent(input, version);
  else if (kind === KIND_MOTION) record = readMotion(input, version);
  else throw invalid(`unknown kind ${kind}`);
  input.end();
  return record;
}
