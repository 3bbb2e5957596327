// Per-class detection quality on frames of ../shared/media labelled by hand (docs/detection-eval/labels.json:
// which COCO objects each frame shows, and how many). Image-level: a class counts as found in a frame
// when the detector reports it there at all. Compares the raw detectors with what the describer keeps:
// its priors (describe/priors.ts), then its count rule (motion/counts.ts), which also counts weaker
// boxes beside confident ones of their class.
//
//   node --import tsx scripts/eval-detection.ts [--media dir] [--report file.md]
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mediaIo } from '@cmvc/media-io';
import { COUNT_RULES, countableDetections, createObjectDetector, createPoseEstimator, refineDetections, type Detection, type RgbFrame } from '@cmvc/models';

const io = mediaIo();

interface Label {
  readonly file: string;
  readonly at: number;
  readonly objects: Readonly<Record<string, number>>;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const mediaDir = path.resolve(option('--media', '../shared/media'));
const reportFile = option('--report', '');
const MIN_SCORE = 0.35;
const CANDIDATE_SCORE = 0.1;

async function frameAt(file: string, seconds: number): Promise<RgbFrame> {
  const source = path.join(mediaDir, file);
  const { width, height, fps } = await io.probe(source);
  const wanted = Math.round(seconds * fps);
  for await (const frame of io.decodeFrames(source, { width, height, fps, only: (index) => index === wanted })) return frame;
  throw new Error(`${file} has no frame at ${seconds} s`);
}

const labels = JSON.parse(await readFile('docs/detection-eval/labels.json', 'utf8')) as Label[];
const centernet = createObjectDetector({ model: 'centernet', scoreThreshold: CANDIDATE_SCORE });
const nanodet = createObjectDetector({ model: 'nanodet', scoreThreshold: CANDIDATE_SCORE });
const poses = createPoseEstimator();
const variants: Record<string, Map<string, number>[]> = { centernet: [], nanodet: [], 'centernet + priors': [], 'centernet + priors + count rule (the describer)': [] };
try {
  for (const label of labels) {
    const frame = await frameAt(label.file, label.at);
    const [candidates] = await centernet.detect([frame]);
    const [nano] = await nanodet.detect([frame]);
    const [people] = await poses.estimate([frame]);
    const counts = (list: readonly Detection[]): Map<string, number> => {
      const map = new Map<string, number>();
      for (const d of list) map.set(d.label, (map.get(d.label) ?? 0) + 1);
      return map;
    };
    variants['centernet']!.push(counts(candidates!.filter((d) => d.score >= MIN_SCORE)));
    variants['nanodet']!.push(counts(nano!.filter((d) => d.score >= MIN_SCORE)));
    variants['centernet + priors']!.push(counts(refineDetections(candidates!, people!, { minScore: MIN_SCORE, aspect: frame.width / frame.height })));
    // As the describer keeps a keyframe's objects: weaker candidates are refined too, then counted.
    const refinedWeak = refineDetections(candidates!, people!, { minScore: MIN_SCORE * COUNT_RULES.supportShare, aspect: frame.width / frame.height });
    variants['centernet + priors + count rule (the describer)']!.push(counts(countableDetections(refinedWeak, MIN_SCORE)));
  }
} finally {
  await Promise.all([centernet.dispose(), nanodet.dispose(), poses.dispose()]);
}

const lines: string[] = [`# Detection on ${labels.length} hand-labelled frames of ${path.basename(mediaDir)}`, '', `Score threshold ${MIN_SCORE}; image-level presence per class; "counts right" compares the number found with the label.`, ''];
for (const [name, found] of Object.entries(variants)) {
  const classes = new Set<string>([...labels.flatMap((l) => Object.keys(l.objects)), ...found.flatMap((m) => [...m.keys()])]);
  lines.push(`## ${name}`, '', '| class | labelled frames | precision | recall | counts right |', '|---|---|---|---|---|');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const cls of [...classes].sort()) {
    let classTp = 0;
    let classFp = 0;
    let classFn = 0;
    let countsRight = 0;
    labels.forEach((label, i) => {
      const want = label.objects[cls] ?? 0;
      const got = found[i]!.get(cls) ?? 0;
      if (want > 0 && got > 0) classTp += 1;
      if (want === 0 && got > 0) classFp += 1;
      if (want > 0 && got === 0) classFn += 1;
      if (want > 0 && got === want) countsRight += 1;
    });
    tp += classTp;
    fp += classFp;
    fn += classFn;
    const labelled = labels.filter((l) => (l.objects[cls] ?? 0) > 0).length;
    const precision = classTp + classFp > 0 ? (classTp / (classTp + classFp)).toFixed(2) : '—';
    const recall = labelled > 0 ? (classTp / labelled).toFixed(2) : '—';
    lines.push(`| ${cls} | ${labelled} | ${precision} | ${recall} | ${labelled > 0 ? `${countsRight}/${labelled}` : '—'} |`);
  }
  lines.push(`| **all** | | ${(tp / Math.max(1, tp + fp)).toFixed(2)} | ${(tp / Math.max(1, tp + fn)).toFixed(2)} | |`, '');
}
const report = lines.join('\n');
console.log(report);
if (reportFile) await writeFile(reportFile, `${report}\n`);
