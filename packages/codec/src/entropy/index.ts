export {
  MAX_DECODED_LIST_BYTES,
  TEXT_CODINGS,
  decodeByteList,
  decodeTextList,
  encodeByteList,
  encodeTextList,
  type EncodedList,
  type TextCoding,
} from './text-coding.ts';
export { CAPTION_DICTIONARY_V1 } from './caption-dictionary.ts';
