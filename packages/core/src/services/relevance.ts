import type { TextEmbedder } from '@cmvc/codec';

/**
 * Text about nothing in particular, in the describer's own phrasing and in plain English. A query's
 * mean cosine similarity to these is its baseline: how similar it looks to any caption at all.
 * Short or generic queries ("camera", "static") sit close to everything and get a high baseline;
 * specific ones a low one. See docs/search-relevance.md.
 */
export const REFERENCE_SENTENCES = [
  'camera static; nothing moves',
  'a well-lit scene with mostly gray tones',
  'a person in the center, in a well-lit scene with mostly white tones',
  'camera pans left; a person walks from left to right',
  'two people across the frame, in a dim scene',
  'an object at the bottom left',
  'something moves in the frame',
  'a photo of a thing',
  'there is a scene with some things in it',
  'a video clip',
  'someone does something somewhere',
  'a place with colors and light',
  'camera zooms in; local movement in the center',
  'a dark, muted scene with mostly black tones',
  'the picture shows an area',
  'a view of a room',
] as const;

/**
 * Words the describer puts in nearly every caption ("camera static", "in the center", "a well-lit
 * scene with mostly gray tones"). Matching them in full text says nothing about a caption, so they
 * are left out of the words a caption must contain to count as a full-text match.
 */
const FRAMING_WORDS = new Set([
  'camera', 'static', 'scene', 'scenes', 'tone', 'tones', 'mostly', 'frame', 'center', 'centre', 'left', 'right', 'bottom', 'across',
  'move', 'moves', 'moving', 'movement', 'local', 'still', 'stay', 'stays', 'nothing', 'else', 'well', 'lit', 'well-lit', 'bright', 'dim',
  'dark', 'contrast', 'low-contrast', 'high-contrast', 'muted', 'colorful', 'colourful', 'likely', 'seen', 'slowly', 'quickly', 'place',
]);

/** The query without framing words, for full-text matching; empty when nothing else is left. */
export function contentWords(query: string): string {
  return query
    .split(/\s+/u)
    .filter((word) => !FRAMING_WORDS.has(word.toLowerCase().replace(/^[^\p{L}\p{N}-]+|[^\p{L}\p{N}-]+$/gu, '')))
    .join(' ')
    .trim();
}

/** Computes query baselines against REFERENCE_SENTENCES, embedding them once per embedder. */
export class QueryBaseline {
  private references: Promise<Float32Array[]> | undefined;

  constructor(private readonly embedder: Pick<TextEmbedder, 'embed'>) {}

  async of(query: Float32Array): Promise<number> {
    this.references ??= this.embedder.embed(REFERENCE_SENTENCES).catch((error: unknown) => {
      this.references = undefined;
      throw error;
    });
    const references = await this.references;
    let sum = 0;
    for (const reference of references) {
      let dot = 0;
      for (let i = 0; i < reference.length; i += 1) dot += reference[i]! * query[i]!;
      sum += dot;
    }
    return sum / references.length;
  }
}
