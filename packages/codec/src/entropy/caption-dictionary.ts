/**
 * Static preset dictionary for DEFLATE text coding (bitstream text coding 2, dictionary version 1).
 * Phrases common in keyframe captions, motion descriptions and the technical describer's output.
 * zlib matches against the dictionary's tail most cheaply, so the most frequent phrases come last.
 * CHANGING THIS TEXT BREAKS EVERY STREAM CODED WITH IT: add a new dictionary version instead.
 */
export const CAPTION_DICTIONARY_V1 = [
  'photograph illustration cartoon drawing painting screenshot logo text sign. ',
  'indoors outdoors kitchen office room street road city building house window door wall floor table chair desk bed ',
  'sky clouds sun trees grass field forest mountain beach water river lake sea snow rain night day light dark ',
  'car truck bus bicycle motorcycle train boat plane dog cat bird horse animal animals food plate cup bottle phone computer ',
  'shirt jacket dress hat glasses hair face hand hands arm head body ',
  'red orange yellow green blue purple pink brown black white gray grey ',
  'small large big little young old close-up wide shot view scene image frame video clip ',
  'sitting standing walking running talking looking holding wearing playing moving turning smiling dancing eating reading ',
  'left right up down forward backward toward away across around slowly quickly ',
  'zoom in zoom out pan left pan right tilt up tilt down static camera moving camera handheld camera ',
  'Keyframe at s: mean colour rgb(, brightness %, contrast %, saturation %. ',
  'Global motion: static camera; pan ; tilt ; frame widths per second, frame heights per second; mean frame change %. ',
  'There is a There are two three several many people person man woman men women boy girl child children group of ',
  'in front of the behind the next to the on top of the in the background in the foreground at the ',
  'The camera is The camera pans The camera zooms The camera tilts The camera stays still while ',
  'is standing is sitting is walking is holding is wearing is looking at ',
  ' with a  of a  on a  in a  and a  of the  on the  in the  and the  with the  is a  a man  a woman ',
].join('');
