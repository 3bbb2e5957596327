export { createTextEmbedder, MAX_TEXT_CHARS, type TextEmbedderOptions } from './use-lite.ts';
export { SentencePieceTokenizer, type Vocabulary } from './tokenizer.ts';
export { LruCache } from './lru.ts';
