/**
 * The caption embedder alone: load time, CPU time per batch of 32 fresh sentences (no cache) and
 * resident memory once warm. CPU time (process.cpuUsage) rather than wall time, since the machine is shared.
 * Usage: node --expose-gc --import tsx packages/models/bench/text-embedder.bench.ts [batches=20]
 */
import { createTextEmbedder } from '../src/text/index.ts';
import { tfInitialised } from '../src/runtime/tf.ts';

const batches = Number(process.argv[2] ?? 20);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
let round = 0;
const sentences = (): string[] => Array.from({ length: 32 }, (_, i) => `a person number ${i} walks a dog through the park on day ${round++}, under a grey sky`);

const rssBefore = process.memoryUsage().rss;
const embedder = createTextEmbedder({ batchSize: 32, cacheSize: 0 });
const loadCpu = process.cpuUsage();
const loadStart = performance.now();
await embedder.embed(sentences());
console.log(`load + first batch: ${(performance.now() - loadStart).toFixed(0)} ms wall, ${cpuMs(loadCpu).toFixed(0)} ms CPU`);
const cpu = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < batches; i++) await embedder.embed(sentences());
console.log(`per batch of 32: ${((performance.now() - start) / batches).toFixed(1)} ms wall, ${(cpuMs(cpu) / batches).toFixed(1)} ms CPU (${batches} batches)`);
const rssWarm = process.memoryUsage().rss;
// With --expose-gc: what stays once the load's garbage (decoded weights, the serialised ONNX model) is collected.
(globalThis as { gc?: () => void }).gc?.();
console.log(`rss: ${mib(rssBefore)} before, ${mib(rssWarm)} warm, ${mib(process.memoryUsage().rss)} after a full GC; tfjs initialised: ${tfInitialised()}`);
await embedder.dispose();
