import { cocoLabels } from '../detect/labels.ts';

const SINGULAR_OVERRIDES: Readonly<Record<string, string>> = { tv: 'TV', skis: 'pair of skis' };
const PLURAL_OVERRIDES: Readonly<Record<string, string>> = {
  person: 'people',
  mouse: 'mice',
  knife: 'knives',
  sheep: 'sheep',
  broccoli: 'broccoli',
  tv: 'TVs',
  skis: 'pairs of skis',
};
/** Nouns said without an article when there is one: "broccoli", not "a broccoli". */
const MASS_NOUNS = new Set(['broccoli']);
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

function label(classId: number): string {
  const name = cocoLabels[classId];
  if (name === undefined) throw new RangeError(`unknown COCO class id ${classId}`);
  return name;
}

export function singular(classId: number): string {
  const name = label(classId);
  return SINGULAR_OVERRIDES[name] ?? name;
}

export function plural(classId: number): string {
  const name = label(classId);
  const override = PLURAL_OVERRIDES[name];
  if (override) return override;
  return /(s|x|z|ch|sh)$/u.test(name) ? `${name}es` : `${name}s`;
}

export function article(word: string): 'a' | 'an' {
  return /^[aeiou]/iu.test(word) ? 'an' : 'a';
}

export function numberWord(count: number): string {
  return NUMBER_WORDS[count] ?? String(count);
}

/** "a bottle", "an apple", "two people", "15 cars". */
export function countedNoun(classId: number, count: number): string {
  if (count === 1) {
    const noun = singular(classId);
    return MASS_NOUNS.has(noun) ? noun : `${article(noun)} ${noun}`;
  }
  return `${numberWord(count)} ${plural(classId)}`;
}

/** "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
