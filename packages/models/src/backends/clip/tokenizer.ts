import { BackendError } from '../errors.ts';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
const WORD_END = '</w>';

/** CLIP's pre-tokeniser (OpenAI `SimpleTokenizer.pat`), case-insensitive, Unicode letters and digits. */
const PRE_TOKEN_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

/** GPT-2's reversible byte → printable character table, which CLIP's BPE vocabulary is written in. */
export const BYTE_ENCODER: readonly string[] = (() => {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b += 1) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b += 1) printable.push(b);
  for (let b = 0xae; b <= 0xff; b += 1) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b += 1) {
    table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  }
  return table;
})();

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The HTML unescaping CLIP applies (twice) before tokenising, for numeric and the common named entities. */
function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

export function cleanText(text: string): string {
  return unescapeHtml(unescapeHtml(text.normalize('NFC'))).replace(/\s+/g, ' ').trim().toLowerCase();
}

export interface ClipTokenizerFiles {
  /** token → id, tokens written with BYTE_ENCODER characters, word-final tokens ending in "</w>". */
  readonly vocab: Readonly<Record<string, number>>;
  /** Merge rules in priority order, each "left right". */
  readonly merges: readonly string[];
}

export interface EncodedText {
  /** Exactly `contextLength` ids: start, tokens, end, then padding. */
  readonly ids: Int32Array;
  /** Ids before the padding (start and end included). */
  readonly length: number;
}

/** CLIP's byte-level BPE tokeniser, as in OpenAI CLIP / OpenCLIP `SimpleTokenizer` and Hugging Face `CLIPTokenizer`. */
export class ClipTokenizer {
  readonly contextLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly ranks: ReadonlyMap<string, number>;
  private readonly cache = new Map<string, readonly number[]>();

  constructor(files: ClipTokenizerFiles, options: { contextLength?: number; padId?: number } = {}) {
    this.vocab = new Map(Object.entries(files.vocab));
    const ranks = new Map<string, number>();
    files.merges.forEach((merge, rank) => {
      if (!ranks.has(merge)) ranks.set(merge, rank);
    });
    this.ranks = ranks;
    this.contextLength = options.contextLength ?? 77;
    if (!Number.isInteger(this.contextLength) || this.contextLength < 2) {
      throw new BackendError('BACKEND_CONFIG', 'clip-tokenizer', `contextLength must be an integer of at least 2, got ${this.contextLength}`);
    }
    this.startId = this.requireId(START_OF_TEXT);
    this.endId = this.requireId(END_OF_TEXT);
    this.padId = options.padId ?? 0;
  }

  /** Parses `vocab.json` + `merges.txt` (its "#version" header and blank lines are skipped). */
  static fromVocabAndMerges(vocabJson: string, mergesTxt: string, options?: { contextLength?: number; padId?: number }): ClipTokenizer {
    const vocab = parseJson(vocabJson, 'vocab.json');
    if (!isTokenMap(vocab)) throw new BackendError('BACKEND_CONFIG', 'clip-tokenizer', 'vocab.json is not an object of token → id');
    const merges = mergesTxt
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '' && !line.startsWith('#version'))
      .map((line) => line.trim());
    return new ClipTokenizer({ vocab, merges }, options);
  }

  /** Parses a Hugging Face `tokenizer.json` whose model is BPE. */
  static fromTokenizerJson(tokenizerJson: string, options?: { contextLength?: number; padId?: number }): ClipTokenizer {
    const parsed = parseJson(tokenizerJson, 'tokenizer.json') as { model?: { type?: unknown; vocab?: unknown; merges?: unknown } };
    const model = parsed.model;
    if (!model || model.type !== 'BPE' || !isTokenMap(model.vocab) || !Array.isArray(model.merges)) {
      throw new BackendError('BACKEND_CONFIG', 'clip-tokenizer', 'tokenizer.json has no BPE model with vocab and merges');
    }
    const merges = model.merges.map((merge: unknown) => {
      if (typeof merge === 'string') return merge;
      if (Array.isArray(merge) && merge.length === 2 && merge.every((part) => typeof part === 'string')) return merge.join(' ');
      throw new BackendError('BACKEND_CONFIG', 'clip-tokenizer', 'tokenizer.json has a malformed merge rule');
    });
    return new ClipTokenizer({ vocab: model.vocab, merges }, options);
  }

  /** Token ids of `text` without start/end/padding. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanText(text).matchAll(PRE_TOKEN_PATTERN)) {
      const piece = match[0];
      if (piece === START_OF_TEXT || piece === END_OF_TEXT) {
        ids.push(this.requireId(piece));
        continue;
      }
      ids.push(...this.bpe(Array.from(new TextEncoder().encode(piece), (byte) => BYTE_ENCODER[byte] as string).join('')));
    }
    return ids;
  }

  /** Start, tokens, end, padded or truncated to the context length (a truncated text still ends with the end token). */
  encode(text: string): EncodedText {
    const tokens = [this.startId, ...this.tokenize(text), this.endId];
    if (tokens.length > this.contextLength) {
      tokens.length = this.contextLength;
      tokens[this.contextLength - 1] = this.endId;
    }
    const ids = new Int32Array(this.contextLength).fill(this.padId);
    ids.set(tokens);
    return { ids, length: tokens.length };
  }

  private bpe(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const symbols = Array.from(word);
    symbols[symbols.length - 1] += WORD_END;
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < symbols.length - 1; i += 1) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      // Merge every occurrence of the winning pair, left to right, as CLIP does.
      const left = symbols[best] as string;
      const right = symbols[best + 1] as string;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i += 1) {
        if (i < symbols.length - 1 && symbols[i] === left && symbols[i + 1] === right) {
          merged.push(left + right);
          i += 1;
        } else {
          merged.push(symbols[i] as string);
        }
      }
      symbols.splice(0, symbols.length, ...merged);
      if (symbols.length === 1) break;
    }
    const ids = symbols.map((symbol) => this.requireId(symbol));
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  private requireId(token: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) {
      throw new BackendError('BACKEND_CONFIG', 'clip-tokenizer', `vocabulary has no entry for ${JSON.stringify(token)}: the tokenizer files are incomplete`);
    }
    return id;
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BackendError('BACKEND_CONFIG', 'clip-tokenizer', `${name} is not valid JSON`, { cause });
  }
}

function isTokenMap(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((id) => typeof id === 'number' && Number.isInteger(id) && id >= 0)
  );
}
