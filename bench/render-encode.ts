/**
 * `npx tsx bench/render-encode.ts <frame.png>…`: WebP encoder settings for turntable frames, measured on
 * rendered frames (quality × effort, RGBA with a lossless alpha plane vs RGB for opaque backgrounds): the
 * median wall and CPU time of BENCH_REPEATS encodes (CPU time is what a busy machine distorts least), the
 * bytes, and PSNR against the frame, one line per setting.
 * Frames come from `shazam render <model> --formats png` (docs/render.md, "Encoder settings").
 */
import sharp from 'sharp';

const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const qualities = (process.env.BENCH_QUALITIES ?? '80,85,90').split(',').map(Number);
const efforts = (process.env.BENCH_EFFORTS ?? '0,1,2,4').split(',').map(Number);

async function psnr(reference: Buffer, encoded: Buffer, channels: number): Promise<number> {
  const decoded = await sharp(encoded).toColourspace('srgb').raw().toBuffer();
  let sum = 0;
  let count = 0;
  const stride = decoded.length / (reference.length / 4);
  for (let i = 0, j = 0; i < reference.length; i += 4, j += stride) {
    for (let c = 0; c < Math.min(3, channels); c++) {
      const d = reference[i + c]! - decoded[j + c]!;
      sum += d * d;
      count++;
    }
  }
  return 10 * Math.log10((255 * 255) / Math.max(sum / count, 1e-9));
}

for (const file of process.argv.slice(2)) {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const opaque = data.every((value, i) => i % 4 !== 3 || value === 255);
  for (const alpha of opaque ? [true, false] : [true]) {
    for (const quality of qualities) {
      for (const effort of efforts) {
        const times: number[] = [];
        const cpu: number[] = [];
        let bytes = Buffer.alloc(0);
        for (let r = 0; r < repeats; r++) {
          const started = performance.now();
          const cpuStarted = process.cpuUsage();
          let image = sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } });
          if (!alpha) image = image.removeAlpha();
          bytes = await image.webp({ quality, effort, ...(alpha ? { alphaQuality: 100 } : {}) }).toBuffer();
          times.push(performance.now() - started);
          const used = process.cpuUsage(cpuStarted);
          cpu.push((used.user + used.system) / 1000);
        }
        times.sort((a, b) => a - b);
        cpu.sort((a, b) => a - b);
        console.log(
          JSON.stringify({
            file,
            size: info.width,
            channels: alpha ? 'rgba' : 'rgb',
            quality,
            effort,
            ms: Math.round(times[Math.floor(times.length / 2)]!),
            cpuMs: Math.round(cpu[Math.floor(cpu.length / 2)]!),
            kb: Math.round(bytes.byteLength / 1024),
            psnr: Math.round((await psnr(data, bytes, 3)) * 100) / 100,
          }),
        );
      }
    }
  }
}
