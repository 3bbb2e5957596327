/** [piece, log-probability] pairs as shipped in USE's vocab.json; ids are array indices. */
export type Vocabulary = readonly (readonly [string, number])[];

/** Ids below this are control symbols (unk, <s>, </s>, ...) and never matched against text. */
const RESERVED_IDS = 6;
const UNKNOWN_ID = 0;
const WORD_START = '\u2581';

/**
 * SentencePiece unigram tokenizer for the Universal Sentence Encoder lite vocabulary:
 * Viterbi search for the highest-scoring segmentation into vocabulary pieces.
 */
export class SentencePieceTokenizer {
  readonly #pieces = new Map<string, { id: number; score: number }>();
  readonly #longestPiece: number;
  readonly #unknownScore: number;

  constructor(vocabulary: Vocabulary) {
    let longest = 1;
    let lowest = 0;
    for (let id = RESERVED_IDS; id < vocabulary.length; id++) {
      const [piece, score] = vocabulary[id]!;
      this.#pieces.set(piece, { id, score });
      longest = Math.max(longest, [...piece].length);
      lowest = Math.min(lowest, score);
    }
    this.#longestPiece = longest;
    // Unknown characters cost more than any known piece, so they're used only when nothing else fits.
    this.#unknownScore = lowest - 10;
  }

  encode(text: string): number[] {
    const normalised = text.normalize('NFKC');
    if (normalised.length === 0) return [];
    const symbols = [...(WORD_START + normalised.replace(/ /g, WORD_START))];
    const count = symbols.length;
    const best = new Float64Array(count + 1).fill(-Infinity);
    const chosenId = new Int32Array(count + 1);
    const chosenStart = new Int32Array(count + 1);
    best[0] = 0;
    for (let start = 0; start < count; start++) {
      const base = best[start]!;
      if (base === -Infinity) continue;
      let piece = '';
      let matchedSingle = false;
      for (let end = start + 1; end <= Math.min(count, start + this.#longestPiece); end++) {
        piece += symbols[end - 1]!;
        const entry = this.#pieces.get(piece);
        if (!entry) continue;
        if (end === start + 1) matchedSingle = true;
        const score = base + entry.score;
        if (score > best[end]!) {
          best[end] = score;
          chosenId[end] = entry.id;
          chosenStart[end] = start;
        }
      }
      if (!matchedSingle) {
        const score = base + this.#unknownScore;
        if (score > best[start + 1]!) {
          best[start + 1] = score;
          chosenId[start + 1] = UNKNOWN_ID;
          chosenStart[start + 1] = start;
        }
      }
    }
    const ids: number[] = [];
    for (let end = count; end > 0; end = chosenStart[end]!) ids.push(chosenId[end]!);
    ids.reverse();
    // Runs of unknown characters become one unknown token.
    return ids.filter((id, index) => !(id === UNKNOWN_ID && ids[index - 1] === UNKNOWN_ID));
  }
}
